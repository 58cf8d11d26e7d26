"""Generic REST tests, NetBox-style: a resource's test class declares its path, sample data and
filter cases, and inherits create/read/list/update/delete, permission and query-count tests.

Values in `filter_cases` and `q_cases` name world records by their key in `world.ids`; a
parameter value written "@key" is replaced by that record's id.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.protect import mask_for
from tests.factories import World

API = "/api/v1"
PROBLEM = "application/problem+json"
Expected = set[str] | int  # world keys of the records a list must return, or just a count


def assert_problem(r: Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["title"] and "detail" in body
    return body


def error_fields(body: dict[str, Any]) -> set[str]:
    """The field names a problem's `errors` point at (last element of each `loc`)."""
    return {str(e["loc"][-1]) for e in body.get("errors", []) if e.get("loc")}


def audit_rows(client: TestClient, w: World, entity: str, entity_id: int) -> list[dict[str, Any]]:
    """The audit log of one record, newest first, as the regulator admin reads it."""
    r = client.get(
        f"{API}/audit-log",
        params={"entity_type": entity, "entity_id": entity_id, "size": 500},
        headers=w.headers("reg_admin"),
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def resolve(w: World, value: Any) -> Any:
    if isinstance(value, list):
        return [resolve(w, v) for v in value]
    if isinstance(value, str) and value.startswith("@"):
        return w.ids[value[1:]]
    return value


def list_ids(client: TestClient, w: World, path: str, who: str, **params: Any) -> list[int]:
    r = client.get(f"{API}/{path}", params={"size": 500, **params}, headers=w.headers(who))
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["items"]]


