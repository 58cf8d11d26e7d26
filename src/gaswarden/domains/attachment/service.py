"""Uploads: checked by decoding (JPEG, PNG, WebP photos; where a record takes documents, such
as an emergency plan, also PDF and Word .docx), stored content-addressed on disk, recorded
unlinked; read back scoped like the record they are linked to (until then only by their
uploader). Flush, never commit. Linking lives in `links.py`.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Forbidden, GasWardenError, Invalid, NotFound
from gaswarden.core.scope import located
from gaswarden.db.base import utcnow
from gaswarden.domains.attachment.models import Attachment
from gaswarden.domains.attachment.storage import CHUNK, Spool, blob_path
from gaswarden.domains.audit import service as audit
from gaswarden.settings import Settings

# The formats accepted, as Pillow names them: content type and file extensions.
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "JPEG": ("image/jpeg", (".jpg", ".jpeg")),
    "PNG": ("image/png", (".png",)),
    "WEBP": ("image/webp", (".webp",)),
}
ACCEPTED = "JPEG, PNG, WebP"
# Documents, where the record takes them (`documents=True`): checked by parsing as well.
DOCUMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "PDF": ("application/pdf", (".pdf",)),
    "DOCX": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
}
ACCEPTED_DOCUMENTS = "PDF, DOCX"
DOCX_MAX_UNPACKED = 200 * 1024 * 1024  # a .docx that inflates past this is a zip bomb


class Unsupported(GasWardenError):
    status_code = 415
    title = "Unsupported media type"
    title_zh = "不支持的文件类型"


def max_bytes(settings: Settings) -> int:
    return int(settings.upload_max_mb * 1024 * 1024)


# ---- checking -----------------------------------------------------------------------------------
def _bad(msg: str, zh: str) -> Invalid:
    return Invalid(f"{msg} ({zh})", errors=[{"loc": ["body", "file"], "msg": msg}])


def inspect_image(path: Path, max_pixels: int) -> tuple[str, int, int]:
    """(Pillow format, width, height) of an image file, decoded in full to prove it is one.

    Not an image of an accepted format (text, HTML or a script under any name, SVG, PDF...):
    Unsupported (415). An accepted format that does not decode, or too many pixels: Invalid.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=list(FORMATS)) as im:
                fmt, (width, height) = str(im.format), im.size
                if width * height > max_pixels:
                    raise _bad(
                        f"image has {width}x{height} pixels, more than {max_pixels}",
                        "图片像素过多",
                    )
                im.load()  # decode every byte of pixel data: truncated or broken files fail
    except UnidentifiedImageError as exc:
        raise Unsupported(
            f"not a photo: only {ACCEPTED} images are accepted (只接受 JPEG、PNG、WebP 图片)",
            errors=[{"loc": ["body", "file"], "msg": f"not a {ACCEPTED} image"}],
        ) from exc
    except Image.DecompressionBombError as exc:
        raise _bad(f"image has too many pixels (limit {max_pixels})", "图片像素过多") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _bad(f"the image cannot be decoded: {exc}", "图片已损坏") from exc
    return fmt, width, height


def inspect_document(path: Path) -> str | None:
    """ "PDF" or "DOCX" when the file is one (parsed to prove it), None when it is neither
    (it may still be a photo). A broken PDF or .docx: Invalid."""
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"%PDF-"):
        try:
            pages = len(PdfReader(path).pages)
        except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
            raise _bad(f"the PDF cannot be read: {exc}", "PDF 文件已损坏") from exc
        if pages == 0:
            raise _bad("the PDF has no pages", "PDF 文件没有页面")
        return "PDF"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                unpacked = sum(i.file_size for i in z.infolist())
                if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                    return None  # another zip (xlsx, or anything): not accepted
                if unpacked > DOCX_MAX_UNPACKED:
                    raise _bad("the document unpacks to too much data", "文档解压后过大")
                if z.testzip() is not None:
                    raise _bad("the document is damaged", "文档已损坏")
        except zipfile.BadZipFile as exc:
            raise _bad(f"the document cannot be read: {exc}", "文档已损坏") from exc
        return "DOCX"
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/<>:|?*;]')


