"""Bottle-to-pipe conversion (瓶改管) under /api/v1: applications (counter staff and apps),
their steps (survey, quote, contract, works, connect, refuse, cancel, note), progress
statistics, and the regulator's quota tables and packages. Money amounts are decimal strings.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import create_model
from sqlalchemy.orm import Session

from gaswarden.core.api import split_query
from gaswarden.core.pagination import PageParams
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.conversion import applications, quote, stats, survey, tariff
from gaswarden.domains.conversion.models import ConversionApplication
from gaswarden.domains.conversion.schemas import (
    ApplicationCreate,
    ApplicationDetail,
    ApplicationPage,
    ApplicationRead,
    EventRead,
    PackageCreate,
    PackageRead,
    PackageUpdate,
    Progress,
    QuotaItemIn,
    QuotaItemRead,
    QuotaItemUpdate,
    QuotaTableCreate,
    QuotaTableRead,
    QuotaTableUpdate,
    QuoteIn,
    QuoteLineRead,
    RefuseIn,
    StepNote,
    SurveyIn,
)

TAG = "conversion"
PATH = "/conversions"
router = APIRouter(tags=[TAG])

ApplicationQuery: Any = create_model(
    "ConversionQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in applications.FILTERS.filters},  # type: ignore[call-overload]
)
ApplicationFilters: Any = applications.FILTERS.query_model("ConversionFilters")


def read(app: ConversionApplication) -> ApplicationRead:
    out = ApplicationRead.model_validate(app)
    out.customer_code = app.customer.code if app.customer else None
    out.package_name = app.package.name if app.package else None
    return out


def detail(session: Session, app: ConversionApplication) -> ApplicationDetail:
    return ApplicationDetail(
        **read(app).model_dump(),
        lines=[QuoteLineRead.model_validate(line) for line in app.lines],
        timeline=[
            EventRead.model_validate(e) for e in applications.timeline(session=session, app=app)
        ],
    )


# ---- applications -------------------------------------------------------------------------------
@router.get(PATH, response_model=ApplicationPage, summary="List conversions 瓶改管申请")
def list_applications(
    query: Annotated[ApplicationQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> ApplicationPage:
    params, filters = split_query(query)
    page = applications.get_all(
        session=session, principal=principal, params=params, filters=filters
    )
    return ApplicationPage(
        items=[read(a) for a in page.items], total=page.total, page=page.page, size=page.size
    )


@router.get(f"{PATH}/statistics", response_model=Progress, summary="Progress 瓶改管进度统计")
def statistics(
    query: Annotated[ApplicationFilters, Query()],
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> Progress:
    filters = {k: v for k, v in query.model_dump().items() if v is not None}
    return Progress.model_validate(
        stats.progress(session=session, principal=principal, filters=filters, tz=settings.timezone)
    )


@router.post(PATH, response_model=ApplicationDetail, status_code=status.HTTP_201_CREATED)
def create_application(
    body: ApplicationCreate, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> ApplicationDetail:
    app = applications.apply(
        session=session, principal=principal, tz=settings.timezone, **body.model_dump()
    )
    return detail(session, app)


@router.get(f"{PATH}/{{app_id}}", response_model=ApplicationDetail)
def read_application(
    app_id: int, session: SessionDep, principal: PrincipalDep
) -> ApplicationDetail:
    return detail(session, applications.get(session=session, principal=principal, id=app_id))


@router.get(f"{PATH}/{{app_id}}/timeline", response_model=list[EventRead])
def read_timeline(app_id: int, session: SessionDep, principal: PrincipalDep) -> list[EventRead]:
    app = applications.get(session=session, principal=principal, id=app_id)
    return [EventRead.model_validate(e) for e in applications.timeline(session=session, app=app)]


@router.post(f"{PATH}/{{app_id}}/survey", response_model=ApplicationDetail)
def survey_step(
    app_id: int, body: SurveyIn, session: SessionDep, principal: PrincipalDep
) -> ApplicationDetail:
    app = survey.survey(session=session, principal=principal, id=app_id, **body.model_dump())
    return detail(session, app)


@router.post(f"{PATH}/{{app_id}}/quote", response_model=ApplicationDetail)
def quote_step(
    app_id: int, body: QuoteIn, session: SessionDep, principal: PrincipalDep
) -> ApplicationDetail:
    lines = (
        [quote.PlanLine(line.code, line.quantity) for line in body.lines] if body.lines else None
    )
    app = quote.make_quote(
        session=session,
        principal=principal,
        id=app_id,
        package_id=body.package_id,
        lines=lines,
        note=body.note,
    )
    return detail(session, app)


@router.post(f"{PATH}/{{app_id}}/contract", response_model=ApplicationDetail)
def contract_step(
    app_id: int, body: StepNote, session: SessionDep, principal: PrincipalDep
) -> ApplicationDetail:
    app = applications.contract(session=session, principal=principal, id=app_id, note=body.note)
    return detail(session, app)


@router.post(f"{PATH}/{{app_id}}/start", response_model=ApplicationDetail)
def start_step(
    app_id: int, body: StepNote, session: SessionDep, principal: PrincipalDep
) -> ApplicationDetail:
    app = applications.start_works(session=session, principal=principal, id=app_id, note=body.note)
    return detail(session, app)


@router.post(f"{PATH}/{{app_id}}/connect", response_model=ApplicationDetail)
def connect_step(
    app_id: int, body: StepNote, session: SessionDep, principal: PrincipalDep
) -> ApplicationDetail:
    app = applications.connect(session=session, principal=principal, id=app_id, note=body.note)
    return detail(session, app)


@router.post(f"{PATH}/{{app_id}}/refuse", response_model=ApplicationDetail)
def refuse_step(
    app_id: int, body: RefuseIn, session: SessionDep, principal: PrincipalDep
) -> ApplicationDetail:
    app = applications.refuse(
        session=session, principal=principal, id=app_id, reason=body.reason, note=body.note
    )
    return detail(session, app)


@router.post(f"{PATH}/{{app_id}}/cancel", response_model=ApplicationDetail)
def cancel_step(
    app_id: int, body: StepNote, session: SessionDep, principal: PrincipalDep
) -> ApplicationDetail:
    app = applications.cancel(session=session, principal=principal, id=app_id, note=body.note)
    return detail(session, app)


@router.post(f"{PATH}/{{app_id}}/note", response_model=ApplicationDetail)
def note_step(
    app_id: int, body: StepNote, session: SessionDep, principal: PrincipalDep
) -> ApplicationDetail:
    applications.add_note(session=session, principal=principal, id=app_id, note=body.note)
    return detail(session, applications.get(session=session, principal=principal, id=app_id))


# ---- quota tables -------------------------------------------------------------------------------
QUOTA = "/conversion-quota-tables"


@router.get(QUOTA, response_model=list[QuotaTableRead], summary="Quota tables 工程定额")
def list_tables(session: SessionDep, principal: PrincipalDep) -> list[QuotaTableRead]:
    return [QuotaTableRead.model_validate(t) for t in tariff.list_tables(session=session)]


@router.post(QUOTA, response_model=QuotaTableRead, status_code=status.HTTP_201_CREATED)
def create_table(
    body: QuotaTableCreate, session: SessionDep, principal: PrincipalDep
) -> QuotaTableRead:
    data = body.model_dump()
    table = tariff.create_table(session=session, principal=principal, **data)
    return QuotaTableRead.model_validate(table)


@router.get(f"{QUOTA}/{{table_id}}", response_model=QuotaTableRead)
def read_table(table_id: int, session: SessionDep, principal: PrincipalDep) -> QuotaTableRead:
    return QuotaTableRead.model_validate(tariff.get_table(session=session, id=table_id))


@router.patch(f"{QUOTA}/{{table_id}}", response_model=QuotaTableRead)
def update_table(
    table_id: int, body: QuotaTableUpdate, session: SessionDep, principal: PrincipalDep
) -> QuotaTableRead:
    table = tariff.update_table(
        session=session, principal=principal, id=table_id, data=body.model_dump(exclude_unset=True)
    )
    return QuotaTableRead.model_validate(table)


@router.post(f"{QUOTA}/{{table_id}}/activate", response_model=QuotaTableRead)
def activate_table(table_id: int, session: SessionDep, principal: PrincipalDep) -> QuotaTableRead:
    return QuotaTableRead.model_validate(
        tariff.activate(session=session, principal=principal, id=table_id)
    )


@router.delete(f"{QUOTA}/{{table_id}}", status_code=status.HTTP_204_NO_CONTENT)
def delete_table(table_id: int, session: SessionDep, principal: PrincipalDep) -> Response:
    tariff.delete_table(session=session, principal=principal, id=table_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    f"{QUOTA}/{{table_id}}/items",
    response_model=QuotaItemRead,
    status_code=status.HTTP_201_CREATED,
)
def add_item(
    table_id: int, body: QuotaItemIn, session: SessionDep, principal: PrincipalDep
) -> QuotaItemRead:
    item = tariff.add_item(
        session=session, principal=principal, table_id=table_id, data=body.model_dump()
    )
    return QuotaItemRead.model_validate(item)


@router.patch(f"{QUOTA}/{{table_id}}/items/{{item_id}}", response_model=QuotaItemRead)
def update_item(
    table_id: int,
    item_id: int,
    body: QuotaItemUpdate,
    session: SessionDep,
    principal: PrincipalDep,
) -> QuotaItemRead:
    item = tariff.update_item(
        session=session,
        principal=principal,
        table_id=table_id,
        item_id=item_id,
        data=body.model_dump(exclude_unset=True),
    )
    return QuotaItemRead.model_validate(item)


@router.delete(f"{QUOTA}/{{table_id}}/items/{{item_id}}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(
    table_id: int, item_id: int, session: SessionDep, principal: PrincipalDep
) -> Response:
    tariff.delete_item(session=session, principal=principal, table_id=table_id, item_id=item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- packages -----------------------------------------------------------------------------------
PACKAGES = "/conversion-packages"


@router.get(PACKAGES, response_model=list[PackageRead], summary="Packages 套餐")
def list_packages(
    session: SessionDep, principal: PrincipalDep, active: bool | None = None
) -> list[PackageRead]:
    return [
        PackageRead.model_validate(p)
        for p in tariff.list_packages(session=session, active_only=bool(active))
    ]


@router.post(PACKAGES, response_model=PackageRead, status_code=status.HTTP_201_CREATED)
def create_package(
    body: PackageCreate, session: SessionDep, principal: PrincipalDep
) -> PackageRead:
    package = tariff.create_package(session=session, principal=principal, **body.model_dump())
    return PackageRead.model_validate(package)


@router.patch(f"{PACKAGES}/{{package_id}}", response_model=PackageRead)
def update_package(
    package_id: int, body: PackageUpdate, session: SessionDep, principal: PrincipalDep
) -> PackageRead:
    package = tariff.update_package(
        session=session,
        principal=principal,
        id=package_id,
        data=body.model_dump(exclude_unset=True),
    )
    return PackageRead.model_validate(package)


@router.delete(f"{PACKAGES}/{{package_id}}", status_code=status.HTTP_204_NO_CONTENT)
def delete_package(package_id: int, session: SessionDep, principal: PrincipalDep) -> Response:
    tariff.delete_package(session=session, principal=principal, id=package_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
