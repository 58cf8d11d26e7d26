"""Tag labels: one label as a PNG (the QR decodes to the tag code and is the module matrix of
that code), an A4 sheet as a PDF (the tag codes and the Chinese captions in its text), by ids
or by the list's filters; out-of-scope ids read as 404."""

from __future__ import annotations

from io import BytesIO

import segno
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy.orm import Session

from gaswarden.domains.cylinder import labels
from tests.cylinder.lpg import build_lpg
from tests.factories import World

API = "/api/v1/cylinders"


def modules(image: Image.Image, code: str) -> list[list[int]]:
    """The dark (1) / light (0) modules read from the QR at the top left of a label."""
    size = len(list(segno.make(code, error=labels.QR_ERROR, micro=False).matrix))
    scale, border = labels.PNG_SCALE, labels.QR_BORDER
    grey = image.convert("L")

    def dark(r: int, c: int) -> int:
        centre = ((c + border) * scale + scale // 2, (r + border) * scale + scale // 2)
        value = grey.getpixel(centre)
        assert isinstance(value, int)
        return 1 if value < 128 else 0

    return [[dark(r, c) for c in range(size)] for r in range(size)]


def test_label_png(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    code = lpg.codes["ok"]
    r = client.get(f"{API}/{lpg.ids['cyl_ok']}/label.png", headers=world.headers("ent_b_admin"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    image = Image.open(BytesIO(r.content))
    assert image.format == "PNG"
    side = labels.qr_pixels(code)
    assert side == (21 + 2 * labels.QR_BORDER) * labels.PNG_SCALE  # version 1 for this code
    assert image.height >= side and image.width == side + labels.PNG_TEXT_WIDTH
    # the QR is the code's: module by module, and decoded by an independent reader
    expected = [list(row) for row in segno.make(code, error=labels.QR_ERROR, micro=False).matrix]
    assert modules(image, code) == expected
    decoded = zxingcpp.read_barcodes(image.convert("L"))
    assert [d.text for d in decoded] == [code]
    # the quiet zone is light
    assert image.convert("L").getpixel((2, 2)) == 255
    # the regulator may print it too; another enterprise may not see it
    assert (
        client.get(
            f"{API}/{lpg.ids['cyl_ok']}/label.png", headers=world.headers("reg_admin")
        ).status_code
        == 200
    )
    r = client.get(f"{API}/{lpg.ids['cyl_ok']}/label.png", headers=world.headers("ent_a_admin"))
    assert r.status_code == 404


def test_a_longer_code_still_decodes() -> None:
    code = "LPG-371502-2026-000123456"
    png = labels.label_png(
        labels.Label(code, 50, "Lutong", "ST-88-123456", __import__("datetime").date(2029, 1, 1))
    )
    image = Image.open(BytesIO(png))
    assert [d.text for d in zxingcpp.read_barcodes(image.convert("L"))] == [code]
    assert modules(image, code) == [
        list(row) for row in segno.make(code, error=labels.QR_ERROR, micro=False).matrix
    ]


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_labels_pdf(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    ent = world.headers("ent_b_admin")
    wanted = [lpg.ids["cyl_ok"], lpg.ids["cyl_overdue"]]
    r = client.get(f"{API}/labels.pdf", params={"ids": ",".join(map(str, wanted))}, headers=ent)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    pages, text = pdf_text(r.content)
    assert pages == 1
    assert lpg.codes["ok"] in text and lpg.codes["overdue"] in text
    assert lpg.codes["ok2"] not in text
    assert "ST-LPG-T-OK" in text and "2029-01-01" in text and "15 kg" in text
    assert "钢印号" in text and "聊城鲁通液化气有限公司"[:10] in text

    # by the list's filters
    r = client.get(f"{API}/labels.pdf", params={"overdue": "true"}, headers=ent)
    _, text = pdf_text(r.content)
    assert lpg.codes["overdue"] in text and lpg.codes["ok"] not in text

    # one id out of scope: 404, for the whole sheet
    r = client.get(
        f"{API}/labels.pdf",
        params={"ids": f"{lpg.ids['cyl_ok']},{lpg.ids['cyl_other']}"},
        headers=ent,
    )
    assert r.status_code == 404
    r = client.get(f"{API}/labels.pdf", params={"ids": "1,x"}, headers=ent)
    assert r.status_code == 422
    # another enterprise's filtered sheet holds none of them
    r = client.get(f"{API}/labels.pdf", headers=world.headers("ent_a_admin"))
    assert r.status_code == 200
    _, text = pdf_text(r.content)
    assert "LPG-T-" not in text


def test_sheet_pages() -> None:
    import datetime

    many = [
        labels.Label(f"LPG-P-{i:04d}", 15, "鲁通", f"S{i}", datetime.date(2029, 1, 1))
        for i in range(labels.COLUMNS * labels.ROWS + 1)
    ]
    pages, text = pdf_text(labels.labels_pdf(many))
    assert pages == 2
    assert all(label.tag_code in text for label in many)
