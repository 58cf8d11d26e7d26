"""The big-database queries reach for their indexes (PostgreSQL): what keeps the overdue list,
a timeline and a recall fast at a city's size (`gaswarden bench cylinders` measures them)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.cylinder import fleet
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
