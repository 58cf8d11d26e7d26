"""Self-inspection against the inspectors at the same sites, with inspections made directly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.domains.hazard import comparison
from gaswarden.domains.hazard.enums import HazardSource
from gaswarden.domains.inspection.enums import ChecklistTarget, InspectionKind
from gaswarden.domains.inspection.models import ChecklistTemplate, ChecklistVersion, Inspection
from gaswarden.domains.site.models import Site
from gaswarden.standards.hazards import SELF_INSPECTION_RATIO_FLAG
from tests.factories import World
from tests.hazard.helpers import who
from tests.hazard.loop import new_hazard

_serial = count(1)


def version(session: Session) -> int:
    n = next(_serial)
    template = ChecklistTemplate(
        code=f"T-CMP-{n}", name="门站检查表", target=ChecklistTarget.GATE_STATION
    )
    session.add(template)
    session.flush()
    v = ChecklistVersion(template_id=template.id, number=1, published_at=datetime.now(UTC))
    session.add(v)
    session.flush()
    return v.id


def inspect(
    session: Session,
    world: World,
    site: str,
    kind: InspectionKind,
    when: datetime,
    found: int,
    version_id: int,
) -> Inspection:
    s = session.get(Site, world.ids[site])
    assert s is not None
    i = Inspection(
        client_id=f"cmp-{next(_serial)}",
        site_id=s.id,
        site_kind=s.kind,
        kind=kind,
        version_id=version_id,
        inspector_name="tester",
        owner_id=s.owner_id,
        area_id=s.area_id,
        inspected_at=when,
        submitted_at=when,
        n_fail=found,
    )
    session.add(i)
    session.flush()
    by = "ent_a_staff" if s.owner_id == world.ids["ent_a"] else "ent_b_admin"
    by = by if kind is InspectionKind.SELF else "reg_staff"
    for k in range(found):
        new_hazard(
            session,
            world,
            site=site,
            by=by,
            inspection_id=i.id,
            item_code=f"I-{i.id}-{k}",
            source=HazardSource.INSPECTION,
        )
    return i


MARCH = datetime(2026, 3, 10, 2, tzinfo=UTC)


def test_enterprise_finding_far_less_is_flagged(session: Session, world: World) -> None:
    v = version(session)
    # ent_a at the gate: 4 self-inspections found 1; agencies twice found 4 -> 0.25 vs 2.0.
    for found in (1, 0, 0, 0):
        inspect(session, world, "gate", InspectionKind.SELF, MARCH, found, v)
    inspect(session, world, "gate", InspectionKind.THIRD_PARTY, MARCH, 3, v)
    inspect(session, world, "gate", InspectionKind.SPOT_CHECK, MARCH, 1, v)
    # ent_a at the box: its own inspection found as much as the regulator's.
    inspect(session, world, "box", InspectionKind.SELF, MARCH, 2, v)
    inspect(session, world, "box", InspectionKind.ENFORCEMENT, MARCH, 2, v)
    # ent_b at the filling station: inspectors found nothing, nothing to flag.
    inspect(session, world, "filling", InspectionKind.JOINT, MARCH, 0, v)
    # ent_b at the supply station: never inspected itself, inspectors found one.
    inspect(session, world, "supply", InspectionKind.THIRD_PARTY, MARCH, 1, v)
    # Outside the period.
    inspect(
        session, world, "box", InspectionKind.THIRD_PARTY, datetime(2026, 5, 1, tzinfo=UTC), 9, v
    )

    rows = comparison.compare(
        session=session,
        principal=who(session, world, "reg_staff"),
        since=date(2026, 3, 1),
        until=date(2026, 3, 31),
    )
    by = {(r.owner_id, r.site_id): r for r in rows}
    gate = by[(world.ids["ent_a"], world.ids["gate"])]
    assert (gate.self_inspections, gate.self_hazards) == (4, 1)
    assert (gate.other_inspections, gate.other_hazards) == (2, 4)
    assert gate.self_rate == 0.25 and gate.other_rate == 2.0 and gate.ratio == 0.125
    assert gate.ratio < SELF_INSPECTION_RATIO_FLAG and gate.flagged
    box = by[(world.ids["ent_a"], world.ids["box"])]
    assert (box.other_inspections, box.other_hazards) == (1, 2) and not box.flagged
    ent_a = by[(world.ids["ent_a"], None)]
    assert (ent_a.self_inspections, ent_a.self_hazards) == (5, 3)
    assert (ent_a.other_inspections, ent_a.other_hazards) == (3, 6)
    assert ent_a.flagged  # 0.6 per inspection against 2.0
    filling = by[(world.ids["ent_b"], world.ids["filling"])]
    assert not filling.flagged and filling.other_rate == 0.0
    supply = by[(world.ids["ent_b"], world.ids["supply"])]
    assert supply.self_rate is None and supply.flagged
    # Each enterprise's total comes before its sites.
    assert next(r.site_id for r in rows if r.owner_id == world.ids["ent_a"]) is None

    # The period's ends are local days: an inspection at 23:30 on 31 March in Shanghai counts.
    late = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
    inspect(session, world, "filling", InspectionKind.SELF, late, 0, v)
    rows = comparison.compare(
        session=session,
        principal=who(session, world, "reg_staff"),
        since=date(2026, 3, 1),
        until=date(2026, 3, 31),
    )
    filling = next(r for r in rows if r.site_id == world.ids["filling"])
    assert filling.self_inspections == 1


def test_comparison_is_scoped_and_served(
    client: TestClient, session: Session, world: World
) -> None:
    v = version(session)
    inspect(session, world, "gate", InspectionKind.THIRD_PARTY, MARCH, 2, v)
    inspect(session, world, "filling", InspectionKind.THIRD_PARTY, MARCH, 1, v)
    session.flush()
    url = "/api/v1/hazards/comparison"
    q = {"since": "2026-03-01", "until": "2026-03-31"}
    r = client.get(url, params=q, headers=world.headers("reg_admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ratio_flag"] == SELF_INSPECTION_RATIO_FLAG
    assert {row["owner_id"] for row in body["rows"]} == {world.ids["ent_a"], world.ids["ent_b"]}
    flagged = [row for row in body["rows"] if row["flagged"] and row["site_id"] is not None]
    assert {row["site_id"] for row in flagged} == {world.ids["gate"], world.ids["filling"]}
    mine = client.get(url, params=q, headers=world.headers("ent_b_admin")).json()["rows"]
    assert {row["owner_id"] for row in mine} == {world.ids["ent_b"]}
    agency = client.get(url, params=q, headers=world.headers("inspector")).json()["rows"]
    assert {row["site_id"] for row in agency} == {None, world.ids["gate"]}
    bad = client.get(
        url,
        params={"since": "2026-03-31", "until": "2026-03-01"},
        headers=world.headers("reg_admin"),
    )
    assert bad.status_code == 422
    assert (
        client.get(
            url, params={"since": "2026-03-01"}, headers=world.headers("reg_admin")
        ).status_code
        == 422
    )
