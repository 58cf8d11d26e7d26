"""/api/v1/hazards: list, read with the whole timeline, report, and one POST per step of the
loop; /api/v1/hazards/comparison (self-inspection vs inspectors); /api/v1/alarms/{id}/hazard
(alarm -> hazard); /api/v1/enterprise-systems (规章制度). Nothing is deleted: no DELETE route.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import create_model
from sqlalchemy.orm import Session

from gaswarden.core.api import split_query
from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.pagination import PageParams
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.attachment.links import attached
from gaswarden.domains.hazard import api_stats, comparison, flows, service, systems
from gaswarden.domains.hazard.enums import SystemKind
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.schemas import (
    AlarmToHazard,
    ComparisonReport,
    ComparisonRow,
    EnterpriseSystems,
    HazardAssign,
    HazardDeadline,
    HazardDetail,
    HazardEventRead,
    HazardNote,
    HazardPage,
    HazardPlan,
    HazardRead,
    HazardRectification,
    HazardReopen,
    HazardReport,
    ImprovedCount,
    PlanRead,
    RectificationRead,
    SystemPut,
    SystemRead,
)
from gaswarden.domains.hazard.workflow import allowed_steps
from gaswarden.standards.hazards import SELF_INSPECTION_RATIO_FLAG

router = APIRouter()
TAG = "hazards"
HazardQuery: Any = create_model(
    "HazardQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in service.FILTERS.filters},  # type: ignore[call-overload]
)


def _read(hazard: Hazard) -> HazardRead:
    owner = hazard.owner
    return HazardRead.model_validate(hazard).model_copy(
        update={"owner_name": owner.name if owner else None}
    )


def _detail(session: Session, principal: Principal, hazard: Hazard) -> HazardDetail:
    """The hazard with its timeline, plan, rounds and files, and the caller's next steps."""
    session.flush()
    session.expire(hazard, ["plan", "rectifications"])  # as they are after the step
    rects = list(hazard.rectifications)
    files: dict[int, list[int]] = {}
    for a in attached(session, "rectification", [r.id for r in rects]):
        files.setdefault(a.entity_id or 0, []).append(a.id)
    steps: list[str] = []
    if principal.scope_kind is ScopeKind.ALL or principal.role is not None:
        role = None if principal.scope_kind is ScopeKind.ALL else principal.role
        steps = [s.value for s in allowed_steps(hazard.status, hazard.grade, role)]
    return HazardDetail(
        **_read(hazard).model_dump(),
        timeline=[
            HazardEventRead.model_validate(e)
            for e in service.timeline(session=session, hazard=hazard)
        ],
        plan=PlanRead.model_validate(hazard.plan) if hazard.plan else None,
        rectifications=[
            RectificationRead.model_validate(r).model_copy(
                update={"photo_ids": files.get(r.id, [])}
            )
            for r in rects
        ],
        photo_ids=[a.id for a in attached(session, "hazard", [hazard.id])],
        allowed_steps=steps,
    )


