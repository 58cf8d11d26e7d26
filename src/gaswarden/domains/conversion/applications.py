"""Conversion applications (瓶改管申请): taken online from residents or at the counter by the
pipeline company's staff, read in the caller's scope, and moved along their steps after the
survey and the quote (survey.py, quote.py): contract, works, connection (the household's LPG
record closed), or refusal and cancellation. Flush, never commit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Conflict, GasWardenError, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.core.pagination import Page, PageParams
from gaswarden.core.schemas import check_id_number, check_phone
from gaswarden.core.scope import areas_under
from gaswarden.db.base import utcnow
from gaswarden.domains.alarm.service import AreaFilter
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.audit import service as audit
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.conversion import lpg, rules
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
    ConversionEventKind,
    ConversionStatus,
    HouseholdKind,
    RefusalReason,
)
from gaswarden.domains.conversion.models import ConversionApplication, ConversionEvent
from gaswarden.domains.conversion.scope import application_scope
from gaswarden.domains.conversion.timeline import record, snapshot
from gaswarden.domains.conversion.workflow import MOVES, Step, require_writer
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.models import Site
from gaswarden.domains.site.service import locate

S = ConversionStatus
K = ConversionEventKind

# The caller behind the public online form: no account, sees nothing, writes only through
# `apply` (channel online), audited with its network address.
PUBLIC_NAME = "online-form"
PUBLIC = Principal(
    user_id=None,
    username=PUBLIC_NAME,
    display_name="线上申请 Online form",
    role=None,
    org_id=None,
    scope_kind=ScopeKind.AREA,
    area_paths=(),
)


class TooManyRequests(GasWardenError):
    status_code = 429
    title = "Too many requests"
    title_zh = "提交过于频繁"


def online_principal(ip: str | None) -> Principal:
    return replace(PUBLIC, ip=ip)


def is_public(principal: Principal) -> bool:
    return (
        principal.user_id is None
        and principal.role is None
        and principal.scope_kind is ScopeKind.AREA
        and principal.username == PUBLIC_NAME
    )


FILTERS = FilterSet(
    filters=(
        Filter(
            "status", ConversionApplication.status, choices=ConversionStatus, zh="状态", en="Status"
        ),
        Filter(
            "channel",
            ConversionApplication.channel,
            choices=ApplicationChannel,
            zh="受理渠道",
            en="Channel",
        ),
        Filter(
            "household_kind",
            ConversionApplication.household_kind,
            choices=HouseholdKind,
            zh="用户类型",
            en="Household kind",
        ),
        Filter(
            "refusal_reason",
            ConversionApplication.refusal_reason,
            choices=RefusalReason,
            zh="不符合原因",
            en="Refusal reason",
        ),
        AreaFilter(
            "area_id",
            ConversionApplication.area_id,
            type=int,
            zh="区域(含下级)",
            en="Area (and below)",
        ),
        Filter(
            "owner_id", ConversionApplication.owner_id, type=int, zh="管道燃气企业", en="Company"
        ),
        *date_range("applied", ConversionApplication.applied_at, "申请日期", "Applied"),
        *date_range("connected", ConversionApplication.connected_at, "通气日期", "Connected"),
    ),
    search=(
        ConversionApplication.code,
        ConversionApplication.applicant_name,
        ConversionApplication.address,
        ConversionApplication.village,
    ),
    sort={
        "applied_at": ConversionApplication.applied_at,
        "connected_at": ConversionApplication.connected_at,
        "status": ConversionApplication.status,
        "code": ConversionApplication.code,
    },
    default_sort=("-applied_at",),
)


def field_error(field: str, msg: str) -> Invalid:
    return Invalid(f"{field}: {msg}", errors=[{"loc": ["body", field], "msg": msg}])


def clean(value: str | None) -> str | None:
    value = value.strip() if value else None
    return value or None


def _checked(field: str, value: str | None, check: Any) -> str | None:
    try:
        result: str | None = check(value)
    except ValueError as exc:
        raise field_error(field, str(exc)) from exc
    return result


# ---- reads --------------------------------------------------------------------------------------
def visible(principal: Principal) -> Select[Any]:
    return select(ConversionApplication).where(application_scope(principal))


def get_all(
    *, session: Session, principal: Principal, params: PageParams, filters: dict[str, Any]
) -> Page[ConversionApplication]:
    return FILTERS.page(session, visible(principal), params, filters, ConversionApplication.id)


def get(
    *, session: Session, principal: Principal, id: int, lock: bool = False
) -> ConversionApplication:
    stmt = visible(principal).where(ConversionApplication.id == id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=ConversionApplication)
    app = session.scalars(stmt).first()
    if app is None:
        raise NotFound(f"conversion application {id} not found")
    return app


def timeline(*, session: Session, app: ConversionApplication) -> list[ConversionEvent]:
    stmt = (
        select(ConversionEvent)
        .where(ConversionEvent.application_id == app.id)
        .order_by(ConversionEvent.at, ConversionEvent.id)
    )
    return list(session.scalars(stmt))


def pipeline_companies(session: Session) -> list[Organization]:
    """The companies an application can be made to (the public form offers them)."""
    stmt = select(Organization).where(Organization.kind == OrgKind.PIPELINE)
    return list(session.scalars(stmt.order_by(Organization.name)))


# ---- applying -----------------------------------------------------------------------------------
def serving_company(session: Session, area_id: int | None) -> int | None:
    """The pipeline company serving an area: the one with most sites in the area's town (or
    the area itself above towns); else the only one there is."""
    area = session.get(Area, area_id) if area_id is not None else None
    if area is not None:
        top = area
        if area.level is AreaLevel.GRID and area.parent_id is not None:
            top = session.get(Area, area.parent_id) or area
        row = session.execute(
            select(Site.owner_id, func.count())
            .join(Organization, Organization.id == Site.owner_id)
            .where(
                Organization.kind == OrgKind.PIPELINE,
                Site.area_id.in_(areas_under((top.path,))),
            )
            .group_by(Site.owner_id)
            .order_by(func.count().desc(), Site.owner_id)
        ).first()
        if row is not None and row[0] is not None:
            return int(row[0])
    companies = pipeline_companies(session)
    return companies[0].id if len(companies) == 1 else None


def _owner(
    session: Session, principal: Principal, owner_id: int | None, area_id: int | None = None
) -> int:
    if owner_id is None and principal.scope_kind is ScopeKind.ORG:
        owner_id = principal.org_id
    if owner_id is None and is_public(principal):
        owner_id = serving_company(session, area_id)
    if owner_id is None:
        raise field_error("owner_id", "name the pipeline gas company")
    kind = session.scalar(select(Organization.kind).where(Organization.id == owner_id))
    if kind is not OrgKind.PIPELINE:
        raise field_error("owner_id", "conversions are made by a pipeline gas company")
    return owner_id


def _check_rate(session: Session, principal: Principal, now: datetime) -> None:
    """The online form's abuse limit: so many applications per network address and window."""
    since = now - timedelta(hours=rules.ONLINE_WINDOW_HOURS)
    sent = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == f"conversion_{K.APPLIED.value}",
            AuditEntry.actor_name == PUBLIC_NAME,
            AuditEntry.actor_id.is_(None),
            AuditEntry.ip == principal.ip,
            AuditEntry.at >= since,
        )
    )
    if (sent or 0) >= rules.ONLINE_PER_ADDRESS:
        raise TooManyRequests(
            "提交过于频繁，请稍后再试或到营业厅办理 / too many applications from this address; "
            "try later or apply at the service counter"
        )


