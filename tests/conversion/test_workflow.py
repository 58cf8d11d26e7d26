"""The steps of a conversion through the API: the whole way to connected, refusals with their
reasons, cancellation, and the steps refused from the wrong state (409) or without what they
need (422), each step an event and an audit row."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.conversion.workflow import MOVES, Step
from tests.conversion.helpers import apply, make_package, make_table, step, walk_to
from tests.factories import World

FOLLOWING = {
    "applied": ("survey", {"main_distance_m": 10}),
    "surveyed": ("quote", {}),
    "quoted": ("contract", {}),
    "contracted": ("start", {}),
    "constructing": ("connect", {}),
}


def test_from_application_to_connection(client: TestClient, world: World, session: Session) -> None:
    make_table(client, world)
    make_package(client, world)
    app = apply(client, world)
    assert app["status"] == "applied"
    walk_to(client, world, app["id"], "constructing")
    r = step(client, world, app["id"], "connect", note="点火通气正常")
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "connected"
    assert done["connected_at"] is not None
    kinds = [e["kind"] for e in done["timeline"]]
    assert kinds == ["applied", "surveyed", "quoted", "contracted", "works_started", "connected"]
    moves = [(e["from_status"], e["to_status"]) for e in done["timeline"][1:]]
    assert moves == [
        ("applied", "surveyed"),
        ("surveyed", "quoted"),
        ("quoted", "contracted"),
        ("contracted", "constructing"),
        ("constructing", "connected"),
    ]
    actions = session.scalars(
        select(AuditEntry.action)
        .where(
            AuditEntry.entity_type == "conversion_application", AuditEntry.entity_id == app["id"]
        )
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [f"conversion_{k}" for k in kinds]


@pytest.mark.parametrize("status", ["applied", "surveyed", "quoted", "contracted", "constructing"])
def test_illegal_steps_are_refused_with_the_reason(
    client: TestClient, world: World, status: str
) -> None:
    make_table(client, world)
    app = apply(client, world)
    if status != "applied":
        walk_to(client, world, app["id"], status)
    allowed = {s.value for s, move in MOVES.items() if status in move.sources}
    for name in ("survey", "quote", "contract", "start", "connect"):
        if name in allowed:
            continue
        data = {"main_distance_m": 5} if name == "survey" else {"note": "x"}
        r = step(client, world, app["id"], name, **data)
        assert r.status_code == 409, (status, name, r.text)
        assert f"cannot {name} a conversion that is {status}" in r.json()["detail"]
    name, data = FOLLOWING[status]
    assert step(client, world, app["id"], name, **data).status_code == 200


def test_refused_with_a_reason_and_then_closed(client: TestClient, world: World) -> None:
    app = apply(client, world)
    r = step(client, world, app["id"], "refuse", reason="other")
    assert r.status_code == 422  # "other" says why
    r = step(client, world, app["id"], "refuse", reason="building_unsafe", note="危房")
    assert r.status_code == 200
    got = r.json()
    assert (got["status"], got["refusal_reason"], got["refusal_note"]) == (
        "refused",
        "building_unsafe",
        "危房",
    )
    assert got["closed_at"] is not None
    assert got["timeline"][-1]["data"] == {"reason": "building_unsafe"}
    for name, data in (
        ("survey", {"main_distance_m": 5}),
        ("refuse", {"reason": "other", "note": "again"}),
        ("cancel", {"note": "again"}),
    ):
        assert step(client, world, app["id"], name, **data).status_code == 409
    # a note may still be added to a closed application
    assert step(client, world, app["id"], "note", note="住户已知悉").status_code == 200


def test_cancel_needs_a_reason(client: TestClient, world: World) -> None:
    make_table(client, world)
    app = apply(client, world)
    walk_to(client, world, app["id"], "quoted")
    assert step(client, world, app["id"], "cancel").status_code == 422
    r = step(client, world, app["id"], "cancel", note="住户撤回申请")
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    # cancelled: the same ID number may apply again
    assert apply(client, world)["status"] == "applied"


def test_the_survey_refuses_a_household_too_far_from_a_main(
    client: TestClient, world: World
) -> None:
    app = apply(client, world)
    r = step(client, world, app["id"], "survey", main_distance_m=135.2)
    assert r.status_code == 200
    got = r.json()
    assert got["status"] == "refused"
    assert got["refusal_reason"] == "too_far_from_main"
    assert (got["main_distance_m"], got["main_distance_source"], got["eligible"]) == (
        135.2,
        "survey",
        False,
    )
    assert [e["kind"] for e in got["timeline"]] == ["applied", "surveyed", "refused"]
    assert "135.2 m" in got["refusal_note"]


def test_the_survey_records_a_refusal_found_on_site(client: TestClient, world: World) -> None:
    app = apply(client, world)
    r = step(
        client, world, app["id"], "survey", refusal_reason="basement_use", survey_note="地下室"
    )
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["refusal_reason"]) == ("refused", "basement_use")
    # a survey without a network model needs the measured distance
    other = apply(client, world, applicant_id_number=None, household_kind="catering")
    r = step(client, world, other["id"], "survey", survey_note="看过了")
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "main_distance_m"]


def test_only_the_pipeline_companys_staff_take_the_steps(client: TestClient, world: World) -> None:
    app = apply(client, world)
    assert (
        step(client, world, app["id"], "survey", "reg_admin", main_distance_m=5).status_code == 403
    )
    assert (
        step(client, world, app["id"], "survey", "grid_sup", main_distance_m=5).status_code == 403
    )
    assert (
        step(client, world, app["id"], "survey", "ent_b_admin", main_distance_m=5).status_code
        == 404
    )
    assert (
        step(client, world, app["id"], "survey", "ent_a_admin", main_distance_m=5).status_code
        == 200
    )


def test_every_step_is_in_the_workflow() -> None:
    assert set(MOVES) == set(Step)
    assert all(move.sources for move in MOVES.values())
