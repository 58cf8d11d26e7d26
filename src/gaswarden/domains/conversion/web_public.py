"""The residents' online application form (no sign-in; CSRF, a trap field, a limit per address)
and its receipt."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gaswarden.core.errors import GasWardenError
from gaswarden.core.protect import mask_phone
from gaswarden.deps import SessionDep
from gaswarden.domains.conversion import applications
from gaswarden.domains.conversion import web_view as view
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
)
from gaswarden.domains.conversion.web_pages import (
    PUBLIC,
    TRAP,
    applicant_fields,
    apply_kwargs,
    render_page,
)
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import text as _text
from gaswarden.web.forms import FormField, refill
from gaswarden.web.pages import apply_errors
from gaswarden.web.render import page_lang
from gaswarden.web.routing import WebRoute

router = APIRouter(route_class=WebRoute)


# ---- the public form ----------------------------------------------------------------------------
def _public_fields(session: Session, lang: str, form: FormData | None = None) -> list[FormField]:
    fields = applicant_fields(session, lang)
    by = {f.name: f for f in fields}
    by["applicant_id_number"].label = view.text("ID number (households)", lang)
    company = by["owner_id"]
    if len(company.options) > 1:  # not sure which: by the village chosen, unless the resident knows
        company.required = False
        company.label = view.text("Company (optional)", lang)
    fields.append(FormField("note", view.text("Note", lang), "textarea"))
    return refill(fields, form)


def _public_page(
    request: Request, fields: list[FormField], *, message: str | None = None, status: int = 200
) -> Response:
    return render_page(
        request,
        "conversion/apply.html",
        status_code=status,
        principal=None,
        fields=fields,
        trap=TRAP,
        message=message,
    )


@router.get(PUBLIC)
def public_form(request: Request, session: SessionDep) -> Response:
    return _public_page(request, _public_fields(session, page_lang(request)))


@router.post(PUBLIC)
def public_send(request: Request, session: SessionDep, form: CsrfForm) -> Response:
    lang = page_lang(request)
    fields = _public_fields(session, lang, form)
    if _text(form, TRAP):
        return RedirectResponse(f"{PUBLIC}/done", status_code=303)  # say nothing to a bot
    ip = request.client.host if request.client else None
    try:
        app = applications.apply(
            session=session,
            principal=applications.online_principal(ip),
            channel=ApplicationChannel.ONLINE,
            tz=request.app.state.settings.timezone,
            **apply_kwargs(form),
        )
    except GasWardenError as exc:
        session.rollback()
        message = apply_errors(fields, exc, lang)
        return _public_page(request, fields, message=message, status=exc.status_code)
    request.session["conversion_receipt"] = {
        "code": app.code,
        "phone": mask_phone(app.applicant_phone),
    }
    return RedirectResponse(f"{PUBLIC}/done", status_code=303)


@router.get(f"{PUBLIC}/done")
def public_done(request: Request) -> Response:
    receipt = request.session.pop("conversion_receipt", None) or {}
    return render_page(
        request,
        "conversion/applied.html",
        principal=None,
        code=receipt.get("code"),
        phone=receipt.get("phone"),
    )
