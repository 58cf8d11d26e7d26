"""The three ways out: a signed webhook POST, an e-mail through SMTP, an SMS through an HTTP
gateway. Each raises DeliveryError with a short reason when the far end does not take it."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from gaswarden import __version__
from gaswarden.settings import Settings

SIGNATURE_HEADER = "X-GasWarden-Signature"
TIMESTAMP_HEADER = "X-GasWarden-Timestamp"
DELIVERY_HEADER = "X-GasWarden-Delivery"
USER_AGENT = f"GasWarden/{__version__}"


class DeliveryError(Exception):
    """The far end refused or did not answer; the sender retries later."""


def sign(body: bytes, secret: str) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the exact request body with the subscription's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str | None) -> bool:
    """What a receiver does (documented in docs/deploy.md); constant-time comparison."""
    return bool(header) and hmac.compare_digest(sign(body, secret), header or "")


def _http(request: urllib.request.Request, timeout: float) -> None:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"no answer: {reason}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")


def webhook_body(payload: dict[str, Any], *, delivery_id: int, timestamp: int) -> bytes:
    """The payload with the delivery id and the timestamp inside, so the signature binds them."""
    doc = {**payload, "delivery_id": delivery_id, "timestamp": timestamp}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()


def post_webhook(
    url: str,
    payload: dict[str, Any],
    *,
    secret: str,
    delivery_id: int,
    timestamp: int,
    timeout: float,
) -> None:
    body = webhook_body(payload, delivery_id=delivery_id, timestamp=timestamp)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(body, secret),
            TIMESTAMP_HEADER: str(timestamp),
            DELIVERY_HEADER: str(delivery_id),
        },
    )
    _http(request, timeout)


def send_email(settings: Settings, to: str, subject: str, body: str) -> None:
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server: set GASWARDEN_SMTP_HOST")
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="gaswarden")
    msg.set_content(body, charset="utf-8")
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.notify_timeout_s
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(msg)
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {exc.smtp_code} {exc.smtp_error!r}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {exc}") from exc


def send_sms(settings: Settings, phone: str, text: str) -> None:
    """GET with the phone and text as query parameters, or POST them as JSON; `{phone}` and
    `{text}` in the gateway URL are filled in (URL-encoded) as well."""
    url = settings.sms_gateway_url
    if not url:
        raise DeliveryError("no SMS gateway: set GASWARDEN_SMS_GATEWAY_URL")
    url = url.replace("{phone}", urllib.parse.quote(phone)).replace(
        "{text}", urllib.parse.quote(text)
    )
    fields = {settings.sms_phone_field: phone, settings.sms_text_field: text}
    headers = {"User-Agent": USER_AGENT}
    if settings.sms_auth_header:
        name, _, value = settings.sms_auth_header.partition(":")
        headers[name.strip()] = value.strip()
    data: bytes | None = None
    if settings.sms_method == "GET":
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(fields)
    else:
        data = json.dumps(fields, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json; charset=utf-8"
    request = urllib.request.Request(url, data=data, method=settings.sms_method, headers=headers)
    _http(request, settings.notify_timeout_s)
