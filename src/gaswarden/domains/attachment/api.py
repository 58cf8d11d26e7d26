"""/api/v1/attachments: upload one photo (multipart, streamed to disk under the size limit),
read one back (scoped).

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import FileResponse
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from gaswarden.core.errors import Invalid
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.attachment import service
from gaswarden.domains.attachment.schemas import AttachmentRead
from gaswarden.domains.attachment.storage import Spool, TooLarge, limit_text

router = APIRouter(tags=["attachments"])

MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and small fields around the file
MAX_PARTS = 8
MAX_FIELD_BYTES = 1024


def _invalid(msg: str) -> Invalid:
    return Invalid(msg, errors=[{"loc": ["body", "file"], "msg": msg}])


class _Receiver:
    """Feeds the one file part of a multipart body into a Spool as it arrives."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self.filename: str | None = None
        self.files = 0
        self.parts = 0
        self._in_file = False
        self._field_bytes = 0
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise _invalid(f"too many form fields (at most {MAX_PARTS})")
        self._in_file, self._field_bytes, self._disposition = False, 0, b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"filename" in options:
            self.files += 1
            if self.files > 1:
                raise _invalid("send one file per upload (每次上传一个文件)")
            self._in_file = True
            self.filename = options[b"filename"].decode("utf-8", "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.spool.write(data[start:end])
        else:
            self._field_bytes += end - start
            if self._field_bytes > MAX_FIELD_BYTES:
                raise _invalid("form field too long")

    async def receive(self, request: Request) -> None:
        content_type = request.headers.get("content-type", "")
        kind, params = parse_options_header(content_type)
        if kind != b"multipart/form-data" or b"boundary" not in params:
            raise service.Unsupported(
                "send the photo as multipart/form-data with one file field",
                errors=[{"loc": ["header", "content-type"], "msg": "multipart/form-data"}],
            )
        callbacks = {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
        }
        parser = MultipartParser(params[b"boundary"], callbacks)  # type: ignore[arg-type]
        try:
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        except FormParserError as exc:
            raise _invalid(f"malformed multipart body: {exc}") from exc
        if self.files == 0:
            raise _invalid("no file in the form (表单中没有文件)")


@router.post(
    "/attachments",
    response_model=AttachmentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Upload one photo (JPEG, PNG, WebP); link it by id when saving the record",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
    responses={
        413: {"description": "larger than upload_max_mb"},
        415: {
            "description": "not a JPEG, PNG or WebP image (nor, with document=true, a PDF or .docx)"
        },
        422: {"description": "a broken image, too many pixels, or a malformed form"},
    },
)
async def upload(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    document: Annotated[
        bool,
        Query(
            description="a document for a record that takes one (an emergency plan): "
            "PDF or Word .docx as well as photos"
        ),
    ] = False,
) -> AttachmentRead:
    service.require_uploader(principal)
    limit = service.max_bytes(settings)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        raise TooLarge(
            f"the upload is larger than the limit of {limit_text(limit)}"
            f" (文件超过 {limit_text(limit)} 上限)",
            errors=[{"loc": ["body", "file"], "msg": "too large", "max_bytes": limit}],
        )
    with Spool(settings.upload_dir, limit) as spool:
        receiver = _Receiver(spool)
        await receiver.receive(request)
        attachment = await run_in_threadpool(
            service.store_upload,
            session=session,
            principal=principal,
            settings=settings,
            filename=receiver.filename,
            source=spool,
            documents=document,
        )
    return AttachmentRead.model_validate(attachment)


def _disposition(filename: str) -> str:
    fallback = "".join(c if c.isascii() and c.isprintable() else "_" for c in filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/attachments/{attachment_id}",
    response_class=FileResponse,
    summary="The file's bytes, as stored",
)
def read(
    attachment_id: int, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> FileResponse:
    attachment = service.get(session=session, principal=principal, id=attachment_id)
    path = service.file_path(settings, attachment)
    return FileResponse(
        path,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": _disposition(attachment.filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.get(
    "/attachments/{attachment_id}/meta",
    response_model=AttachmentRead,
    summary="What is known of an uploaded file",
)
def read_meta(attachment_id: int, session: SessionDep, principal: PrincipalDep) -> AttachmentRead:
    return AttachmentRead.model_validate(
        service.get(session=session, principal=principal, id=attachment_id)
    )
