"""Generic list / detail / new / edit / delete pages for every registry resource, driven by
the resource's CrudService (scope, filters, references, validation, audit) and schemas."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal
from gaswarden.core.errors import GasWardenError, Invalid
from gaswarden.core.i18n import field_label, t
from gaswarden.core.pagination import PageParams
from gaswarden.deps import SessionDep
from gaswarden.domains.audit import service as audit
from gaswarden.web.audit import entries_view
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.forms import FormField, build_fields, parse_form, ref_options
from gaswarden.web.present import Presenter, Refs
from gaswarden.web.render import page_lang, render
from gaswarden.web.resources import RESOURCES, Resource
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists, with_query


def filter_fields(
    resource: Resource, raw: dict[str, list[str]], session: Session, principal: Principal, lang: str
) -> list[FormField]:
    """The list's filter form, from the FilterSet the service declares (the API uses it too)."""
    references = resource.service.references()
    fields = []
    for flt in resource.service.filters.filters:
        f = FormField(flt.name, flt.label(lang), "text", value=(raw.get(flt.name) or [""])[0])
        if flt.choices is not None:
            f.widget, f.options = "select", flt.choices.choices(lang)
        elif flt.op == "is":
            f.widget = "select"
            f.options = [("true", t("Yes", lang)), ("false", t("No", lang))]
        elif flt.name in references:
            options = ref_options(session, principal, references[flt.name])
            f.widget, f.options = ("number", []) if options is None else ("select", options)
        elif flt.type is date:
            f.widget = "date"
        elif flt.type in (int, float):
            f.widget = "number"
        fields.append(f)
    return fields


def history(
    session: Session, principal: Principal, entity: str, item_id: int, lang: str, tz: str
) -> list[dict[str, Any]] | None:
    """The record's audit entries, newest first, for roles that may read the audit log."""
    if not principal.can(Action.AUDIT_READ):
        return None
    page = audit.get_all(
        session=session,
        principal=principal,
        params=PageParams(size=100, sort="-at"),
        filters={"entity_type": [entity], "entity_id": [item_id]},
    )
    return entries_view(page.items, lang, tz, Refs(session, principal))


def form_errors(errors: dict[str, str]) -> Invalid:
    return Invalid("form", errors=[{"loc": ["body", k], "msg": v} for k, v in errors.items()])


def apply_errors(fields: list[FormField], exc: GasWardenError, lang: str) -> str:
    """Put a service's field errors next to their fields; return the message for the top."""
    by_name = {f.name: f for f in fields}
    unplaced = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", [])]
        name = loc[1] if len(loc) > 1 and loc[0] == "body" else (loc[0] if loc else "")
        if name in by_name:
            by_name[name].error = str(err.get("msg", ""))
        else:
            unplaced.append(str(err.get("msg", "")))
    if isinstance(exc, Invalid) and exc.errors and not unplaced:
        return t("Please correct the fields marked below", lang)
    return exc.detail


