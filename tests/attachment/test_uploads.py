"""POST /api/v1/attachments and reading back: real photos pass; text, a script named .jpg, SVG,
a broken or oversized image are refused with a reason; files are content-addressed on disk;
reading back is scoped (unlinked: the uploader only; linked: like the record)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.errors import Forbidden, Invalid
from gaswarden.domains.attachment import service
from gaswarden.domains.attachment.links import link
from gaswarden.domains.attachment.models import Attachment
from gaswarden.domains.attachment.storage import TMP_DIR, TooLarge, blob_path
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.settings import Settings
from tests.attachment.images import JPEG, PNG, SCRIPT, SVG, TEXT, WEBP, image_bytes
from tests.factories import World
from tests.hazard.helpers import who

PROBLEM = "application/problem+json"
URL = "/api/v1/attachments"


def upload(
    client: TestClient,
    world: World,
    who: str,
    data: bytes,
    name: str = "photo.png",
    content_type: str = "image/png",
) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = client.post(URL, files={"file": (name, data, content_type)}, headers=world.headers(who))
    return r.status_code, r.json()


def incoming(settings: Settings) -> list[Path]:
    tmp = settings.upload_dir / TMP_DIR
    return list(tmp.iterdir()) if tmp.exists() else []


@pytest.fixture
def small_limits(app: FastAPI, settings: Settings) -> Iterator[Settings]:
    """The app with a 2 KB upload limit and at most 400 pixels per image."""
    small = settings.model_copy(
        update={"upload_max_mb": 2048 / 1024 / 1024, "upload_image_max_px": 400}
    )
    real = app.state.settings
    app.state.settings = small
    try:
        yield small
    finally:
        app.state.settings = real


@pytest.mark.parametrize(
    ("data", "name", "ctype"),
    [(PNG, "现场照片.png", "image/png"), (JPEG, "a.jpg", "image/jpeg"), (WEBP, "w.webp", "")],
)
def test_real_photos_are_stored_by_content_and_served_back(
    client: TestClient,
    world: World,
    settings: Settings,
    session: Session,
    data: bytes,
    name: str,
    ctype: str,
) -> None:
    status, body = upload(
        client, world, "inspector", data, name, ctype or "application/octet-stream"
    )
    assert status == 201, body
    sha = hashlib.sha256(data).hexdigest()
    assert body["sha256"] == sha and body["size"] == len(data) and body["filename"] == name
    assert body["entity_type"] is None and body["url"] == f"{URL}/{body['id']}"
    assert blob_path(settings.upload_dir, sha).read_bytes() == data
    assert (body["width"], body["height"]) == (16, 12)
    expected_type = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
    assert body["content_type"] == expected_type[name.rsplit(".", 1)[1]]

    r = client.get(body["url"], headers=world.headers("inspector"))
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == body["content_type"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith("inline; filename=")
    assert not incoming(settings)
    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "attachment", AuditEntry.entity_id == body["id"]
        )
    ).one()
    assert audit.action == "upload" and audit.changes["sha256"] == [None, sha]


def test_the_type_comes_from_the_bytes_not_the_name(client: TestClient, world: World) -> None:
    status, body = upload(client, world, "inspector", JPEG, "evil.html", "text/html")
    assert status == 201
    assert body["content_type"] == "image/jpeg" and body["filename"] == "evil.jpg"
    status, body = upload(client, world, "inspector", PNG, 'a"b;c/../x.jpg', "image/jpeg")
    assert status == 201 and body["content_type"] == "image/png"
    assert body["filename"] == "x.png"  # path dropped, extension made to match the bytes


@pytest.mark.parametrize(
    ("data", "name", "ctype"),
    [
        (TEXT, "notes.txt", "text/plain"),
        (SCRIPT, "photo.jpg", "image/jpeg"),
        (SVG, "drawing.svg", "image/svg+xml"),
        (SVG, "drawing.png", "image/png"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "scan.jpg", "image/jpeg"),
        (image_bytes("GIF"), "anim.gif", "image/gif"),
    ],
)
def test_anything_but_a_photo_is_refused(
    client: TestClient,
    world: World,
    settings: Settings,
    session: Session,
    data: bytes,
    name: str,
    ctype: str,
) -> None:
    before = session.scalar(select(Attachment.id).order_by(Attachment.id.desc()).limit(1))
    r = client.post(URL, files={"file": (name, data, ctype)}, headers=world.headers("inspector"))
    assert r.status_code == 415, r.text
    assert r.headers["content-type"] == PROBLEM
    assert "JPEG, PNG, WebP" in r.json()["detail"]
    assert not blob_path(settings.upload_dir, hashlib.sha256(data).hexdigest()).exists()
    assert not incoming(settings)
    after = session.scalar(select(Attachment.id).order_by(Attachment.id.desc()).limit(1))
    assert after == before


def test_a_truncated_photo_is_refused(client: TestClient, world: World) -> None:
    big = image_bytes("JPEG", size=(200, 200))
    status, body = upload(client, world, "inspector", big[: len(big) // 2], "cut.jpg", "image/jpeg")
    assert status == 422 and "cannot be decoded" in body["detail"]
    status, body = upload(client, world, "inspector", b"", "empty.png")
    assert status == 422 and "empty" in body["detail"]


def test_too_big_is_413_and_nothing_is_kept(
    client: TestClient, world: World, small_limits: Settings
) -> None:
    big = image_bytes("PNG", size=(10, 10)) + b"\0" * 4096  # a PNG with trailing bytes
    r = client.post(
        URL, files={"file": ("big.png", big, "image/png")}, headers=world.headers("inspector")
    )
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    assert "MB" in r.json()["detail"] or "B" in r.json()["detail"]
    assert r.json()["errors"][0]["max_bytes"] == 2048
    assert not incoming(small_limits)
    # A declared length far over the limit is refused before the body is read.
    huge = b"\0" * 100_000
    r = client.post(
        URL, files={"file": ("h.png", huge, "image/png")}, headers=world.headers("inspector")
    )
    assert r.status_code == 413 and "larger than the limit" in r.json()["detail"]
    # Just under the limit but with too many pixels (21 x 20 > 400).
    status, body = upload(client, world, "inspector", image_bytes("PNG", size=(21, 20)), "px.png")
    assert status == 422 and "pixels" in body["detail"]
    status, _ = upload(client, world, "inspector", image_bytes("PNG", size=(20, 20)), "ok.png")
    assert status == 201


def test_the_limit_holds_while_streaming_without_a_declared_length(
    session: Session, world: World, settings: Settings
) -> None:
    small = settings.model_copy(update={"upload_max_mb": 1 / 1024})  # 1 KB
    pulled: list[int] = []

    def endless() -> Iterator[bytes]:
        head = image_bytes("PNG")
        yield head
        while True:
            pulled.append(1)
            yield b"\0" * 256

    with pytest.raises(TooLarge):
        service.store_upload(
            session=session,
            principal=who(session, world, "inspector"),
            settings=small,
            filename="x.png",
            source=endless(),
        )
    assert len(pulled) < 8  # stopped as soon as it passed 1 KB
    assert not incoming(small)


def test_the_web_form_path_takes_a_file_object(
    session: Session, world: World, settings: Settings
) -> None:
    import io

    a = service.store_upload(
        session=session,
        principal=who(session, world, "ent_a_staff"),
        settings=settings,
        filename="整改后.jpg",
        source=io.BytesIO(JPEG),
    )
    assert a.id and a.content_type == "image/jpeg" and a.uploaded_by_name == "ent_a_staff"


def test_malformed_requests(client: TestClient, world: World) -> None:
    h = world.headers("inspector")
    r = client.post(URL, content=PNG, headers={**h, "content-type": "image/png"})
    assert r.status_code == 415
    r = client.post(URL, data={"note": "no file"}, files={}, headers=h)
    assert r.status_code in (415, 422)
    r = client.post(
        URL,
        files=[("file", ("a.png", PNG, "image/png")), ("file", ("b.png", PNG, "image/png"))],
        headers=h,
    )
    assert r.status_code == 422 and "one file" in r.json()["detail"]
    status, _ = upload(client, world, "viewer", PNG)
    assert status == 403


def test_equal_files_share_one_blob(client: TestClient, world: World, settings: Settings) -> None:
    s1, a = upload(client, world, "inspector", PNG, "one.png")
    s2, b = upload(client, world, "ent_a_staff", PNG, "two.png")
    assert s1 == s2 == 201 and a["id"] != b["id"] and a["sha256"] == b["sha256"]
    assert blob_path(settings.upload_dir, a["sha256"]).read_bytes() == PNG


def test_reading_back_is_scoped(client: TestClient, world: World, session: Session) -> None:
    _, body = upload(client, world, "inspector", image_bytes("PNG", colour="purple"))
    url = body["url"]

    def status(user: str) -> int:
        return client.get(url, headers=world.headers(user)).status_code

    # Unlinked: only the uploader, not even a regulator.
    assert status("inspector") == 200
    assert {status(u) for u in ("reg_admin", "ent_a_admin", "ent_b_admin", "grid_sup")} == {404}
    assert client.get(f"{url}/meta", headers=world.headers("ent_a_admin")).status_code == 404

    # Linked to a record at the gate station (enterprise A, grid g11): seen like it.
    gate = session.get(Attachment, body["id"])
    assert gate is not None
    from gaswarden.domains.site.models import Site

    site = session.get(Site, world.ids["gate"])
    assert site is not None
    link(
        session,
        who(session, world, "inspector"),
        [gate.id],
        entity_type="hazard",
        entity_id=1,
        owner_id=site.owner_id,
        area_id=site.area_id,
        site_id=site.id,
    )
    session.flush()
    for user in ("inspector", "reg_admin", "reg_staff", "ent_a_staff", "grid_sup"):
        assert status(user) == 200, user
    assert status("ent_b_admin") == 404
    assert client.get(f"{URL}/999999", headers=world.headers("reg_admin")).status_code == 404


def test_check_usable_reports_foreign_or_used_photos(
    session: Session, world: World, settings: Settings
) -> None:
    import io

    inspector = who(session, world, "inspector")
    mine = service.store_upload(
        session=session,
        principal=inspector,
        settings=settings,
        filename="a.png",
        source=io.BytesIO(PNG),
    )
    theirs = service.store_upload(
        session=session,
        principal=who(session, world, "ent_a_staff"),
        settings=settings,
        filename="b.png",
        source=io.BytesIO(PNG),
    )
    service.check_usable(session, inspector, [mine.id], ["body", "photo_ids"])
    with pytest.raises(Invalid):
        service.check_usable(session, inspector, [theirs.id], ["body", "photo_ids"])
    with pytest.raises(Invalid):
        service.check_usable(session, inspector, [mine.id, mine.id], ["body", "photo_ids"])
    with pytest.raises(Forbidden):
        service.store_upload(
            session=session,
            principal=who(session, world, "viewer"),
            settings=settings,
            filename="v.png",
            source=io.BytesIO(PNG),
        )
