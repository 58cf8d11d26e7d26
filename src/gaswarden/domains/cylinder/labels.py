"""Printable tag labels: the QR code of a cylinder's tag code (segno), with the code in text,
its capacity, its owner's short name, its steel stamp serial and its next inspection date.

One label as a PNG (Pillow draws the text; Chinese only where a CJK font is installed, the
PDF always has it), or an A4 sheet of labels as a PDF (reportlab, Chinese in the built-in CID
font STSong-Light, as the hazard report does). Both draw the same segno matrix."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from gaswarden.domains.cylinder.models import Cylinder

QR_ERROR = "m"  # at least M; segno raises it when the code leaves room (boost_error)
PNG_SCALE = 8  # pixels per module
QR_BORDER = 4  # quiet zone in modules (ISO/IEC 18004)
PNG_TEXT_WIDTH = 420
MAX_LABELS = 500  # labels in one PDF
CID_FONT = "STSong-Light"
CJK_FONTS = (  # used for the PNG's Chinese text when one is installed
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

# The A4 sheet: 2 columns x 7 rows of 100 x 40 mm labels.
COLUMNS, ROWS = 2, 7
LABEL_W, LABEL_H = 100 * mm, 40 * mm
QR_SIDE = 34 * mm


@dataclass(frozen=True)
class Label:
    tag_code: str
    capacity_kg: int
    owner: str  # short name, else name
    stamp_serial: str
    next_inspection_on: date


def label_of(cylinder: Cylinder) -> Label:
    owner = cylinder.owner
    name = (owner.short_name or owner.name) if owner is not None else ""
    return Label(
        tag_code=cylinder.tag_code,
        capacity_kg=cylinder.capacity_kg,
        owner=name,
        stamp_serial=cylinder.stamp_serial,
        next_inspection_on=cylinder.next_inspection_on,
    )


def qr_of(code: str) -> segno.QRCode:
    return segno.make(code, error=QR_ERROR, micro=False)


def qr_pixels(code: str) -> int:
    """The side in pixels of the QR (quiet zone included) at the top left of a PNG label."""
    width, _ = qr_of(code).symbol_size(scale=PNG_SCALE, border=QR_BORDER)
    return int(width)


# ---- PNG ----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _cjk_font_path() -> str | None:
    return next((p for p in CJK_FONTS if Path(p).is_file()), None)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _cjk_font_path()
    if path is not None:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _png_lines(label: Label) -> list[tuple[str, int]]:
    cjk = _cjk_font_path() is not None
    lines = [(label.tag_code, 30), (f"{label.capacity_kg} kg  YSP-{label.capacity_kg}", 22)]
    if label.owner and (cjk or label.owner.isascii()):
        lines.append((label.owner, 22))
    stamp, due = ("钢印号", "下次检验") if cjk else ("Stamp", "Next inspection")
    lines.append((f"{stamp} {label.stamp_serial}", 20))
    lines.append((f"{due} {label.next_inspection_on.isoformat()}", 20))
    return lines


def label_png(label: Label) -> bytes:
    """One label: the QR (quiet zone included) at the top left, the text to its right."""
    buf = BytesIO()
    qr_of(label.tag_code).save(buf, kind="png", scale=PNG_SCALE, border=QR_BORDER)
    buf.seek(0)
    qr = Image.open(buf).convert("L")
    lines = _png_lines(label)
    text_height = sum(size + 12 for _, size in lines) + 2 * QR_BORDER * PNG_SCALE
    sheet = Image.new("L", (qr.width + PNG_TEXT_WIDTH, max(qr.height, text_height)), 255)
    sheet.paste(qr, (0, 0))
    draw = ImageDraw.Draw(sheet)
    y = QR_BORDER * PNG_SCALE
    for text, size in lines:
        draw.text((qr.width, y), text, fill=0, font=_font(size))
        y += size + 12
    out = BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()


# ---- PDF ----------------------------------------------------------------------------------------
def _cid_font() -> str:
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _runs(row: Iterable[int]) -> Iterator[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    start = None
    cells = list(row)
    for i, dark in enumerate([*cells, 0]):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            yield start, i - start
            start = None


def _draw_qr(c: Canvas, code: str, x: float, y: float, side: float) -> None:
    matrix = [list(r) for r in qr_of(code).matrix]
    count = len(matrix) + 2 * QR_BORDER
    module = side / count
    for r, row in enumerate(matrix):
        top = y + side - (r + QR_BORDER + 1) * module
        for start, length in _runs(row):
            c.rect(x + (start + QR_BORDER) * module, top, length * module, module, 0, 1)


def _draw_label(c: Canvas, label: Label, x: float, y: float) -> None:
    font = _cid_font()
    c.setLineWidth(0.3)
    c.setStrokeGray(0.7)
    c.rect(x + 1 * mm, y + 1 * mm, LABEL_W - 2 * mm, LABEL_H - 2 * mm, 1, 0)
    _draw_qr(c, label.tag_code, x + 2 * mm, y + (LABEL_H - QR_SIDE) / 2, QR_SIDE)
    tx = x + QR_SIDE + 5 * mm
    ty = y + LABEL_H - 9 * mm
    c.setFont("Helvetica-Bold", 13)
    c.drawString(tx, ty, label.tag_code)
    rows = (
        (f"规格 {label.capacity_kg} kg", 9),
        (label.owner[:18], 9),
        (f"钢印号 {label.stamp_serial}", 8),
        (f"下次检验 {label.next_inspection_on.isoformat()}", 8),
    )
    for text, size in rows:
        ty -= 6 * mm
        c.setFont(font, size)
        c.drawString(tx, ty, text)


def labels_pdf(labels: Iterable[Label], *, title: str = "气瓶标签 Cylinder tag labels") -> bytes:
    """An A4 sheet (or several) of labels, filled row by row."""
    buf = BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.setTitle(title)
    page_w, page_h = A4
    left = (page_w - COLUMNS * LABEL_W) / 2
    top = page_h - (page_h - ROWS * LABEL_H) / 2
    per_page = COLUMNS * ROWS
    drawn = 0
    for i, label in enumerate(labels):
        if i and i % per_page == 0:
            c.showPage()
        slot = i % per_page
        row, col = divmod(slot, COLUMNS)
        _draw_label(c, label, left + col * LABEL_W, top - (row + 1) * LABEL_H)
        drawn += 1
    if drawn == 0:
        c.setFont(_cid_font(), 12)
        c.drawString(20 * mm, page_h - 30 * mm, "没有气瓶 No cylinders")
    c.showPage()
    c.save()
    return buf.getvalue()