def resource_router(res: Resource) -> APIRouter:
    router = APIRouter(prefix=f"/{res.path}", route_class=WebRoute)
    service = res.service

    def can_write(principal: Principal) -> bool:
        return res.create is not None and principal.can(service.write_action)

    @router.get("")
    def list_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
        lang = page_lang(request)
        settings = request.app.state.settings
        raw = query_lists(request)
        error = None
        try:
            filters = service.filters.parse(raw)
        except Invalid as exc:
            filters, error = {}, exc.detail
        q = (request.query_params.get("q") or "").strip() or None
        sort = request.query_params.get("sort") or None
        try:
            page_no = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            page_no = 1
        params = PageParams(page=page_no, size=settings.page_size_default, sort=sort, q=q)
        try:
            page = service.get_all(
                session=session, principal=principal, params=params, filters=filters
            )
        except Invalid as exc:
            error, params.sort = exc.detail, None
            page = service.get_all(
                session=session, principal=principal, params=params, filters=filters
            )
        presenter = Presenter(res, Refs(session, principal), lang, settings.timezone)
        presenter.prefetch(page.items, res.columns)
        rows = []
        for obj in page.items:
            read = res.read.model_validate(obj)
            rows.append((read.id, [presenter.cell(read, c) for c in res.columns]))  # type: ignore[attr-defined]
        headers = []
        for col in res.columns:
            sortable = col in service.filters.sort
            current = sort == col, sort == f"-{col}"
            headers.append(
                {
                    "label": field_label(col, lang),
                    "href": with_query(request, sort=f"-{col}" if current[0] else col, page=None)
                    if sortable
                    else None,
                    "dir": "▲" if current[0] else "▼" if current[1] else "",
                }
            )
        export_query = urlencode(
            [
                ("format", "csv"),
                *(
                    (k, v)
                    for k, v in request.query_params.multi_items()
                    if k not in ("page", "format")
                ),
            ]
        )
        return render(
            request,
            "list.html",
            principal=principal,
            res=res,
            title=t(res.title, lang),
            filters=filter_fields(res, raw, session, principal, lang),
            q=q or "",
            headers=headers,
            rows=rows,
            page=page,
            prev_href=with_query(request, page=page.page - 1) if page.page > 1 else None,
            next_href=with_query(request, page=page.page + 1) if page.page < page.pages else None,
            export_href=f"/api/v1/{res.path}/export?{export_query}",
            can_write=can_write(principal),
            error=error,
        )

    def form_page(
        request: Request,
        principal: Principal,
        fields: list[FormField],
        *,
        item: Any = None,
        item_label: str = "",
        message: str | None = None,
        reason: str = "",
        status: int = 200,
    ) -> Response:
        lang = page_lang(request)
        return render(
            request,
            "form.html",
            status_code=status,
            principal=principal,
            res=res,
            title=t(res.title, lang),
            fields=fields,
            item=item,
            item_label=item_label,
            message=message,
            reason=reason,
            action=f"/{res.path}/{item}/edit" if item is not None else f"/{res.path}/new",
            cancel=f"/{res.path}/{item}" if item is not None else f"/{res.path}",
        )

    @router.get("/new")
    def new_form(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
        if res.create is None:
            raise Invalid(f"{service.entity} records are not created here")
        principal.require(service.write_action)
        fields = build_fields(
            res.create, service, session=session, principal=principal, lang=page_lang(request)
        )
        return form_page(request, principal, fields)

    @router.post("/new")
    def create(
        request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
    ) -> Response:
        if res.create is None:
            raise Invalid(f"{service.entity} records are not created here")
        principal.require(service.write_action)
        lang = page_lang(request)
        fields = build_fields(res.create, service, session=session, principal=principal, lang=lang)
        data, errors = parse_form(fields, form, editing=False)
        reason = str(form.get("reason") or "").strip()
        try:
            if errors:
                raise form_errors(errors)
            obj = service.create(
                session=session, principal=principal, data=data, reason=reason or None
            )
        except GasWardenError as exc:
            session.rollback()
            message = apply_errors(fields, exc, lang)
            return form_page(
                request, principal, fields, message=message, reason=reason, status=exc.status_code
            )
        return RedirectResponse(f"/{res.path}/{obj.id}?saved=1", status_code=303)

    @router.get("/{item_id}")
    def detail(
        item_id: int, request: Request, session: SessionDep, principal: WebPrincipal
    ) -> Response:
        lang = page_lang(request)
        obj = service.get(session=session, principal=principal, id=item_id)
        read = res.read.model_validate(obj)
        presenter = Presenter(
            res, Refs(session, principal), lang, request.app.state.settings.timezone
        )
        return render(
            request,
            "detail.html",
            principal=principal,
            res=res,
            title=t(res.title, lang),
            item_id=item_id,
            item_label=service.label(obj),
            item=obj,
            rows=presenter.rows(read),
            sub_tables=presenter.sub_tables(read),
            created=read.created_at,  # type: ignore[attr-defined]
            updated=read.updated_at,  # type: ignore[attr-defined]
            history=history(
                session,
                principal,
                service.entity,
                item_id,
                lang,
                request.app.state.settings.timezone,
            ),
            can_write=principal.can(service.write_action),
            can_edit=res.update is not None and principal.can(service.write_action),
            saved=request.query_params.get("saved") == "1",
            lonlat=(getattr(obj, "lon", None), getattr(obj, "lat", None)),
        )

    @router.get("/{item_id}/edit")
    def edit_form(
        item_id: int, request: Request, session: SessionDep, principal: WebPrincipal
    ) -> Response:
        if res.update is None:
            raise Invalid(f"{service.entity} records are not edited here")
        principal.require(service.write_action)
        obj = service.get(session=session, principal=principal, id=item_id)
        fields = build_fields(
            res.update,
            service,
            session=session,
            principal=principal,
            lang=page_lang(request),
            current=obj,
        )
        return form_page(request, principal, fields, item=item_id, item_label=service.label(obj))

    @router.post("/{item_id}/edit")
    def edit(
        item_id: int,
        request: Request,
        session: SessionDep,
        principal: WebPrincipal,
        form: CsrfForm,
    ) -> Response:
        if res.update is None:
            raise Invalid(f"{service.entity} records are not edited here")
        principal.require(service.write_action)
        lang = page_lang(request)
        obj = service.get(session=session, principal=principal, id=item_id)
        label = service.label(obj)
        fields = build_fields(
            res.update, service, session=session, principal=principal, lang=lang, current=obj
        )
        data, errors = parse_form(fields, form, editing=True)
        reason = str(form.get("reason") or "").strip()
        try:
            if errors:
                raise form_errors(errors)
            if data:
                service.update(
                    session=session,
                    principal=principal,
                    id=item_id,
                    data=data,
                    reason=reason or None,
                )
        except GasWardenError as exc:
            session.rollback()  # nothing of a failed edit may be committed with the request
            message = apply_errors(fields, exc, lang)
            return form_page(
                request,
                principal,
                fields,
                item=item_id,
                item_label=label,
                message=message,
                reason=reason,
                status=exc.status_code,
            )
        return RedirectResponse(f"/{res.path}/{item_id}?saved=1", status_code=303)

    def delete_page(
        request: Request,
        principal: Principal,
        item_id: int,
        label: str,
        message: str | None = None,
        status: int = 200,
    ) -> Response:
        return render(
            request,
            "delete.html",
            status_code=status,
            principal=principal,
            res=res,
            title=t(res.title, page_lang(request)),
            item_id=item_id,
            item_label=label,
            message=message,
        )

    if res.deletable:

        @router.get("/{item_id}/delete")
        def delete_form(
            item_id: int, request: Request, session: SessionDep, principal: WebPrincipal
        ) -> Response:
            principal.require(service.write_action)
            obj = service.get(session=session, principal=principal, id=item_id)
            return delete_page(request, principal, item_id, service.label(obj))

        @router.post("/{item_id}/delete")
        def delete(
            item_id: int,
            request: Request,
            session: SessionDep,
            principal: WebPrincipal,
            form: CsrfForm,
        ) -> Response:
            obj = service.get(session=session, principal=principal, id=item_id)
            label = service.label(obj)
            reason = str(form.get("reason") or "").strip() or None
            try:
                service.delete(session=session, principal=principal, id=item_id, reason=reason)
            except GasWardenError as exc:
                session.rollback()
                return delete_page(request, principal, item_id, label, exc.detail, exc.status_code)
            return RedirectResponse(f"/{res.path}", status_code=303)

    return router


def router() -> APIRouter:
    combined = APIRouter(route_class=WebRoute)
    for resource in RESOURCES:
        combined.include_router(resource_router(resource))
    return combined
