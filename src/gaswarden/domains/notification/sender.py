"""The sender: take due outbox rows, deliver them, record the outcome; retry with back-off.

A round is three steps so that no database lock is held while talking to the far end:
`claim` (a short transaction: due rows are taken — FOR UPDATE SKIP LOCKED on PostgreSQL —
counted as an attempt and moved on by a lease), delivery (no transaction), `settle` (a short
transaction: sent, or failed with the next attempt after base x 2^(n-1) capped, or dead after
the last attempt). A sender that dies mid-round leaves its rows to come back when the lease
ends. Several senders may run at once.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.db.base import utcnow
from gaswarden.db.session import unit_of_work
from gaswarden.domains.notification import channels, messages
from gaswarden.domains.notification.enums import Channel, DeliveryStatus
from gaswarden.domains.notification.models import Notification, Subscription
from gaswarden.settings import Settings

log = logging.getLogger(__name__)
_DUE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
_PARALLEL = 8  # deliveries at once in a round: one slow endpoint does not hold up the rest


@dataclass(frozen=True)
class Job:
    id: int
    channel: Channel
    target: str
    payload: dict[str, Any]
    secret: str | None
    attempts: int


def backoff_s(attempts: int, settings: Settings) -> float:
    """Seconds before the next try after `attempts` failed ones: base, 2x base, ... capped."""
    return min(
        settings.notify_retry_base_s * 2 ** max(0, attempts - 1), settings.notify_retry_max_s
    )


def claim(session: Session, settings: Settings, *, now: datetime, limit: int) -> list[Job]:
    stmt = (
        select(Notification, Subscription.secret)
        .outerjoin(Subscription, Subscription.id == Notification.subscription_id)
        .where(Notification.status.in_(_DUE), Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Notification, skip_locked=True)
    jobs = []
    lease = timedelta(seconds=settings.notify_lease_s)
    for row, secret in session.execute(stmt).all():
        row.attempts += 1
        row.next_attempt_at = now + lease
        jobs.append(Job(row.id, row.channel, row.target, dict(row.payload), secret, row.attempts))
    session.flush()
    return jobs


def deliver(job: Job, settings: Settings, *, now: datetime) -> None:
    """One attempt; raises DeliveryError (or ValueError for a bad template) on failure.
    Times in the notice are rendered in the deployment's zone (`settings.timezone`)."""
    p = messages.localise(job.payload, settings.timezone)
    if job.channel is Channel.WEBHOOK:
        secret = job.secret or settings.webhook_secret
        if not secret:
            raise channels.DeliveryError(
                "no webhook secret (subscription or GASWARDEN_WEBHOOK_SECRET)"
            )
        channels.post_webhook(
            job.target,
            p,
            secret=secret,
            delivery_id=job.id,
            timestamp=int(now.timestamp()),
            timeout=settings.notify_timeout_s,
        )
    elif job.channel is Channel.EMAIL:
        channels.send_email(
            settings, job.target, messages.subject(p), messages.email_body(p, settings.public_url)
        )
    else:
        channels.send_sms(settings, job.target, messages.sms_text(p, settings.sms_template))


def attempt(job: Job, settings: Settings, *, now: datetime) -> str | None:
    """None when delivered, else the reason it was not."""
    try:
        deliver(job, settings, now=now)
    except (channels.DeliveryError, ValueError) as exc:
        return str(exc) or type(exc).__name__
    except Exception as exc:  # a transport bug must not stop the sender; it is recorded
        log.exception("delivery %s failed unexpectedly", job.id)
        return f"{type(exc).__name__}: {exc}"
    return None


def settle(
    session: Session, settings: Settings, outcomes: list[tuple[Job, str | None]], *, now: datetime
) -> Counter[str]:
    counts: Counter[str] = Counter()
    for job, error in outcomes:
        row = session.get(Notification, job.id)
        if row is None or row.status in (DeliveryStatus.SENT, DeliveryStatus.DEAD):
            continue
        if error is None:
            row.status, row.sent_at, row.last_error = DeliveryStatus.SENT, now, None
        elif row.attempts >= settings.notify_max_attempts:
            row.status, row.last_error = DeliveryStatus.DEAD, error[:500]
            log.warning("notification %s dead after %s attempts: %s", row.id, row.attempts, error)
        else:
            row.status, row.last_error = DeliveryStatus.FAILED, error[:500]
            row.next_attempt_at = now + timedelta(seconds=backoff_s(row.attempts, settings))
        counts[row.status.value] += 1
    session.flush()
    return counts


def run_once(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    now: datetime | None = None,
    limit: int | None = None,
) -> Counter[str]:
    """One round; `now` fixes the clock (tests). Returns how many rows ended in which status."""
    start = now or utcnow()
    with unit_of_work(factory) as session:
        jobs = claim(session, settings, now=start, limit=limit or settings.notify_batch)
    if not jobs:
        return Counter()
    with ThreadPoolExecutor(max_workers=min(_PARALLEL, len(jobs))) as pool:
        errors = list(pool.map(lambda j: attempt(j, settings, now=start), jobs))
    with unit_of_work(factory) as session:
        return settle(session, settings, list(zip(jobs, errors, strict=True)), now=now or utcnow())


def run(
    factory: sessionmaker[Session],
    settings: Settings,
    stop: threading.Event,
    *,
    on_round: Callable[[Counter[str]], None] | None = None,
) -> Counter[str]:
    """Rounds until `stop` is set; a full round goes again at once, otherwise it waits."""
    total: Counter[str] = Counter()
    while not stop.is_set():
        try:
            counts = run_once(factory, settings)
        except Exception:  # the database may be away for a while: keep trying
            log.exception("notification round failed")
            counts = Counter()
        total.update(counts)
        if counts and on_round is not None:
            on_round(counts)
        if sum(counts.values()) < settings.notify_batch:
            stop.wait(settings.notify_poll_s)
    return total
