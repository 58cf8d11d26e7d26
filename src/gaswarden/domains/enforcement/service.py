"""Law-enforcement cases (执法案件) in the caller's scope, and their steps: open (立案) ->
investigate (调查取证) -> decide (作出决定) -> execute (执行) -> close (结案). Flush, never commit.

The moves are data in `workflow.MOVES`; regulators write, others read in scope (`scope.py`).
An executed closure (关停取缔) puts the place under watch: see `watch.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.core.pagination import Page, PageParams
from gaswarden.core.schemas import check_id_number, check_phone
from gaswarden.core.scope import located
from gaswarden.db.base import utcnow
from gaswarden.domains.alarm.service import AreaFilter
from gaswarden.domains.area.models import Area
from gaswarden.domains.attachment.links import attached, link
from gaswarden.domains.attachment.models import Attachment
from gaswarden.domains.audit import service as audit
from gaswarden.domains.enforcement.enums import (
    CaseEventKind,
    CaseSource,
    CaseStatus,
    ClosureKind,
    Decision,
    PartyKind,
)
from gaswarden.domains.enforcement.models import CaseEvent, EnforcementCase, SiteActivity
from gaswarden.domains.enforcement.scope import case_scope
from gaswarden.domains.enforcement.timeline import ENTITY, record
from gaswarden.domains.enforcement.workflow import MOVES, WRITERS, Step
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.scope import hazard_scope
from gaswarden.domains.inspection.models import Inspection
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.enums import SiteStatus
from gaswarden.domains.site.models import Site
from gaswarden.domains.site.service import locate
from gaswarden.domains.site.service import service as sites

EVIDENCE_ROLE = "evidence"

FILTERS = FilterSet(
    filters=(
        Filter("status", EnforcementCase.status, choices=CaseStatus, zh="状态", en="Status"),
        Filter("source", EnforcementCase.source, choices=CaseSource, zh="案件来源", en="Source"),
        Filter("decision", EnforcementCase.decision, choices=Decision, zh="决定", en="Decision"),
        Filter(
            "closure_kind",
            EnforcementCase.closure_kind,
            choices=ClosureKind,
            zh="取缔类型",
            en="Closure kind",
        ),
        Filter(
            "party_kind", EnforcementCase.party_kind, choices=PartyKind, zh="当事人", en="Party"
        ),
        AreaFilter(
            "area_id", EnforcementCase.area_id, type=int, zh="区域(含下级)", en="Area (and below)"
        ),
        Filter("owner_id", EnforcementCase.owner_id, type=int, zh="涉案企业", en="Enterprise"),
        Filter("site_id", EnforcementCase.site_id, type=int, zh="场站", en="Site"),
        Filter("watched", EnforcementCase.watched, op="is", type=bool, zh="关停监控", en="Watched"),
        Filter(
            "activity_flagged",
            EnforcementCase.activity_flagged,
            op="is",
            type=bool,
            zh="发现活动",
            en="Activity flagged",
        ),
        *date_range("opened", EnforcementCase.opened_at, "立案时间", "Opened"),
    ),
    search=(
        EnforcementCase.code,
        EnforcementCase.party_name,
        EnforcementCase.address,
        EnforcementCase.decision_no,
    ),
    sort={
        "opened_at": EnforcementCase.opened_at,
        "decided_at": EnforcementCase.decided_at,
        "executed_at": EnforcementCase.executed_at,
        "status": EnforcementCase.status,
        "code": EnforcementCase.code,
    },
    default_sort=("-opened_at",),
)


def local_date(at: datetime, tz: str = DEFAULT_TZ) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def _required(field: str, msg: str = "required") -> Invalid:
    return Invalid(f"{field}: {msg}", errors=[{"loc": ["body", field], "msg": msg}])


def _text(value: str | None) -> str | None:
    value = value.strip() if value else None
    return value or None


# ---- reads --------------------------------------------------------------------------------------
def visible(principal: Principal) -> Select[Any]:
    return select(EnforcementCase).where(case_scope(principal))


def get_all(
    *, session: Session, principal: Principal, params: PageParams, filters: dict[str, Any]
) -> Page[EnforcementCase]:
    return FILTERS.page(session, visible(principal), params, filters, EnforcementCase.id)


def get(*, session: Session, principal: Principal, id: int, lock: bool = False) -> EnforcementCase:
    stmt = visible(principal).where(EnforcementCase.id == id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=EnforcementCase)
    case = session.scalars(stmt).first()
    if case is None:
        raise NotFound(f"enforcement case {id} not found")
    return case


def timeline(*, session: Session, case: EnforcementCase) -> list[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    return list(session.scalars(stmt))


def activities(*, session: Session, case: EnforcementCase) -> list[SiteActivity]:
    stmt = (
        select(SiteActivity)
        .where(SiteActivity.case_id == case.id)
        .order_by(SiteActivity.seen_at.desc(), SiteActivity.id.desc())
    )
    return list(session.scalars(stmt))


def evidence(*, session: Session, case: EnforcementCase) -> list[Attachment]:
    return attached(session, ENTITY, [case.id])


# ---- opening ------------------------------------------------------------------------------------
def _require_writer(principal: Principal, what: str) -> None:
    if principal.scope_kind is not ScopeKind.ALL and principal.role not in WRITERS:
        raise Forbidden(f"role {principal.role} may not {what} enforcement cases")


def _checked(field: str, value: str | None, check: Any) -> str | None:
    try:
        result: str | None = check(value)
    except ValueError as exc:
        raise _required(field, str(exc)) from exc
    return result


def open_case(
    *,
    session: Session,
    principal: Principal,
    party_kind: PartyKind,
    facts: str,
    source: CaseSource | None = None,
    party_name: str | None = None,
    owner_id: int | None = None,
    party_contact: str | None = None,
    party_id_number: str | None = None,
    site_id: int | None = None,
    hazard_id: int | None = None,
    inspection_id: int | None = None,
    area_id: int | None = None,
    address: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    rule_violated: str | None = None,
    photo_ids: Sequence[int] = (),
    opened_at: datetime | None = None,
    note: str | None = None,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> EnforcementCase:
    """A new case (立案). From a hazard or an inspection it takes their site, enterprise and
    area; at a registered site the site's. A licensed party is the enterprise (`owner_id`,
    default the site's); an unlicensed operator is a name with an address or a point, whose
    phone and ID number are stored encrypted. The area is given, the site's, or the grid
    containing the point."""
    _require_writer(principal, "open")
    now = now or utcnow()
    opened_at = opened_at or now
    facts = (facts or "").strip()
    if not facts:
        raise _required("facts", "state the facts of the case")
    enterprise_id: int | None = None  # of the site, hazard or inspection

    hazard: Hazard | None = None
    if hazard_id is not None:
        hazard = session.scalars(
            select(Hazard).where(Hazard.id == hazard_id, hazard_scope(principal))
        ).first()
        if hazard is None:
            raise _required("hazard_id", "no hazard that you can see")
        site_id = site_id if site_id is not None else hazard.site_id
        enterprise_id = hazard.owner_id
        inspection_id = inspection_id if inspection_id is not None else hazard.inspection_id
        area_id = area_id if area_id is not None else hazard.area_id
        address = address or hazard.address
        lon, lat = (lon, lat) if lon is not None else (hazard.lon, hazard.lat)
    inspection: Inspection | None = None
    if inspection_id is not None:
        inspection = session.scalars(
            select(Inspection).where(
                Inspection.id == inspection_id,
                located(
                    principal,
                    owner=Inspection.owner_id,
                    area=Inspection.area_id,
                    site=Inspection.site_id,
                ),
            )
        ).first()
        if inspection is None:
            raise _required("inspection_id", "no inspection that you can see")
        site_id = site_id if site_id is not None else inspection.site_id
        enterprise_id = enterprise_id or inspection.owner_id
        area_id = area_id if area_id is not None else inspection.area_id
    if source is None:
        if hazard is not None:
            source = CaseSource.HAZARD
        elif inspection is not None:
            source = CaseSource.INSPECTION
        else:
            raise _required("source", "say where the case comes from")

    site: Site | None = None
    if site_id is not None:
        try:
            site = sites.get(session=session, principal=principal, id=site_id)
        except NotFound as exc:
            raise _required("site_id", "no site that you can see") from exc
        enterprise_id = enterprise_id or site.owner_id
        area_id = area_id if area_id is not None else site.area_id
        address = address or site.address
        lon, lat = (lon, lat) if lon is not None else (site.lon, site.lat)

    party_name = _text(party_name)
    if party_kind is PartyKind.LICENSED:
        owner_id = owner_id if owner_id is not None else enterprise_id
        org = session.get(Organization, owner_id) if owner_id is not None else None
        if org is None or not org.kind.is_enterprise:
            raise _required("owner_id", "name the licensed gas enterprise")
        party_name = party_name or org.name
    else:
        if owner_id is not None:
            raise _required("owner_id", "an unlicensed operator is no licensed enterprise")
        if not party_name:
            raise _required("party_name", "name the unlicensed operator")
        if not (address or (lon is not None and lat is not None) or site is not None):
            raise _required("address", "give the operator's address or position")
    if area_id is not None and session.get(Area, area_id) is None:
        raise _required("area_id", "unknown area")

    case = EnforcementCase(
        code=f"tmp-{uuid4().hex}"[:32],  # replaced by ZF-<year>-<id> after the flush
        source=source,
        status=CaseStatus.OPENED,
        party_kind=party_kind,
        party_name=party_name[:150],
        party_contact=_checked("party_contact", party_contact, check_phone),
        party_id_number=_checked("party_id_number", party_id_number, check_id_number),
        site=site,
        site_id=site_id,
        hazard_id=hazard_id,
        inspection_id=inspection_id,
        owner_id=owner_id,
        area_id=area_id,
        address=_text(address),
        lon=lon,
        lat=lat,
        opened_at=opened_at,
        opened_by_name=principal.username,
        facts=facts,
        rule_violated=_text(rule_violated),
    )
    locate(session, case, {})  # the grid containing the point, when no area is known
    if case.area_id is None:
        raise _required("area_id", "give the area, a site, or the position (lon, lat)")
    session.add(case)
    session.flush()
    case.code = f"ZF-{local_date(opened_at, tz).year}-{case.id:06d}"
    if (
        session.scalar(
            select(EnforcementCase.id).where(EnforcementCase.id == case.id, case_scope(principal))
        )
        is None
    ):
        raise Forbidden("this case would lie outside your area")
    session.flush()
    linked = link(
        session,
        principal,
        photo_ids,
        entity_type=ENTITY,
        entity_id=case.id,
        role=EVIDENCE_ROLE,
        owner_id=case.owner_id,
        area_id=case.area_id,
        site_id=case.site_id,
    )
    data: dict[str, Any] = {"source": source.value, "party_kind": party_kind.value}
    if hazard is not None:
        data["hazard"] = hazard.code
    if linked:
        data["photo_ids"] = [a.id for a in linked]
    record(
        session,
        case,
        CaseEventKind.OPENED,
        at=now,
        principal=principal,
        note=note,
        data=data,
        changes=audit.diff({}, audit.snapshot(case)),  # personal data masked
    )
    session.flush()
    return case


# ---- the steps ----------------------------------------------------------------------------------
def _begin(
    session: Session,
    principal: Principal,
    id: int,
    step: Step,
    note: str | None,
    note_field: str = "note",
) -> tuple[EnforcementCase, CaseStatus]:
    """Every step starts here: the case locked, the caller's role, the status, the note."""
    case = get(session=session, principal=principal, id=id, lock=True)
    _require_writer(principal, step.value)
    move = MOVES[step]
    if case.status not in move.sources:
        names = ", ".join(sorted(s.value for s in move.sources))
        raise Conflict(f"cannot {step.value} a case that is {case.status.value} (only {names})")
    if move.note_required and not (note and note.strip()):
        raise _required(note_field, f"say what ({step.value})")
    return case, case.status


