"""The big-database queries reach for their indexes (PostgreSQL): what keeps the overdue list,
a timeline and a recall fast at a city's size (`gaswarden bench cylinders` measures them)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.cylinder import fleet, lookups
from gaswarden.domains.cylinder.enums import CylinderStatus, EventKind
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent
from gaswarden.domains.cylinder.scope import cylinder_scope
from tests.cylinder.lpg import TODAY, build_lpg
from tests.factories import World


def plan(session: Session, stmt: object) -> str:
    compiled = stmt.compile(  # type: ignore[attr-defined]
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    session.execute(text("SET LOCAL enable_seqscan = off"))  # a test table is tiny
    rows = session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
    return "\n".join(rows)


@pytest.fixture
def pg(session: Session) -> Session:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    return session


def test_the_overdue_list_reads_its_partial_expression_index(pg: Session, world: World) -> None:
    build_lpg(pg, world)
    pg.execute(
        Cylinder.__table__.update()
        .where(Cylinder.tag_code == "LPG-T-OVERDUE")
        .values(status=CylinderStatus.WITH_USER)
    )
    where = (fleet.overdue_condition(TODAY), cylinder_scope(SYSTEM))
    stmt = select(Cylinder.id).where(*where).order_by(fleet.recover_by(), Cylinder.id).limit(50)
    assert "ix_cylinder_user_recover_by" in plan(pg, stmt)
    page = fleet.overdue_with_users(session=pg, principal=SYSTEM, today=TODAY)
    assert [r.cylinder.tag_code for r in page.items] == ["LPG-T-OVERDUE"]
    assert page.total == pg.scalar(select(func.count()).where(*where)) == 1


def test_timeline_and_recall_read_their_indexes(pg: Session, world: World) -> None:
    build_lpg(pg, world)
    timeline = select(CylinderEvent.id).where(CylinderEvent.cylinder_id == 1)
    assert "ix_cylinder_event_timeline" in plan(pg, timeline)
    fills = select(CylinderEvent.id).where(
        CylinderEvent.batch_id == 1, CylinderEvent.kind == EventKind.FILL
    )
    assert "ix_cylinder_event_batch" in plan(pg, fills)
    carried = select(CylinderEvent.id).where(CylinderEvent.fill_event_id.in_([1, 2]))
    assert "ix_cylinder_event_fill" in plan(pg, carried)


def test_late_scans_timelines_probe_the_index_whatever_the_statistics(
    pg: Session, world: World
) -> None:
    """The late cylinders' timelines (lookups.timelines): one index probe a cylinder, also
    with the statistics of a table analysed nearly empty that grew since (as in a bulk load's
    first minutes, before autovacuum analyses it). Flattened, the planner joined the arrays to
    a parallel scan of the whole table (seen at 3 million scans)."""
    build_lpg(pg, world)
    pg.execute(text("ANALYZE cylinder_event"))
    pg.execute(
        text(
            "INSERT INTO cylinder_event (key, org_id, kind, result, tag_code, cylinder_id,"
            " occurred_at, received_at, username) SELECT 'plan-' || n, 1, 'fill', 'accepted',"
            " 'X', n % 100000, now() - n * interval '1 second', now(), 'u'"
            " FROM generate_series(1, 300000) n"
        )
    )
    query = lookups._PG_TIMELINES.replace("%b::int4[]", "'{1,2,3}'::int4[]").replace(
        "%b::timestamptz[]", "ARRAY[now(), now(), now()]"
    )
    shown = "\n".join(pg.execute(text(f"EXPLAIN {query}")).scalars())
    assert "Seq Scan on cylinder_event" not in shown, shown
    assert "Index Cond: (cylinder_id = l.cid)" in shown, shown


def test_late_scans_timelines_leave_the_time_index_alone(pg: Session, world: World) -> None:
    """With fresh statistics of a big table, a condition on occurred_at in a cylinder's probe
    let the planner AND the timeline index with the time index (BRIN): a lossy bitmap of a
    large part of the table for each late cylinder (~0.35 ms against ~0.03 ms a cylinder at a
    million scans). The timelines take one pass over each cylinder's scans instead."""
    build_lpg(pg, world)
    pg.execute(
        text(
            "INSERT INTO cylinder_event (key, org_id, kind, result, tag_code, cylinder_id,"
            " occurred_at, received_at, username) SELECT 'brin-' || n, 1, 'fill', 'accepted',"
            " 'X', n % 50000, timestamptz '2026-01-01' + n * interval '10 seconds', now(), 'u'"
            " FROM generate_series(1, 300000) n"
        )
    )
    pg.execute(text("ANALYZE cylinder_event"))
    query = lookups._PG_TIMELINES.replace("%b::int4[]", "'{1,2,3}'::int4[]").replace(
        "%b::timestamptz[]", "ARRAY[timestamptz '2026-01-20', '2026-01-21', '2026-01-22']"
    )
    shown = "\n".join(pg.execute(text(f"EXPLAIN {query}")).scalars())
    assert not re.search(r"ix_cylinder_event_time\b", shown), shown
    assert "Index Cond: (cylinder_id = l.cid)" in shown, shown
