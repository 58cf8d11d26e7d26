"""The inspection pages: my tasks (/inspection-tasks) with the overdue ones counted and a
Start button, plans (/inspection-plans: list, form, generate now), checklists (/checklists:
templates, versions, items, export and import), inspections (/inspections: list, a record with
its results, photos, hazards and amendments) and the phone form that carries one out
(/inspections/new), which works offline once loaded (static/inspection_form.js).
Thin: every read and write goes through the inspection services (scope, rules, audit)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Forbidden, GasWardenError, Invalid
from gaswarden.core.i18n import local_time
from gaswarden.core.pagination import PageParams
from gaswarden.deps import SessionDep
from gaswarden.domains.inspection import amendments, checklists, plans, submission, tasks
from gaswarden.domains.inspection import web_view as view
from gaswarden.domains.inspection.api_inspections import detail as inspection_detail
from gaswarden.domains.inspection.enums import (
    ChecklistTarget,
    InspectionKind,
    Outcome,
    TaskStatus,
)
from gaswarden.domains.inspection.models import Inspection, InspectionTask
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from gaswarden.standards.hazards import Frequency
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.forms import FormField, prefill
from gaswarden.web.pages import apply_errors
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists, with_query

router = APIRouter(route_class=WebRoute)

TASK_FILTERS = ("status", "kind", "plan_id", "site_id", "due_from", "due_to")
INSPECTION_FILTERS = ("site_id", "kind", "amended", "inspected_from", "inspected_to")
PLAN_FILTERS = ("kind", "active")


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """render() with the inspection pages' messages (see web_view.text)."""
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: view.text(m, lang), **context)