def investigate(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    now: datetime | None = None,
) -> EnforcementCase:
    """Start investigating and gathering evidence (调查取证)."""
    case, before = _begin(session, principal, id, Step.INVESTIGATE, note)
    case.status = CaseStatus.INVESTIGATING
    session.flush()
    record(
        session,
        case,
        CaseEventKind.INVESTIGATING,
        at=now or utcnow(),
        principal=principal,
        before=before,
        note=note,
    )
    return case


def add_evidence(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    facts: str | None = None,
    rule_violated: str | None = None,
    photo_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> EnforcementCase:
    """More facts, the rule violated, or evidence (photos, documents) while the case is open."""
    case, before = _begin(session, principal, id, Step.EVIDENCE, note)
    facts, rule_violated = _text(facts), _text(rule_violated)
    if not (facts or rule_violated or photo_ids or _text(note)):
        raise _required("note", "add facts, the rule violated, evidence or a note")
    changes: dict[str, list[Any]] = {}
    if facts and facts != case.facts:
        changes["facts"] = [case.facts, facts]
        case.facts = facts
    if rule_violated and rule_violated != case.rule_violated:
        changes["rule_violated"] = [case.rule_violated, rule_violated]
        case.rule_violated = rule_violated
    session.flush()
    linked = link(
        session,
        principal,
        photo_ids,
        entity_type=ENTITY,
        entity_id=case.id,
        role=EVIDENCE_ROLE,
        owner_id=case.owner_id,
        area_id=case.area_id,
        site_id=case.site_id,
    )
    record(
        session,
        case,
        CaseEventKind.EVIDENCE,
        at=now or utcnow(),
        principal=principal,
        before=before,
        note=note,
        data={"photo_ids": [a.id for a in linked]} if linked else {},
        changes=changes,
    )
    return case


def decide(
    *,
    session: Session,
    principal: Principal,
    id: int,
    decision: Decision,
    decision_no: str,
    fine_yuan: float | None = None,
    rectify_by: date | None = None,
    closure_kind: ClosureKind | None = None,
    rule_violated: str | None = None,
    decided_at: datetime | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> EnforcementCase:
    """The decision (行政处罚/处理决定) with its document number: a fine names the amount, an
    order to rectify its deadline, a closure what kind of illegal facility it shuts down."""
    case, before = _begin(session, principal, id, Step.DECIDE, note)
    now = now or utcnow()
    decision_no = _text(decision_no) or ""
    if not decision_no:
        raise _required("decision_no", "the decision document's number (决定书文号)")
    if decision is Decision.FINE and not (fine_yuan and fine_yuan > 0):
        raise _required("fine_yuan", "a fine names its amount in yuan")
    if fine_yuan is not None and (
        fine_yuan < 0 or decision in (Decision.NO_ACTION, Decision.WARNING)
    ):
        raise _required("fine_yuan", f"no fine with a {decision.value} decision")
    if decision is Decision.ORDER_RECTIFY and rectify_by is None:
        raise _required("rectify_by", "an order to rectify names its deadline")
    if decision is Decision.CLOSURE and closure_kind is None:
        raise _required("closure_kind", "say what kind of illegal facility is closed")
    if decision is not Decision.CLOSURE and closure_kind is not None:
        raise _required("closure_kind", "only a closure decision has a closure kind")
    rule_violated = _text(rule_violated) or case.rule_violated
    if decision is not Decision.NO_ACTION and not rule_violated:
        raise _required("rule_violated", "a decision names the rule violated")
    case.decision, case.decision_no, case.rule_violated = decision, decision_no, rule_violated
    case.fine_yuan, case.rectify_by, case.closure_kind = fine_yuan, rectify_by, closure_kind
    case.decided_at, case.status = decided_at or now, CaseStatus.DECIDED
    session.flush()
    data: dict[str, Any] = {"decision": decision.value, "decision_no": decision_no}
    if fine_yuan is not None:
        data["fine_yuan"] = float(fine_yuan)
    if rectify_by is not None:
        data["rectify_by"] = rectify_by.isoformat()
    if closure_kind is not None:
        data["closure_kind"] = closure_kind.value
    record(
        session,
        case,
        CaseEventKind.DECIDED,
        at=now,
        principal=principal,
        before=before,
        note=note,
        data=data,
        changes={k: [None, v] for k, v in data.items()},
    )
    return case


# What executing a decision does to a registered site.
SITE_STATUS_ON_EXECUTION = {
    Decision.CLOSURE: SiteStatus.CLOSED,
    Decision.SUSPENSION: SiteStatus.SUSPENDED,
}


def execute(
    *,
    session: Session,
    principal: Principal,
    id: int,
    execution_note: str,
    executed_at: datetime | None = None,
    now: datetime | None = None,
) -> EnforcementCase:
    """The decision carried out. A closure puts the place under watch and marks a registered
    site closed (a suspension: suspended), through the site service so that it is audited."""
    case, before = _begin(
        session, principal, id, Step.EXECUTE, execution_note, note_field="execution_note"
    )
    if case.decision is Decision.NO_ACTION:
        raise Conflict("a no-penalty decision has nothing to execute: close the case")
    now = now or utcnow()
    assert case.decision is not None, "a decided case has a decision"
    case.executed_at, case.execution_note = executed_at or now, execution_note.strip()
    case.status = CaseStatus.EXECUTED
    data: dict[str, Any] = {"decision": case.decision.value}
    if case.decision is Decision.CLOSURE:
        case.watched = True
        data["watched"] = True
    site_status = SITE_STATUS_ON_EXECUTION.get(case.decision)
    if site_status is not None and case.site_id is not None:
        sites.update(
            session=session,
            principal=principal,
            id=case.site_id,
            data={"status": site_status.value},
            reason=f"{case.code} {case.decision.zh}",
        )
        data["site_status"] = site_status.value
    session.flush()
    record(
        session,
        case,
        CaseEventKind.EXECUTED,
        at=now,
        principal=principal,
        before=before,
        note=case.execution_note,
        data=data,
        changes={"watched": [False, True]} if case.watched else None,
    )
    return case


def close(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    now: datetime | None = None,
) -> EnforcementCase:
    """结案. A closed site stays watched after its case is closed."""
    case = get(session=session, principal=principal, id=id, lock=True)
    no_action = case.status is CaseStatus.DECIDED and case.decision is Decision.NO_ACTION
    if not no_action:
        case, _ = _begin(session, principal, id, Step.CLOSE, note)
    else:
        _require_writer(principal, "close")
    before = case.status
    now = now or utcnow()
    case.status, case.closed_at = CaseStatus.CLOSED, now
    session.flush()
    record(
        session, case, CaseEventKind.CLOSED, at=now, principal=principal, before=before, note=note
    )
    return case


def comment(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str,
    now: datetime | None = None,
) -> CaseEvent:
    case, before = _begin(session, principal, id, Step.COMMENT, note)
    return record(
        session,
        case,
        CaseEventKind.COMMENT,
        at=now or utcnow(),
        principal=principal,
        before=before,
        note=note,
    )