def clean_filename(name: str | None, fmt: str) -> str:
    """The client's file name without path, control or quoting characters, ending in the
    extension of the format the file really is."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name).strip(" .")
    exts = {**FORMATS, **DOCUMENTS}[fmt][1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if f".{ext.lower()}" not in exts:  # none, or not what the file is: "x.html" -> "x.jpg"
        ext = exts[0].lstrip(".")
    stem = stem[:150] or ("document" if fmt in DOCUMENTS else "photo")
    return f"{stem}.{ext}"


# ---- storing ------------------------------------------------------------------------------------
UPLOADERS = frozenset(Role) - {Role.VIEWER}


def require_uploader(principal: Principal) -> None:
    if principal.scope_kind is not ScopeKind.ALL and principal.role not in UPLOADERS:
        raise Forbidden(f"role {principal.role} may not upload files")


def _pour(spool: Spool, source: BinaryIO | Iterable[bytes]) -> None:
    if hasattr(source, "read"):
        while chunk := source.read(CHUNK):
            spool.write(chunk)
    else:
        for chunk in source:
            spool.write(chunk)


def store_upload(
    *,
    session: Session,
    principal: Principal,
    settings: Settings,
    filename: str | None,
    source: Spool | BinaryIO | Iterable[bytes],
    now: datetime | None = None,
    documents: bool = False,
) -> Attachment:
    """Check and store one uploaded photo (or, with `documents`, a PDF or .docx as well); an
    unlinked Attachment owned by its uploader.

    `source` is a Spool already filled by the caller (the API streams the request into one),
    or a file object / iterable of chunks (the web form's UploadFile), poured in here under
    the same size limit.
    """
    require_uploader(principal)
    if isinstance(source, Spool):
        spool, pour_from = source, None
    else:
        spool, pour_from = Spool(settings.upload_dir, max_bytes(settings)), source
    with spool:
        if pour_from is not None:
            _pour(spool, pour_from)
        spool.finish()
        if spool.size == 0:
            raise _bad("the file is empty", "文件为空")
        document = inspect_document(spool.path) if documents else None
        if document is not None:
            fmt, width, height = document, None, None
        else:
            try:
                fmt, w, h = inspect_image(spool.path, settings.upload_image_max_px)
            except Unsupported as exc:
                if not documents:
                    raise
                raise Unsupported(
                    f"only {ACCEPTED_DOCUMENTS} documents or {ACCEPTED} images are accepted"
                    " (只接受 PDF、Word(.docx) 文档或 JPEG、PNG、WebP 图片)",
                    errors=[{"loc": ["body", "file"], "msg": "not a document or an image"}],
                ) from exc
            width, height = w, h
        spool.publish()
    attachment = Attachment(
        filename=clean_filename(filename, fmt),
        content_type={**FORMATS, **DOCUMENTS}[fmt][0],
        size=spool.size,
        sha256=spool.sha256,
        width=width,
        height=height,
        uploaded_at=now or utcnow(),
        uploaded_by_id=principal.user_id,
        uploaded_by_name=principal.username,
    )
    session.add(attachment)
    session.flush()
    audit.record(
        session=session,
        principal=principal,
        action="upload",
        entity_type="attachment",
        entity_id=attachment.id,
        entity_label=attachment.filename,
        changes={
            "filename": [None, attachment.filename],
            "content_type": [None, attachment.content_type],
            "size": [None, attachment.size],
            "sha256": [None, attachment.sha256],
        },
        owner_id=principal.org_id if principal.scope_kind is ScopeKind.ORG else None,
    )
    return attachment


# ---- reading ------------------------------------------------------------------------------------
def attachment_scope(principal: Principal) -> ColumnElement[bool]:
    """Linked files are seen like their record; unlinked ones by their uploader only."""
    if principal.scope_kind is ScopeKind.ALL:
        return true()
    linked = and_(
        Attachment.entity_type.is_not(None),
        located(
            principal, owner=Attachment.owner_id, area=Attachment.area_id, site=Attachment.site_id
        ),
    )
    if principal.user_id is None:
        return linked
    mine = and_(Attachment.entity_type.is_(None), Attachment.uploaded_by_id == principal.user_id)
    return or_(linked, mine)


def get(*, session: Session, principal: Principal, id: int) -> Attachment:
    stmt = select(Attachment).where(Attachment.id == id, attachment_scope(principal))
    attachment = session.scalars(stmt).first()
    if attachment is None:
        raise NotFound(f"attachment {id} not found")
    return attachment


def file_path(settings: Settings, attachment: Attachment) -> Path:
    path = blob_path(settings.upload_dir, attachment.sha256)
    if not path.is_file():
        raise NotFound(f"the file of attachment {attachment.id} is missing from storage")
    return path


def check_usable(
    session: Session, principal: Principal, ids: Sequence[int], loc: Sequence[str | int]
) -> None:
    """Before a record is saved: every id is the caller's own upload, not yet linked.

    (`links.link` checks the same while linking; this reports it before anything is done.)
    """
    if not ids:
        return
    dupes = sorted({i for i in ids if list(ids).count(i) > 1})
    if dupes:
        raise Invalid(
            f"photos given twice: {dupes}", errors=[{"loc": list(loc), "msg": "given twice"}]
        )
    found = {a.id: a for a in session.scalars(select(Attachment).where(Attachment.id.in_(ids)))}
    bad = [
        i
        for i in ids
        if (a := found.get(i)) is None
        or a.entity_type is not None
        or (principal.scope_kind is not ScopeKind.ALL and a.uploaded_by_id != principal.user_id)
    ]
    if bad:
        raise Invalid(
            f"unknown or already used photos: {bad}",
            errors=[{"loc": list(loc), "msg": "unknown or already used"}],
        )
