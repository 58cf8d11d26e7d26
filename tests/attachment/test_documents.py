"""Documents where a record takes them (`?document=true`, an emergency plan): PDF and .docx are
parsed to prove what they are, photos still accepted; a plain upload still refuses them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.attachment.documents import docx_bytes, other_zip, pdf_bytes
from tests.attachment.images import PNG
from tests.factories import World

URL = "/api/v1/attachments"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def send(client: TestClient, world: World, data: bytes, name: str, *, document: bool) -> dict:  # type: ignore[type-arg]
    r = client.post(
        URL,
        params={"document": "true"} if document else None,
        files={"file": (name, data, "application/octet-stream")},
        headers=world.headers("ent_a_admin"),
    )
    return {"status": r.status_code, **r.json()}


@pytest.mark.parametrize(
    ("data", "name", "stored_as", "ctype"),
    [
        (pdf_bytes(), "燃气事故应急预案.pdf", "燃气事故应急预案.pdf", "application/pdf"),
        (docx_bytes(), "预案2026.docx", "预案2026.docx", DOCX),
        (pdf_bytes(), "plan.exe", "plan.pdf", "application/pdf"),  # named for what it is
        (PNG, "扫描件.png", "扫描件.png", "image/png"),  # scanned pages still welcome
    ],
    ids=["pdf", "docx", "pdf-misnamed", "scan"],
)
def test_documents_are_stored_and_served_back(
    client: TestClient, world: World, data: bytes, name: str, stored_as: str, ctype: str
) -> None:
    body = send(client, world, data, name, document=True)
    assert body["status"] == 201, body
    assert (body["filename"], body["content_type"]) == (stored_as, ctype)
    r = client.get(body["url"], headers=world.headers("ent_a_admin"))
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"].startswith(ctype)


def test_a_plain_upload_still_takes_photos_only(client: TestClient, world: World) -> None:
    body = send(client, world, pdf_bytes(), "plan.pdf", document=False)
    assert body["status"] == 415 and "JPEG, PNG, WebP" in body["detail"]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (pdf_bytes()[:200], 422),  # cut short: no trailer, no pages
        (b"%PDF-1.7\nnot really a pdf\n", 422),
        (docx_bytes()[:-40], 422),  # the zip's directory broken
        (other_zip(), 415),  # a zip, but no Word document
        (b"<html><script>alert(1)</script></html>", 415),
    ],
    ids=["pdf-cut", "pdf-fake", "docx-cut", "zip", "html"],
)
def test_broken_or_foreign_documents_are_refused(
    client: TestClient, world: World, data: bytes, status: int
) -> None:
    body = send(client, world, data, "plan.pdf", document=True)
    assert body["status"] == status, body
    if status == 415:
        assert "PDF, DOCX" in body["detail"]
