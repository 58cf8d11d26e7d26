"""/api/v1/alarms: list, read with timeline, the closed-loop actions, the response report;
/api/v1/rule-settings: overrides of rule parameters.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import create_model

from gaswarden.core.api import split_query
from gaswarden.core.pagination import PageParams
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.alarm import response, service, settings_service
from gaswarden.domains.alarm.enums import ScopeLevel
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.schemas import (
    AlarmAssign,
    AlarmDetail,
    AlarmEventRead,
    AlarmNote,
    AlarmPage,
    AlarmRead,
    AlarmResolve,
    EffectiveRules,
    ResponseReport,
    RuleSettingPut,
    RuleSettingRead,
)

router = APIRouter()
AlarmQuery: Any = create_model(
    "AlarmQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in service.FILTERS.filters},  # type: ignore[call-overload]
)


def _detail(session: Any, alarm: Alarm) -> AlarmDetail:
    events = [
        AlarmEventRead.model_validate(e) for e in service.timeline(session=session, alarm=alarm)
    ]
    return AlarmDetail(**AlarmRead.model_validate(alarm).model_dump(), timeline=events)


@router.get("/alarms", response_model=AlarmPage, tags=["alarms"], summary="List alarms")
def list_alarms(
    query: Annotated[AlarmQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> AlarmPage:
    params, filters = split_query(query)
    page = service.get_all(session=session, principal=principal, params=params, filters=filters)
    return AlarmPage(
        items=[AlarmRead.model_validate(a) for a in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


@router.get(
    "/alarms/response-times",
    response_model=ResponseReport,
    tags=["alarms"],
    summary="Measured response times per enterprise, grade and month",
)
def response_times(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    date_from: date | None = None,
    date_to: date | None = None,
    owner_id: int | None = None,
) -> ResponseReport:
    rows = response.report(
        session,
        principal,
        date_from=date_from,
        date_to=date_to,
        timezone=settings.timezone,
        owner_id=owner_id,
    )
    goals = response.targets(session)
    return ResponseReport(
        date_from=date_from,
        date_to=date_to,
        timezone=settings.timezone,
        targets={g.value: {"ack_s": a, "on_site_s": o} for g, (a, o) in goals.items()},
        rows=rows,
    )


@router.get("/alarms/{alarm_id}", response_model=AlarmDetail, tags=["alarms"])
def read_alarm(alarm_id: int, session: SessionDep, principal: PrincipalDep) -> AlarmDetail:
    return _detail(session, service.get(session=session, principal=principal, id=alarm_id))


@router.post("/alarms/{alarm_id}/acknowledge", response_model=AlarmDetail, tags=["alarms"])
def acknowledge(
    alarm_id: int, body: AlarmNote, session: SessionDep, principal: PrincipalDep
) -> AlarmDetail:
    alarm = service.acknowledge(session=session, principal=principal, id=alarm_id, note=body.note)
    return _detail(session, alarm)


@router.post("/alarms/{alarm_id}/assign", response_model=AlarmDetail, tags=["alarms"])
def assign(
    alarm_id: int, body: AlarmAssign, session: SessionDep, principal: PrincipalDep
) -> AlarmDetail:
    alarm = service.assign(
        session=session,
        principal=principal,
        id=alarm_id,
        org_id=body.org_id,
        team_id=body.team_id,
        note=body.note,
    )
    return _detail(session, alarm)


@router.post("/alarms/{alarm_id}/on-site", response_model=AlarmDetail, tags=["alarms"])
def on_site(
    alarm_id: int, body: AlarmNote, session: SessionDep, principal: PrincipalDep
) -> AlarmDetail:
    alarm = service.on_site(session=session, principal=principal, id=alarm_id, note=body.note)
    return _detail(session, alarm)


@router.post("/alarms/{alarm_id}/resolve", response_model=AlarmDetail, tags=["alarms"])
def resolve(
    alarm_id: int, body: AlarmResolve, session: SessionDep, principal: PrincipalDep
) -> AlarmDetail:
    alarm = service.resolve(
        session=session, principal=principal, id=alarm_id, cause=body.cause, note=body.note
    )
    return _detail(session, alarm)


@router.post("/alarms/{alarm_id}/close", response_model=AlarmDetail, tags=["alarms"])
def close(
    alarm_id: int, body: AlarmNote, session: SessionDep, principal: PrincipalDep
) -> AlarmDetail:
    alarm = service.close(session=session, principal=principal, id=alarm_id, note=body.note)
    return _detail(session, alarm)


@router.post("/alarms/{alarm_id}/reopen", response_model=AlarmDetail, tags=["alarms"])
def reopen(
    alarm_id: int, body: AlarmNote, session: SessionDep, principal: PrincipalDep
) -> AlarmDetail:
    alarm = service.reopen(session=session, principal=principal, id=alarm_id, note=body.note)
    return _detail(session, alarm)


# ---- rule settings ------------------------------------------------------------------------------
@router.get("/rule-settings", response_model=list[RuleSettingRead], tags=["rule settings"])
def list_settings(
    session: SessionDep,
    principal: PrincipalDep,
    scope: ScopeLevel | None = None,
    scope_id: int | None = None,
    rule: str | None = None,
) -> list[RuleSettingRead]:
    filters = {"scope": scope, "scope_id": scope_id, "rule": rule}
    items = settings_service.get_all(session=session, principal=principal, filters=filters)
    return [RuleSettingRead.model_validate(s) for s in items]


@router.put("/rule-settings", response_model=RuleSettingRead, tags=["rule settings"])
def put_setting(
    body: RuleSettingPut, session: SessionDep, principal: PrincipalDep
) -> RuleSettingRead:
    setting = settings_service.put(
        session=session,
        principal=principal,
        level=body.scope,
        scope_id=body.scope_id,
        rule=body.rule,
        params=body.params,
        note=body.note,
    )
    return RuleSettingRead.model_validate(setting)


@router.delete(
    "/rule-settings/{setting_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["rule settings"]
)
def delete_setting(
    setting_id: int, session: SessionDep, principal: PrincipalDep, reason: str | None = None
) -> Response:
    settings_service.delete(session=session, principal=principal, id=setting_id, reason=reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/rule-settings/effective/{device_id}", response_model=EffectiveRules, tags=["rule settings"]
)
def effective(device_id: int, session: SessionDep, principal: PrincipalDep) -> EffectiveRules:
    rules = settings_service.effective(session=session, principal=principal, device_id=device_id)
    return EffectiveRules(
        device_id=device_id, graded_up=rules.graded_up, context=rules.context, params=rules.params
    )
