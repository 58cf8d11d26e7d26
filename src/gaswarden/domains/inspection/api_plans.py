"""/api/v1/inspection-plans and /api/v1/inspection-tasks.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import create_model

from gaswarden.core.api import split_query
from gaswarden.core.pagination import PageParams
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.inspection import plans, tasks
from gaswarden.domains.inspection.models import InspectionTask
from gaswarden.domains.inspection.schemas_plans import (
    PlanCreate,
    PlanPage,
    PlanRead,
    PlanUpdate,
    TaskCancel,
    TaskCounts,
    TaskPage,
    TaskRead,
)

router = APIRouter()

PlanQuery: Any = create_model(
    "PlanQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in plans.FILTERS.filters},  # type: ignore[call-overload]
)
_task_fields: dict[str, Any] = {f.name: (f.annotation, None) for f in tasks.FILTERS.filters}
_task_fields["overdue"] = (bool | None, None)
TaskQuery: Any = create_model("TaskQuery", __base__=PageParams, **_task_fields)


def task_read(task: InspectionTask, today: date) -> TaskRead:
    return TaskRead(
        id=task.id,
        plan_id=task.plan_id,
        site_id=task.site_id,
        site_code=task.site.code,
        site_name=task.site.name,
        site_kind=task.site.kind,
        template_id=task.template_id,
        kind=task.kind,
        period_start=task.period_start,
        due_on=task.due_on,
        status=task.status,
        assignee_org_id=task.assignee_org_id,
        assignee_team_id=task.assignee_team_id,
        owner_id=task.owner_id,
        area_id=task.area_id,
        done_at=task.done_at,
        late=task.late,
        overdue=task.overdue(today),
    )


# ---- plans ---------------------------------------------------------------------------------
@router.get(
    "/inspection-plans", response_model=PlanPage, tags=["inspection plans"], summary="检查计划"
)
def list_plans(
    query: Annotated[PlanQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> PlanPage:
    params, filters = split_query(query)
    page = plans.get_all(session=session, principal=principal, params=params, filters=filters)
    return PlanPage(
        items=[PlanRead.model_validate(p) for p in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


@router.post(
    "/inspection-plans",
    response_model=PlanRead,
    status_code=status.HTTP_201_CREATED,
    tags=["inspection plans"],
)
def create_plan(
    body: PlanCreate, session: SessionDep, principal: PrincipalDep, reason: str | None = None
) -> PlanRead:
    plan = plans.create(session=session, principal=principal, data=body, reason=reason)
    return PlanRead.model_validate(plan)


@router.get("/inspection-plans/{plan_id}", response_model=PlanRead, tags=["inspection plans"])
def read_plan(plan_id: int, session: SessionDep, principal: PrincipalDep) -> PlanRead:
    return PlanRead.model_validate(plans.get(session=session, principal=principal, id=plan_id))


@router.patch("/inspection-plans/{plan_id}", response_model=PlanRead, tags=["inspection plans"])
def update_plan(
    plan_id: int,
    body: PlanUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    reason: str | None = None,
) -> PlanRead:
    plan = plans.update(session=session, principal=principal, id=plan_id, data=body, reason=reason)
    return PlanRead.model_validate(plan)


@router.delete(
    "/inspection-plans/{plan_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["inspection plans"],
)
def delete_plan(
    plan_id: int, session: SessionDep, principal: PrincipalDep, reason: str | None = None
) -> Response:
    plans.delete(session=session, principal=principal, id=plan_id, reason=reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/inspection-plans/{plan_id}/generate",
    tags=["inspection plans"],
    summary="Make the plan's missing tasks up to today now (otherwise done daily)",
)
def generate_plan_tasks(
    plan_id: int, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> dict[str, Any]:
    today = tasks.local_today(settings.timezone)
    made = tasks.generate_for(session=session, principal=principal, plan_id=plan_id, today=today)
    return {"plan_id": plan_id, "today": today, "tasks": made}


# ---- tasks ---------------------------------------------------------------------------------
@router.get(
    "/inspection-tasks",
    response_model=TaskPage,
    tags=["inspection tasks"],
    summary="检查任务: list with filters; `overdue` counts the matching overdue tasks",
)
def list_tasks(
    query: Annotated[TaskQuery, Query()],
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> TaskPage:
    params, filters = split_query(query)
    today = tasks.local_today(settings.timezone)
    result = tasks.get_all(
        session=session, principal=principal, params=params, filters=filters, today=today
    )
    return TaskPage(
        items=[task_read(t, today) for t in result.page.items],
        total=result.page.total,
        page=result.page.page,
        size=result.page.size,
        overdue=result.overdue,
        today=today,
    )


@router.get(
    "/inspection-tasks/counts",
    response_model=TaskCounts,
    tags=["inspection tasks"],
    summary="Tasks per status and overdue (same filters as the list)",
)
def task_counts(
    query: Annotated[TaskQuery, Query()],
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> TaskCounts:
    _, filters = split_query(query)
    today = tasks.local_today(settings.timezone)
    counts = tasks.counts(session=session, principal=principal, filters=filters, today=today)
    return TaskCounts(today=today, **counts)


@router.get("/inspection-tasks/{task_id}", response_model=TaskRead, tags=["inspection tasks"])
def read_task(
    task_id: int, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> TaskRead:
    task = tasks.get(session=session, principal=principal, id=task_id)
    return task_read(task, tasks.local_today(settings.timezone))


@router.post(
    "/inspection-tasks/{task_id}/cancel", response_model=TaskRead, tags=["inspection tasks"]
)
def cancel_task(
    task_id: int,
    body: TaskCancel,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> TaskRead:
    task = tasks.cancel(session=session, principal=principal, id=task_id, reason=body.reason)
    return task_read(task, tasks.local_today(settings.timezone))