@contextmanager
def count_statements(connection: Connection) -> Iterator[list[str]]:
    """SQL statements run on the test connection, savepoint bookkeeping left out (it differs
    between backends and is not a query)."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        head = statement.lstrip().split(None, 1)[0].upper()
        if head not in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", before)


class ResourceTests:
    """Mix into a `Test...` class and declare the attributes below."""

    path: ClassVar[str]  # under /api/v1
    entity: ClassVar[str]  # the audit log's entity_type
    service: ClassVar[Any]  # the domain's service, to make many records for the query count
    writer: ClassVar[str] = "reg_admin"
    non_writer: ClassVar[str] = "viewer"
    reader: ClassVar[str] = "reg_admin"  # sees every world record of this resource
    masked: ClassVar[frozenset[str]] = frozenset()  # echoed and audited masked
    virtual: ClassVar[frozenset[str]] = frozenset()  # input only: never echoed nor audited
    sort_field: ClassVar[str] = "id"
    filter_cases: ClassVar[list[tuple[dict[str, Any], Expected]]] = []
    q_cases: ClassVar[list[tuple[str, Expected]]] = []
    invalid_field: ClassVar[str]
    list_queries: ClassVar[int]  # pinned SQL statements for one list request

    # ---- what a resource declares ------------------------------------------------------
    def payload(self, w: World, n: int) -> dict[str, Any]:
        """The n-th valid create payload (n makes unique fields unique)."""
        raise NotImplementedError

    def update_payload(self, w: World) -> dict[str, Any]:
        raise NotImplementedError

    def invalid_payload(self, w: World) -> dict[str, Any]:
        """A create payload that fails validation on `invalid_field`."""
        raise NotImplementedError

    def make(self, session: Session, w: World, n: int) -> None:
        """One more record straight through the service (for the query count)."""
        self.service.create(session=session, principal=SYSTEM, data=self.payload(w, n))

    # ---- helpers -----------------------------------------------------------------------
    def url(self, item_id: int | None = None) -> str:
        return f"{API}/{self.path}" + (f"/{item_id}" if item_id is not None else "")

    def expected_echo(self, field: str, value: Any) -> Any:
        return mask_for(field, value) if field in self.masked else value

    def create(self, client: TestClient, w: World, n: int = 0) -> dict[str, Any]:
        r = client.post(self.url(), json=self.payload(w, n), headers=w.headers(self.writer))
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def expected_ids(self, w: World, expected: Expected) -> set[int] | int:
        return expected if isinstance(expected, int) else {w.ids[k] for k in expected}

    def check_list(
        self, client: TestClient, w: World, params: dict[str, Any], exp: Expected
    ) -> None:
        got = list_ids(client, w, self.path, self.reader, **params)
        want = self.expected_ids(w, exp)
        if isinstance(want, int):
            assert len(got) == want, f"{params}: {len(got)} records, expected {want}"
        else:
            assert set(got) == want, f"{params}: got {sorted(got)}, expected {sorted(want)}"

    # ---- create and read ---------------------------------------------------------------
    def test_create(self, client: TestClient, world: World) -> None:
        sent = self.payload(world, 0)
        body = self.create(client, world)
        for field, value in sent.items():
            if field in self.virtual:
                assert field not in body, f"{field} is echoed"
                continue
            assert body[field] == self.expected_echo(field, value), field
        rows = audit_rows(client, world, self.entity, body["id"])
        assert [row["action"] for row in rows] == ["create"]
        changes = rows[0]["changes"]
        assert rows[0]["actor_name"] == self.writer
        for field, value in sent.items():
            if field in self.virtual:
                assert field not in changes, f"{field} is in the audit log"
                continue
            assert changes[field] == [None, self.expected_echo(field, value)], field

    def test_read(self, client: TestClient, world: World) -> None:
        body = self.create(client, world)
        r = client.get(self.url(body["id"]), headers=world.headers(self.reader))
        assert r.status_code == 200, r.text
        assert r.json() == body

    # ---- lists -------------------------------------------------------------------------
    def test_list_pagination(self, client: TestClient, world: World) -> None:
        self.create(client, world)
        everything = list_ids(client, world, self.path, self.reader)
        assert len(everything) >= 2
        headers = world.headers(self.reader)
        pages = []
        for page in (1, 2):
            r = client.get(self.url(), params={"page": page, "size": 1}, headers=headers)
            assert r.status_code == 200, r.text
            data = r.json()
            assert (data["page"], data["size"], data["total"]) == (page, 1, len(everything))
            assert len(data["items"]) == 1
            pages.append(data["items"][0]["id"])
        assert pages == everything[:2]
        r = client.get(self.url(), params={"page": 999, "size": 10}, headers=headers)
        assert r.json()["items"] == [] and r.json()["total"] == len(everything)

    def test_list_sort(self, client: TestClient, world: World) -> None:
        self.create(client, world)
        headers = world.headers(self.reader)
        field = self.sort_field
        values = {}
        for direction in ("", "-"):
            r = client.get(
                self.url(), params={"sort": direction + field, "size": 500}, headers=headers
            )
            assert r.status_code == 200, r.text
            values[direction] = [item[field] for item in r.json()["items"]]
        assert len(set(values[""])) >= 2, "sort test needs distinct values"
        assert values[""] == sorted(values[""])
        assert values["-"] == sorted(values[""], reverse=True)

    def test_list_filters(self, client: TestClient, world: World) -> None:
        assert self.filter_cases, "declare filter_cases"
        for params, expected in self.filter_cases:
            self.check_list(
                client, world, {k: resolve(world, v) for k, v in params.items()}, expected
            )

    def test_list_search(self, client: TestClient, world: World) -> None:
        if not self.q_cases:
            pytest.skip(f"{self.path} has no free-text search")
        for q, expected in self.q_cases:
            self.check_list(client, world, {"q": q}, expected)

    def test_unknown_sort_field(self, client: TestClient, world: World) -> None:
        r = client.get(
            self.url(), params={"sort": "-no_such_field"}, headers=world.headers(self.reader)
        )
        body = assert_problem(r, 422)
        assert "no_such_field" in body["detail"]
        assert "sort" in error_fields(body)

    def test_list_query_count(
        self, client: TestClient, world: World, session: Session, connection: Connection
    ) -> None:
        """No query per row: a page of 20 costs the same statements as a page of 2."""
        for n in range(1, 23):
            self.make(session, world, n)
        session.flush()
        headers = world.headers(self.reader)
        client.get(self.url(), params={"size": 1}, headers=headers)  # token's last_used_at
        counts = {}
        for size in (2, 20):
            with count_statements(connection) as seen:
                r = client.get(self.url(), params={"size": size, "sort": "-id"}, headers=headers)
            assert r.status_code == 200, r.text
            assert len(r.json()["items"]) == size
            counts[size] = len(seen)
        assert counts[2] == counts[20], counts
        assert counts[20] == self.list_queries, f"pinned {self.list_queries}, now {counts[20]}"

    # ---- update and delete -------------------------------------------------------------
    def test_update(self, client: TestClient, world: World) -> None:
        before = self.create(client, world)
        change = self.update_payload(world)
        headers = world.headers(self.writer)
        r = client.patch(self.url(before["id"]), json=change, headers=headers)
        assert r.status_code == 200, r.text
        after = r.json()
        for field, value in change.items():
            assert after[field] == self.expected_echo(field, value), field
        rows = audit_rows(client, world, self.entity, before["id"])
        assert [row["action"] for row in rows] == ["update", "create"]
        changed = {f for f in change if before[f] != after[f]}
        assert changed, "the update payload must change something"
        assert set(rows[0]["changes"]) == changed
        for field in changed:
            assert rows[0]["changes"][field] == [before[field], after[field]], field
        # The same PATCH again changes nothing, and writes no audit row.
        r = client.patch(self.url(before["id"]), json=change, headers=headers)
        assert r.status_code == 200, r.text
        assert len(audit_rows(client, world, self.entity, before["id"])) == 2

    def test_delete(self, client: TestClient, world: World) -> None:
        body = self.create(client, world)
        headers = world.headers(self.writer)
        r = client.delete(self.url(body["id"]), headers=headers)
        assert r.status_code == 204, r.text
        assert_problem(client.get(self.url(body["id"]), headers=headers), 404)
        rows = audit_rows(client, world, self.entity, body["id"])
        assert [row["action"] for row in rows] == ["delete", "create"]
        gone = rows[0]["changes"]
        assert gone["id"] == [body["id"], None]
        for field, value in self.payload(world, 0).items():
            if field not in self.virtual:
                assert gone[field] == [self.expected_echo(field, value), None], field

    # ---- errors ------------------------------------------------------------------------
    def test_validation_error(self, client: TestClient, world: World) -> None:
        r = client.post(
            self.url(), json=self.invalid_payload(world), headers=world.headers(self.writer)
        )
        body = assert_problem(r, 422)
        assert self.invalid_field in error_fields(body), body

    def test_unknown_id(self, client: TestClient, world: World) -> None:
        headers = world.headers(self.writer)
        missing = self.url(987654321)
        assert_problem(client.get(missing, headers=headers), 404)
        assert_problem(client.patch(missing, json=self.update_payload(world), headers=headers), 404)
        assert_problem(client.delete(missing, headers=headers), 404)

    def test_no_credentials(self, client: TestClient, world: World) -> None:
        assert_problem(client.get(self.url()), 401)
        assert_problem(client.post(self.url(), json=self.payload(world, 0)), 401)
        bad = {"Authorization": "Bearer gw_not-a-token"}
        assert_problem(client.get(self.url(), headers=bad), 401)

    def test_role_without_write_permission(self, client: TestClient, world: World) -> None:
        headers = world.headers(self.non_writer)
        r = client.post(self.url(), json=self.payload(world, 0), headers=headers)
        assert_problem(r, 403)
        body = self.create(client, world)
        # The record is readable to this role, but not writable.
        assert client.get(self.url(body["id"]), headers=headers).status_code == 200
        r = client.patch(self.url(body["id"]), json=self.update_payload(world), headers=headers)
        assert_problem(r, 403)
        assert_problem(client.delete(self.url(body["id"]), headers=headers), 403)