def apply(
    *,
    session: Session,
    principal: Principal,
    applicant_name: str,
    applicant_phone: str | None,
    applicant_id_number: str | None = None,
    channel: ApplicationChannel | None = None,
    household_kind: HouseholdKind = HouseholdKind.RESIDENTIAL,
    owner_id: int | None = None,
    area_id: int | None = None,
    village: str | None = None,
    address: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    customer_code: str | None = None,
    customer_id: int | None = None,
    entered_by_name: str | None = None,
    applied_at: datetime | None = None,
    note: str | None = None,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> ConversionApplication:
    """A household's application. From the public form (the PUBLIC principal) it is an online
    one, limited per network address; the pipeline company's staff enter counter and visit
    applications (or online ones made through an app) for their own company, with the clerk's
    name. The phone and the resident ID number (GB 11643 check digit) are stored encrypted;
    the household's LPG record is linked when the ID number matches one, or when the clerk
    names the card number. One open application per ID number."""
    now = now or utcnow()
    public = is_public(principal)
    if public:
        if channel not in (None, ApplicationChannel.ONLINE):
            raise field_error("channel", "the online form makes online applications")
        channel = ApplicationChannel.ONLINE
        customer_code = customer_id = None  # a resident names no records
        entered_by_name = applied_at = None
    else:
        channel = channel or ApplicationChannel.COUNTER
    owner = _owner(session, principal, owner_id, area_id)
    if not public:
        require_writer(principal, owner, "enter")
    name = clean(applicant_name)
    if not name:
        raise field_error("applicant_name", "required")
    phone = _checked("applicant_phone", applicant_phone, check_phone)
    if phone is None:
        raise field_error("applicant_phone", "a phone number to call back is required")
    id_number = _checked("applicant_id_number", applicant_id_number, check_id_number)
    if household_kind is HouseholdKind.RESIDENTIAL and id_number is None:
        raise field_error("applicant_id_number", "a household applies under a resident ID number")
    if applied_at is not None and applied_at > now + timedelta(minutes=10):
        raise field_error("applied_at", "an application cannot be dated in the future")
    if public:
        _check_rate(session, principal, now)
    digest = lpg.id_digest(session, id_number)
    if digest is not None:
        open_one = session.scalar(
            select(ConversionApplication.code).where(
                ConversionApplication.applicant_id_digest == digest,
                ConversionApplication.status.in_([s for s in S if s.in_progress]),
            )
        )
        if open_one is not None:
            raise Conflict(
                f"该身份证号已有办理中的申请 {open_one} / an open application {open_one} "
                "exists for this ID number",
                errors=[{"loc": ["body", "applicant_id_number"], "msg": f"open: {open_one}"}],
            )
    customer: Customer | None
    if customer_code or customer_id is not None:
        customer = lpg.named_customer(
            session,
            principal,
            digest=digest,
            customer_code=clean(customer_code),
            customer_id=customer_id,
        )
    else:
        customer = lpg.match_by_digest(session, digest)

    app = ConversionApplication(
        code=f"tmp-{uuid4().hex}"[:32],  # PG-<year>-<id> after the flush
        channel=channel,
        household_kind=household_kind,
        status=S.APPLIED,
        applicant_name=name[:100],
        applicant_phone=phone,
        applicant_id_number=id_number,
        applicant_id_digest=digest,
        customer_id=customer.id if customer is not None else None,
        owner_id=owner,
        area_id=area_id,
        village=(clean(village) or "")[:100] or None,
        address=(clean(address) or "")[:255] or None,
        lon=lon,
        lat=lat,
        applied_at=applied_at or now,
        entered_by_name=None
        if channel is ApplicationChannel.ONLINE and public
        else (clean(entered_by_name) or principal.display_name)[:100],
    )
    locate(session, app, {})  # the grid containing the point, when no area is given
    _check_area(session, app)
    if app.address is None:
        raise field_error("address", "the household's address is required")
    session.add(app)
    session.flush()
    app.code = f"PG-{app.applied_at.astimezone(ZoneInfo(tz)).year}-{app.id:06d}"
    session.flush()
    data: dict[str, Any] = {"channel": channel.value}
    if customer is not None:
        data["customer"] = customer.code
    record(
        session,
        app,
        K.APPLIED,
        at=now,
        principal=principal,
        note=clean(note),
        data=data,
        changes=audit.diff({}, snapshot(app)),  # phone and ID number masked
    )
    session.flush()
    return app


def _check_area(session: Session, app: ConversionApplication) -> None:
    if app.area_id is None:
        raise field_error("area_id", "give the village or community (grid), or the position")
    area = session.get(Area, app.area_id)
    if area is None or area.level is not AreaLevel.GRID:
        raise field_error("area_id", "a household lies in a grid (village or community)")


# ---- the steps ----------------------------------------------------------------------------------
def begin(
    session: Session,
    principal: Principal,
    id: int,
    step: Step,
    note: str | None = None,
    note_field: str = "note",
) -> tuple[ConversionApplication, ConversionStatus]:
    """Every step starts here: the application locked, the caller, the status, the note."""
    app = get(session=session, principal=principal, id=id, lock=True)
    require_writer(principal, app.owner_id, step.value)
    move = MOVES[step]
    if app.status not in move.sources:
        names = ", ".join(sorted(s.value for s in move.sources))
        raise Conflict(
            f"cannot {step.value} a conversion that is {app.status.value} (only from {names}) "
            f"/ 当前状态「{app.status.zh}」不能办理此步骤"
        )
    if move.note_required and not (note and note.strip()):
        raise field_error(note_field, f"say why ({step.value})")
    return app, app.status


def contract(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    now: datetime | None = None,
) -> ConversionApplication:
    """The household signed the contract on the quote (签订合同)."""
    app, before = begin(session, principal, id, Step.CONTRACT, note)
    now = now or utcnow()
    app.status, app.contracted_at = S.CONTRACTED, now
    session.flush()
    record(
        session,
        app,
        K.CONTRACTED,
        at=now,
        principal=principal,
        before=before,
        note=clean(note),
        data={"total_payable_yuan": str(app.total_payable_yuan)},
    )
    return app


def start_works(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    now: datetime | None = None,
) -> ConversionApplication:
    app, before = begin(session, principal, id, Step.START, note)
    now = now or utcnow()
    app.status, app.works_started_at = S.CONSTRUCTING, now
    session.flush()
    record(session, app, K.WORKS_STARTED, at=now, principal=principal, before=before, note=note)
    return app


def connect(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    now: datetime | None = None,
) -> ConversionApplication:
    """Gas on (通气点火). The household's LPG record is closed in the same step; while it still
    holds cylinders the connection is refused, naming them: the LPG supplier collects them
    first (its collect scan), since a home with both bottled and pipe gas is what the
    programme exists to end."""
    app, before = begin(session, principal, id, Step.CONNECT, note)
    now = now or utcnow()
    customer: Customer | None = app.customer
    if customer is None and app.applicant_id_digest is not None:
        customer = lpg.match_by_digest(session, app.applicant_id_digest)  # registered since
        if customer is not None:
            app.customer_id = customer.id
    if customer is not None and customer.active:
        held = lpg.held_cylinders(session, customer.id)
        if held:
            raise Conflict(
                f"用户 {customer.code} 仍持有 {len(held)} 只液化气钢瓶（{', '.join(held)}），"
                "请供气企业回收空瓶后再通气 / the household still holds "
                f"{len(held)} LPG cylinder(s): {', '.join(held)}; the LPG supplier collects "
                "them (collect scan) before the gas is turned on",
                errors=[{"loc": ["cylinders"], "msg": "still held", "codes": held}],
            )
    app.status, app.connected_at = S.CONNECTED, now
    session.flush()
    record(session, app, K.CONNECTED, at=now, principal=principal, before=before, note=note)
    if customer is not None and lpg.close(
        session, principal, customer, f"{app.code} 瓶改管通气 converted to pipe gas"
    ):
        record(
            session,
            app,
            K.LPG_CLOSED,
            at=now,
            principal=principal,
            before=app.status,
            data={"customer": customer.code},
        )
    session.flush()
    return app


def refuse(
    *,
    session: Session,
    principal: Principal,
    id: int,
    reason: RefusalReason,
    note: str | None = None,
    now: datetime | None = None,
) -> ConversionApplication:
    app, before = begin(session, principal, id, Step.REFUSE, note)
    return close_refused(session, principal, app, before, reason, note, now or utcnow())


def close_refused(
    session: Session,
    principal: Principal,
    app: ConversionApplication,
    before: ConversionStatus,
    reason: RefusalReason,
    note: str | None,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> ConversionApplication:
    note = clean(note)
    if reason is RefusalReason.OTHER and not note:
        raise field_error("note", "say why (other reason)")
    app.status, app.refusal_reason, app.refusal_note = (
        S.REFUSED,
        reason,
        note[:500] if note else None,
    )
    app.closed_at = now
    session.flush()
    record(
        session,
        app,
        K.REFUSED,
        at=now,
        principal=principal,
        before=before,
        note=note,
        data={"reason": reason.value, **(data or {})},
        changes={"refusal_reason": [None, reason.value]},
    )
    return app


def cancel(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None,
    now: datetime | None = None,
) -> ConversionApplication:
    """Withdrawn by the household (撤销), with why."""
    app, before = begin(session, principal, id, Step.CANCEL, note)
    now = now or utcnow()
    app.status, app.closed_at = S.CANCELLED, now
    session.flush()
    record(session, app, K.CANCELLED, at=now, principal=principal, before=before, note=note)
    return app


def add_note(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None,
    now: datetime | None = None,
) -> ConversionEvent:
    app, before = begin(session, principal, id, Step.NOTE, note)
    return record(
        session, app, K.NOTE, at=now or utcnow(), principal=principal, before=before, note=note
    )