# ---- reads --------------------------------------------------------------------------------------
@router.get("/hazards", response_model=HazardPage, tags=[TAG], summary="List hazards 隐患列表")
def list_hazards(
    query: Annotated[HazardQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> HazardPage:
    params, filters = split_query(query)
    page = service.get_all(session=session, principal=principal, params=params, filters=filters)
    return HazardPage(
        items=[_read(h) for h in page.items], total=page.total, page=page.page, size=page.size
    )


@router.get(
    "/hazards/comparison",
    response_model=ComparisonReport,
    tags=[TAG],
    summary="Self-inspection vs inspectors' findings 企业自查与检查对比",
)
def compare(
    since: date,
    until: date,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    owner_id: int | None = None,
) -> ComparisonReport:
    rows = comparison.compare(
        session=session,
        principal=principal,
        since=since,
        until=until,
        owner_id=owner_id,
        tz=settings.timezone,
    )
    return ComparisonReport(
        since=since,
        until=until,
        ratio_flag=SELF_INSPECTION_RATIO_FLAG,
        rows=[
            ComparisonRow(
                owner_id=r.owner_id,
                owner_name=r.owner_name,
                site_id=r.site_id,
                site_name=r.site_name,
                self_inspections=r.self_inspections,
                self_hazards=r.self_hazards,
                self_rate=r.self_rate,
                other_inspections=r.other_inspections,
                other_hazards=r.other_hazards,
                other_rate=r.other_rate,
                ratio=r.ratio,
                flagged=r.flagged,
            )
            for r in rows
        ],
    )


@router.get("/hazards/{hazard_id}", response_model=HazardDetail, tags=[TAG])
def read_hazard(hazard_id: int, session: SessionDep, principal: PrincipalDep) -> HazardDetail:
    hazard = service.get(session=session, principal=principal, id=hazard_id)
    return _detail(session, principal, hazard)


# ---- report and the steps -----------------------------------------------------------------------
@router.post(
    "/hazards",
    response_model=HazardDetail,
    status_code=status.HTTP_201_CREATED,
    tags=[TAG],
    summary="Report a hazard 上报隐患",
)
def report(
    body: HazardReport, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> HazardDetail:
    hazard = service.report(
        session=session,
        principal=principal,
        source=body.source,
        grade=body.grade,
        category=body.category,
        title=body.title,
        description=body.description,
        site_id=body.site_id,
        owner_id=body.owner_id,
        area_id=body.area_id,
        address=body.address,
        lon=body.lon,
        lat=body.lat,
        found_at=body.found_at,
        deadline=body.deadline,
        item_code=body.item_code,
        photo_ids=body.photo_ids,
        assign=body.assign,
        note=body.note,
        tz=settings.timezone,
    )
    return _detail(session, principal, hazard)


@router.post("/hazards/{hazard_id}/assign", response_model=HazardDetail, tags=[TAG])
def assign(
    hazard_id: int, body: HazardAssign, session: SessionDep, principal: PrincipalDep
) -> HazardDetail:
    hazard = service.assign(
        session=session, principal=principal, id=hazard_id, org_id=body.org_id, note=body.note
    )
    return _detail(session, principal, hazard)


@router.post("/hazards/{hazard_id}/plan", response_model=HazardDetail, tags=[TAG])
def plan(
    hazard_id: int, body: HazardPlan, session: SessionDep, principal: PrincipalDep
) -> HazardDetail:
    hazard = service.submit_plan(
        session=session,
        principal=principal,
        id=hazard_id,
        measures=body.measures,
        responsible_person=body.responsible_person,
        deadline=body.deadline,
        interim_measures=body.interim_measures,
        funds_yuan=body.funds_yuan,
        note=body.note,
    )
    return _detail(session, principal, hazard)


@router.post("/hazards/{hazard_id}/start", response_model=HazardDetail, tags=[TAG])
def start(
    hazard_id: int, body: HazardNote, session: SessionDep, principal: PrincipalDep
) -> HazardDetail:
    hazard = service.start(session=session, principal=principal, id=hazard_id, note=body.note)
    return _detail(session, principal, hazard)


@router.post("/hazards/{hazard_id}/rectification", response_model=HazardDetail, tags=[TAG])
def submit(
    hazard_id: int, body: HazardRectification, session: SessionDep, principal: PrincipalDep
) -> HazardDetail:
    service.submit(
        session=session,
        principal=principal,
        id=hazard_id,
        description=body.description,
        photo_ids=body.photo_ids,
    )
    hazard = service.get(session=session, principal=principal, id=hazard_id)
    return _detail(session, principal, hazard)


@router.post("/hazards/{hazard_id}/verify", response_model=HazardDetail, tags=[TAG])
def verify(
    hazard_id: int,
    body: HazardNote,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> HazardDetail:
    hazard = service.verify(
        session=session, principal=principal, id=hazard_id, note=body.note, tz=settings.timezone
    )
    return _detail(session, principal, hazard)


@router.post("/hazards/{hazard_id}/return", response_model=HazardDetail, tags=[TAG])
def send_back(
    hazard_id: int, body: HazardNote, session: SessionDep, principal: PrincipalDep
) -> HazardDetail:
    hazard = service.send_back(
        session=session, principal=principal, id=hazard_id, note=body.note or ""
    )
    return _detail(session, principal, hazard)


@router.post("/hazards/{hazard_id}/reopen", response_model=HazardDetail, tags=[TAG])
def reopen(
    hazard_id: int, body: HazardReopen, session: SessionDep, principal: PrincipalDep
) -> HazardDetail:
    hazard = service.reopen(
        session=session,
        principal=principal,
        id=hazard_id,
        note=body.note or "",
        deadline=body.deadline,
    )
    return _detail(session, principal, hazard)


@router.post("/hazards/{hazard_id}/deadline", response_model=HazardDetail, tags=[TAG])
def change_deadline(
    hazard_id: int,
    body: HazardDeadline,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> HazardDetail:
    hazard = service.change_deadline(
        session=session,
        principal=principal,
        id=hazard_id,
        deadline=body.deadline,
        note=body.note or "",
        tz=settings.timezone,
    )
    return _detail(session, principal, hazard)


@router.post("/hazards/{hazard_id}/comments", response_model=HazardDetail, tags=[TAG])
def add_comment(
    hazard_id: int, body: HazardNote, session: SessionDep, principal: PrincipalDep
) -> HazardDetail:
    service.comment(session=session, principal=principal, id=hazard_id, note=body.note or "")
    hazard = service.get(session=session, principal=principal, id=hazard_id)
    return _detail(session, principal, hazard)


# ---- alarm -> hazard ----------------------------------------------------------------------------
@router.post(
    "/alarms/{alarm_id}/hazard",
    response_model=HazardDetail,
    status_code=status.HTTP_201_CREATED,
    tags=[TAG, "alarms"],
    summary="Turn a resolved alarm into a hazard 报警转隐患",
)
def alarm_to_hazard(
    alarm_id: int,
    body: AlarmToHazard,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> HazardDetail:
    hazard = flows.alarm_to_hazard(
        session=session,
        principal=principal,
        alarm_id=alarm_id,
        grade=body.grade,
        category=body.category,
        title=body.title,
        description=body.description,
        photo_ids=body.photo_ids,
        deadline=body.deadline,
        note=body.note,
        assign=body.assign,
        tz=settings.timezone,
    )
    return _detail(session, principal, hazard)


# ---- enterprise systems (规章制度) ----------------------------------------------------------
SYSTEMS_TAG = "enterprise systems"


def _systems(org: Any, views: list[systems.SystemView]) -> EnterpriseSystems:
    rows = [SystemRead.model_validate(v.as_dict()) for v in views]
    return EnterpriseSystems(
        org_id=org.id,
        org_name=org.name,
        systems=rows,
        missing=sum(1 for r in rows if r.status is not None and r.status.value == "missing"),
        improved=sum(1 for r in rows if r.status is not None and r.status.value == "improved"),
        not_recorded=sum(1 for r in rows if r.status is None),
    )


@router.get(
    "/enterprise-systems",
    response_model=list[EnterpriseSystems],
    tags=[SYSTEMS_TAG],
    summary="Required systems per enterprise 企业规章制度",
)
def list_systems(
    session: SessionDep, principal: PrincipalDep, org_id: int | None = None
) -> list[EnterpriseSystems]:
    found = systems.for_enterprises(session=session, principal=principal, org_id=org_id)
    return [_systems(org, views) for org, views in found]


@router.get("/enterprise-systems/improved", response_model=ImprovedCount, tags=[SYSTEMS_TAG])
def improved(
    session: SessionDep,
    principal: PrincipalDep,
    since: date | None = None,
    until: date | None = None,
    org_id: int | None = None,
) -> ImprovedCount:
    n = systems.improved_count(
        session=session, principal=principal, since=since, until=until, org_id=org_id
    )
    return ImprovedCount(improved=n, since=since, until=until)


@router.get("/enterprise-systems/{org_id}", response_model=EnterpriseSystems, tags=[SYSTEMS_TAG])
def read_systems(org_id: int, session: SessionDep, principal: PrincipalDep) -> EnterpriseSystems:
    ((org, views),) = systems.for_enterprises(session=session, principal=principal, org_id=org_id)
    return _systems(org, views)


@router.put(
    "/enterprise-systems/{org_id}/{kind}", response_model=EnterpriseSystems, tags=[SYSTEMS_TAG]
)
def put_system(
    org_id: int,
    kind: SystemKind,
    body: SystemPut,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> EnterpriseSystems:
    systems.put(
        session=session,
        principal=principal,
        org_id=org_id,
        kind=kind,
        status=body.status,
        document=body.document,
        adopted_on=body.adopted_on,
        improved_on=body.improved_on,
        note=body.note,
        tz=settings.timezone,
    )
    ((org, views),) = systems.for_enterprises(session=session, principal=principal, org_id=org_id)
    return _systems(org, views)


router.include_router(api_stats.router)