def _page_no(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


def _pager(request: Request, page: Any) -> dict[str, Any]:
    return {
        "prev_href": with_query(request, page=page.page - 1) if page.page > 1 else None,
        "next_href": with_query(request, page=page.page + 1) if page.page < page.pages else None,
    }


def _yes_no(lang: str) -> list[tuple[str, str]]:
    return [("true", view.text("Yes", lang)), ("false", view.text("No", lang))]


def _parse(filterset: Any, raw: dict[str, list[str]], names: tuple[str, ...]) -> Any:
    try:
        return filterset.parse({k: v for k, v in raw.items() if k in names}), None
    except Invalid as exc:
        return {}, exc.detail


# ---- tasks --------------------------------------------------------------------------------------
@router.get("/inspection-tasks")
def task_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    today = tasks.local_today(settings.timezone)
    raw = query_lists(request)
    filters, error = _parse(tasks.FILTERS, raw, TASK_FILTERS)
    overdue = (raw.get("overdue") or [""])[0]
    if overdue in ("true", "false"):
        filters["overdue"] = overdue == "true"
    params = PageParams(page=_page_no(request), size=settings.page_size_default, sort="due_on")
    result = tasks.get_all(
        session=session, principal=principal, params=params, filters=filters, today=today
    )
    counts = tasks.counts(session=session, principal=principal, today=today)
    selects = {
        "status": TaskStatus.choices(lang),
        "kind": InspectionKind.choices(lang),
        "plan_id": view.plan_options(session, principal),
        "site_id": view.site_options(session, principal),
        "overdue": _yes_no(lang),
    }
    labels = {f.name: f.label(lang) for f in tasks.FILTERS.filters}
    labels["overdue"] = view.text("Overdue", lang)
    current = {k: (raw.get(k) or [""])[0] for k in (*TASK_FILTERS, "overdue")}
    return _page(
        request,
        "inspection/tasks.html",
        principal=principal,
        rows=[view.task_row(x, principal, lang, today) for x in result.page.items],
        page=result.page,
        overdue=result.overdue,
        counts=counts,
        today=today.isoformat(),
        selects={k: v for k, v in selects.items() if v},
        labels=labels,
        current=current,
        active=sum(1 for v in current.values() if v),
        error=error,
        may_submit=view.may_submit(principal),
        **_pager(request, result.page),
    )


# ---- plans --------------------------------------------------------------------------------------
@router.get("/inspection-plans")
def plan_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    raw = query_lists(request)
    filters, error = _parse(plans.FILTERS, raw, PLAN_FILTERS)
    q = (request.query_params.get("q") or "").strip() or None
    params = PageParams(page=_page_no(request), size=settings.page_size_default, q=q)
    page = plans.get_all(session=session, principal=principal, params=params, filters=filters)
    names = view.org_names(
        session, [o for p in page.items for o in (p.owner_id, p.assignee_org_id)]
    )
    return _page(
        request,
        "inspection/plans.html",
        principal=principal,
        rows=[view.plan_row(p, names, principal) for p in page.items],
        page=page,
        selects={"kind": InspectionKind.choices(lang), "active": _yes_no(lang)},
        labels={f.name: f.label(lang) for f in plans.FILTERS.filters},
        current={k: (raw.get(k) or [""])[0] for k in (*PLAN_FILTERS, "q")},
        error=error,
        may_plan=view.may_plan(principal),
        **_pager(request, page),
    )


NULLABLE_PLAN_FIELDS = (
    "area_id",
    "owner_id",
    "ends_on",
    "due_days",
    "assignee_org_id",
    "assignee_team_id",
    "notes",
)


def _plan_fields(
    session: Session, principal: Principal, lang: str, *, editing: bool
) -> list[FormField]:
    tx = view.text
    regulator = plans.is_regulator(principal)
    fields = [FormField("name", tx("Name", lang), "text", True)]
    if regulator and not editing:
        kind = FormField("kind", tx("Kind", lang), "select", True)
        kind.options = InspectionKind.choices(lang)
        fields.append(kind)
    template = FormField("template_id", tx("Checklist", lang), "select", True)
    template.options = view.template_options(session)
    kinds = FormField("site_kinds", tx("Site kinds (empty: the checklist's)", lang), "multiselect")
    kinds.options, kinds.value = SiteKind.choices(lang), []
    frequency = FormField("frequency", tx("Frequency", lang), "select", True)
    frequency.options = Frequency.choices(lang)
    fields += [template, kinds, frequency]
    fields.append(FormField("starts_on", tx("Starts", lang), "date", True))
    fields.append(FormField("ends_on", tx("Ends", lang), "date"))
    fields.append(FormField("due_days", tx("Days to do it (empty: period end)", lang), "number"))
    if regulator:
        area = FormField("area_id", tx("Area (empty: all)", lang), "select")
        area.options = view.area_options(session, principal)
        owner = FormField("owner_id", tx("Enterprise (empty: all)", lang), "select")
        owner.options = view.enterprise_options(session, principal)
        assignee = FormField("assignee_org_id", tx("Assignee", lang), "select")
        assignee.options = view.org_options(session, principal)
        team = FormField("assignee_team_id", tx("Team", lang), "select")
        team.options = view.team_options(session, principal)
        fields += [area, owner, assignee, team]
    if editing:
        active = FormField("active", tx("Active", lang), "select", True, "true")
        active.options = _yes_no(lang)
        fields.append(active)
    fields.append(FormField("notes", tx("Notes", lang), "textarea"))
    return fields


def _fill(fields: list[FormField], form: FormData) -> None:
    for f in fields:
        if f.widget == "multiselect":
            f.value = [v for v in form.getlist(f.name) if isinstance(v, str) and v]
        else:
            value = form.get(f.name)
            if isinstance(value, str):
                f.value = value.strip()


def _plan_data(fields: list[FormField], *, editing: bool) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in fields:
        if f.widget == "multiselect":
            data[f.name] = list(f.value)
        elif f.value != "":
            data[f.name] = f.value == "true" if f.name == "active" else f.value
        elif editing and f.name in NULLABLE_PLAN_FIELDS:
            data[f.name] = None
    return data


def _plan_form(
    request: Request,
    principal: Principal,
    fields: list[FormField],
    *,
    plan: Any = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        "inspection/plan_form.html",
        status_code=status,
        principal=principal,
        fields=fields,
        plan=plan,
        message=message,
    )


def _require_planner(principal: Principal) -> None:
    if not view.may_plan(principal):
        raise Forbidden("only regulators and enterprise admins plan inspections")


@router.get("/inspection-plans/new")
def plan_new(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    _require_planner(principal)
    fields = _plan_fields(session, principal, page_lang(request), editing=False)
    starts = next(f for f in fields if f.name == "starts_on")
    starts.value = tasks.local_today(request.app.state.settings.timezone).isoformat()
    return _plan_form(request, principal, fields)


@router.post("/inspection-plans/new")
def plan_create(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    _require_planner(principal)
    lang = page_lang(request)
    fields = _plan_fields(session, principal, lang, editing=False)
    _fill(fields, form)
    data = _plan_data(fields, editing=False)
    if not plans.is_regulator(principal):
        data["kind"] = InspectionKind.SELF.value  # an enterprise plans its self-inspections
    try:
        plan = plans.create(session=session, principal=principal, data=data)
    except GasWardenError as exc:
        session.rollback()
        message = apply_errors(fields, exc, lang)
        return _plan_form(request, principal, fields, message=message, status=exc.status_code)
    return RedirectResponse(f"/inspection-plans/{plan.id}?done=create", status_code=303)


@router.get("/inspection-plans/{plan_id}")
def plan_detail(
    plan_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    lang = page_lang(request)
    plan = plans.get(session=session, principal=principal, id=plan_id)
    names = view.org_names(session, [plan.owner_id, plan.assignee_org_id])
    today = tasks.local_today(request.app.state.settings.timezone)
    counts = tasks.counts(
        session=session, principal=principal, filters={"plan_id": plan.id}, today=today
    )
    return _page(
        request,
        "inspection/plan.html",
        principal=principal,
        plan=plan,
        p=view.plan_row(plan, names, principal),
        site_kinds=[SiteKind(k).label(lang) for k in plan.site_kinds],
        counts=counts,
        done=request.query_params.get("done"),
        made=request.query_params.get("made"),
    )


@router.get("/inspection-plans/{plan_id}/edit")
def plan_edit(
    plan_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    plan = plans.get(session=session, principal=principal, id=plan_id)
    if not plans.may_write(principal, plan):
        raise Forbidden("you may not change this plan")
    fields = _plan_fields(session, principal, page_lang(request), editing=True)
    for f in fields:
        f.value = prefill(getattr(plan, f.name, None))
        if f.widget == "multiselect":
            f.value = list(f.value or [])
    return _plan_form(request, principal, fields, plan=plan)


@router.post("/inspection-plans/{plan_id}/edit")
def plan_update(
    plan_id: int, request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    lang = page_lang(request)
    plan = plans.get(session=session, principal=principal, id=plan_id)
    fields = _plan_fields(session, principal, lang, editing=True)
    _fill(fields, form)
    try:
        plans.update(
            session=session, principal=principal, id=plan_id, data=_plan_data(fields, editing=True)
        )
    except GasWardenError as exc:
        session.rollback()
        message = apply_errors(fields, exc, lang)
        return _plan_form(
            request, principal, fields, plan=plan, message=message, status=exc.status_code
        )
    return RedirectResponse(f"/inspection-plans/{plan_id}?done=update", status_code=303)


@router.post("/inspection-plans/{plan_id}/generate")
def plan_generate(
    plan_id: int, request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    today = tasks.local_today(request.app.state.settings.timezone)
    made = tasks.generate_for(session=session, principal=principal, plan_id=plan_id, today=today)
    return RedirectResponse(
        f"/inspection-plans/{plan_id}?done=generate&made={made}", status_code=303
    )


# ---- checklists ---------------------------------------------------------------------------------
@router.get("/checklists")
def checklist_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    raw = query_lists(request)
    filters, error = _parse(checklists.FILTERS, raw, ("target", "active", "builtin"))
    page = checklists.get_all(
        session=session,
        principal=principal,
        params=PageParams(page=_page_no(request), size=100),
        filters=filters,
    )
    return _page(
        request,
        "inspection/checklists.html",
        principal=principal,
        rows=page.items,
        page=page,
        targets=ChecklistTarget.choices(lang),
        target=(raw.get("target") or [""])[0],
        error=error,
        may_edit=checklists.can_edit(principal),
        **_pager(request, page),
    )


@router.post("/checklists/import")
def checklist_import(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    checklists.require_editor(principal)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid("choose a .json or .xlsx file (请选择文件)")
    content = checklists.read_import(upload.file)
    data = checklists.parse(content, checklists.format_for(upload.filename, None))
    template, version, _ = checklists.import_data(session=session, principal=principal, data=data)
    return RedirectResponse(
        f"/checklists/{template.id}?version={version.number}&done=import", status_code=303
    )


@router.get("/checklists/{checklist_id}")
def checklist_detail(
    checklist_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    template = checklists.get(session=session, principal=principal, id=checklist_id)
    raw_number = request.query_params.get("version")
    number = int(raw_number) if raw_number and raw_number.isdigit() else None
    version = checklists.get_version(
        session=session, principal=principal, template_id=template.id, number=number
    )
    items = view.version_items(version, lang)
    return _page(
        request,
        "inspection/checklist.html",
        principal=principal,
        checklist=template,
        version=version,
        published=local_time(version.published_at, tz),
        versions=[
            (v.number, local_time(v.published_at, tz), v.published_by, v.note or "", v.id)
            for v in checklists.versions(session=session, template=template)
        ],
        groups=view.grouped(items),
        deadlines={i.id: i.deadline_days for i in version.items},
        done=request.query_params.get("done"),
    )


# ---- inspections --------------------------------------------------------------------------------
@router.get("/inspections")
def inspection_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    raw = query_lists(request)
    filters, error = _parse(submission.FILTERS, raw, INSPECTION_FILTERS)
    params = PageParams(page=_page_no(request), size=settings.page_size_default)
    page = submission.get_all(session=session, principal=principal, params=params, filters=filters)
    selects = {
        "site_id": view.site_options(session, principal),
        "kind": InspectionKind.choices(lang),
        "amended": _yes_no(lang),
    }
    return _page(
        request,
        "inspection/inspections.html",
        principal=principal,
        rows=[view.inspection_row(i, settings.timezone) for i in page.items],
        page=page,
        selects={k: v for k, v in selects.items() if v},
        labels={f.name: f.label(lang) for f in submission.FILTERS.filters},
        current={k: (raw.get(k) or [""])[0] for k in INSPECTION_FILTERS},
        error=error,
        may_submit=view.may_submit(principal),
        **_pager(request, page),
    )


def _int_param(request: Request, name: str) -> int | None:
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise Invalid(f"{name}: not a number", errors=[{"loc": ["query", name], "msg": "int"}])
    return int(value)


def _done_inspection(session: Session, principal: Principal, task: InspectionTask) -> int | None:
    stmt = (
        select(Inspection.id)
        .where(Inspection.task_id == task.id, submission.inspection_scope(principal))
        .order_by(Inspection.id)
        .limit(1)
    )
    return session.scalar(stmt)


@router.get("/inspections/new")
def inspection_form(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The phone form: for a task (?task_id=) or a site (?site_id=&kind=). Everything it
    needs to be filled in and submitted later is in the page (the items as JSON)."""
    lang = page_lang(request)
    if not view.may_submit(principal):
        raise Forbidden(f"role {principal.role} may not carry out inspections")
    task_id, site_id = _int_param(request, "task_id"), _int_param(request, "site_id")
    task: InspectionTask | None = None
    if task_id is not None:
        task = tasks.get(session=session, principal=principal, id=task_id)
        if task.status is not TaskStatus.PENDING:
            return _page(
                request,
                "inspection/form_closed.html",
                principal=principal,
                task=task,
                inspection_id=_done_inspection(session, principal, task),
            )
        if not view.may_start(principal, task):
            raise Forbidden(f"inspection task {task.id} is not yours to carry out")
        site: Site = task.site
    elif site_id is not None:
        site = submission.visible_site(session, principal, site_id)
    else:
        return _page(
            request,
            "inspection/form_choose.html",
            principal=principal,
            sites=view.site_options(session, principal),
            kinds=InspectionKind.choices(lang),
        )
    raw_kind = request.query_params.get("kind") or None
    asked = InspectionKind(raw_kind) if raw_kind in set(InspectionKind) else None
    kind = submission.inspection_kind(principal, asked, task)
    version = submission.checklist_version(session, site, task, None)
    items = view.version_items(version, lang)
    data = {
        "draft_key": f"task:{task.id}" if task else f"site:{site.id}:{kind.value}",
        "user": principal.username,
        "site_id": site.id,
        "task_id": task.id if task else None,
        "kind": kind.value,
        "version_id": version.id,
        "items": [{"id": i["id"], "code": i["code"]} for i in items],
        "urls": {"attachments": "/api/v1/attachments", "inspections": "/api/v1/inspections"},
        "messages": {
            k: view.text(k, lang)
            for k in (
                "Queued",
                "Submitted",
                "not answered",
                "Open the inspection",
                "No hazards found",
                "Hazards opened",
                "Offline: kept on this phone and sent when the network is back",
                "Pass",
                "Fail",
                "N/A",
            )
        },
    }
    return _page(
        request,
        "inspection/form.html",
        principal=principal,
        site=site,
        task=task,
        kind=kind,
        version=version,
        groups=view.grouped(items),
        outcomes=[(o.value, o.label(lang)) for o in Outcome],
        data=data,
    )


def _detail_page(
    request: Request,
    session: Session,
    principal: Principal,
    inspection_id: int,
    *,
    error: str | None = None,
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    inspection = submission.get(session=session, principal=principal, id=inspection_id)
    info = inspection_detail(session, inspection)
    results = [r.model_dump() for r in info["results"]]
    for r in results:
        r["outcome"] = Outcome(r["outcome"])
        r["text_shown"] = r["text"] if lang == "zh" or not r["text_en"] else r["text_en"]
    hazards = [r for r in results if r["hazard_id"] is not None]
    trail = [
        {
            "at": local_time(a.at, tz),
            "by": a.actor_name,
            "reason": a.reason,
            "changes": [
                (k, v[0] if len(v) > 0 else None, v[1] if len(v) > 1 else None)
                for k, v in a.changes.items()
            ],
        }
        for a in info["amendments"]
    ]
    return _page(
        request,
        "inspection/detail.html",
        status_code=status,
        principal=principal,
        i=view.inspection_row(inspection, tz),
        inspection=inspection,
        info=info,
        submitted_at=local_time(inspection.submitted_at, tz),
        groups=view.grouped(results),
        hazards=hazards,
        trail=trail,
        may_amend=amendments.may_amend(principal, inspection),
        outcomes=[(o.value, o.label(lang)) for o in Outcome],
        error=error,
        posted=posted or {},
        done=request.query_params.get("done"),
    )


@router.get("/inspections/{inspection_id}")
def inspection_page(
    inspection_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return _detail_page(request, session, principal, inspection_id)


def _changes(inspection: Inspection, form: FormData) -> list[dict[str, Any]]:
    """Only what the amendment form changed: an outcome chosen, a note edited."""
    out = []
    for r in inspection.results:
        change: dict[str, Any] = {}
        outcome = form.get(f"outcome-{r.item_id}")
        if isinstance(outcome, str) and outcome and outcome != r.outcome.value:
            change["outcome"] = outcome
        note = form.get(f"note-{r.item_id}")
        if isinstance(note, str) and (note.strip() or None) != (r.note or None):
            change["note"] = note.strip() or None
        if change:
            out.append({"item_id": r.item_id, **change})
    return out


@router.post("/inspections/{inspection_id}/amend")
def inspection_amend(
    inspection_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    inspection = submission.get(session=session, principal=principal, id=inspection_id)
    if not amendments.may_amend(principal, inspection):
        raise Forbidden("only the inspecting organisation or a regulator may amend an inspection")
    note: Any = amendments.UNSET
    posted_note = form.get("note")
    if isinstance(posted_note, str) and (posted_note.strip() or None) != inspection.note:
        note = posted_note
    reason = form.get("reason")
    try:
        amendments.amend(
            session=session,
            principal=principal,
            id=inspection_id,
            reason=reason if isinstance(reason, str) else "",
            results=_changes(inspection, form),
            note=note,
            tz=request.app.state.settings.timezone,
        )
    except GasWardenError as exc:
        session.rollback()
        title = exc.title_zh if page_lang(request) == "zh" else exc.title
        posted = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        return _detail_page(
            request,
            session,
            principal,
            inspection_id,
            error=f"{title}: {exc.detail}",
            posted=posted,
            status=exc.status_code,
        )
    return RedirectResponse(f"/inspections/{inspection_id}?done=amend#amendments", status_code=303)
