"""/api/v1/notification-subscriptions (who is told, CRUD) and /api/v1/notifications (the
outbox: every delivery and its outcome, scoped like the alarms).

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import create_model

from gaswarden.core.api import crud_router, split_query
from gaswarden.core.pagination import PageParams
from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.notification import messages, service
from gaswarden.domains.notification.schemas import (
    NotificationCounts,
    NotificationPage,
    NotificationRead,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
    SubscriptionUpdate,
)

PATH = "notification-subscriptions"
router = APIRouter()


@router.post(
    f"/{PATH}",
    response_model=SubscriptionCreated,
    status_code=status.HTTP_201_CREATED,
    tags=["notifications"],
    summary="Create a subscription (a webhook's secret is shown in this answer only)",
)
def create_subscription(
    body: SubscriptionCreate,
    session: SessionDep,
    principal: PrincipalDep,
    reason: str | None = None,
) -> SubscriptionCreated:
    obj = service.subscriptions.create(
        session=session, principal=principal, data=body, reason=reason
    )
    read = SubscriptionRead.model_validate(obj).model_dump()
    return SubscriptionCreated(**read, secret=obj.secret)


router.include_router(
    crud_router(
        service.subscriptions,
        path=PATH,
        create=None,
        update=SubscriptionUpdate,
        read=SubscriptionRead,
        tag="notifications",
    )
)

NotificationQuery: Any = create_model(
    "NotificationQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in service.FILTERS.filters},  # type: ignore[call-overload]
)


@router.get(
    "/notifications", response_model=NotificationPage, tags=["notifications"], summary="Deliveries"
)
def list_notifications(
    request: Request,
    query: Annotated[NotificationQuery, Query()],
    session: SessionDep,
    principal: PrincipalDep,
) -> NotificationPage:
    params, filters = split_query(query)
    page = service.list_notifications(
        session=session, principal=principal, params=params, filters=filters
    )
    return NotificationPage(
        items=[_read(request, n) for n in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


@router.get(
    "/notifications/counts",
    response_model=NotificationCounts,
    tags=["notifications"],
    summary="Deliveries by status and channel (same filters as the list)",
)
def notification_counts(
    query: Annotated[NotificationQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> NotificationCounts:
    _, filters = split_query(query)
    return NotificationCounts(
        **service.counts(session=session, principal=principal, filters=filters)
    )


@router.get(
    "/notifications/{notification_id}", response_model=NotificationRead, tags=["notifications"]
)
def read_notification(
    request: Request, notification_id: int, session: SessionDep, principal: PrincipalDep
) -> NotificationRead:
    row = service.get_notification(session=session, principal=principal, id=notification_id)
    return _read(request, row)


@router.post(
    "/notifications/{notification_id}/retry",
    response_model=NotificationRead,
    tags=["notifications"],
    summary="Send a failed or dead delivery again",
)
def retry_notification(
    request: Request, notification_id: int, session: SessionDep, principal: PrincipalDep
) -> NotificationRead:
    row = service.retry(session=session, principal=principal, id=notification_id)
    return _read(request, row)


def _read(request: Request, row: Any) -> NotificationRead:
    """A delivery as sent: its texts in the deployment's time zone (the stored ones are in
    the default zone; the sender renders them the same way)."""
    out = NotificationRead.model_validate(row)
    out.payload = messages.localise(out.payload, request.app.state.settings.timezone)
    return out
