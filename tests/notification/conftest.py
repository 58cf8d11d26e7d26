"""Real receivers for the notification tests: an HTTP server (webhooks and the SMS gateway)
and an SMTP server (aiosmtpd), both on free local ports; a sender bound to the test's
transaction."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    method: str
    path: str
    headers: Message  # case-insensitive, as HTTP header names are
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Answers `fail_first` requests with 503, then 200; keeps every request."""

    url: str
    requests: list[Received] = field(default_factory=list)
    fail_first: int = 0


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    state = HttpReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(Received(self.command, self.path, self.headers, body))
            failing = len(state.requests) <= state.fail_first
            self.send_response(503 if failing else 200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": false}' if failing else b'{"ok": true}')

        do_POST = _handle
        do_GET = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Mailbox]]:
    mailbox = _Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, mailbox
    controller.stop()


@pytest.fixture
def notify_settings(settings: Settings) -> Settings:
    """Short retry intervals; no SMTP server or SMS gateway unless a test sets one."""
    return settings.model_copy(
        update={
            "notify_retry_base_s": 2.0,
            "notify_retry_max_s": 10.0,
            "notify_max_attempts": 4,
            "notify_timeout_s": 5.0,
            "smtp_starttls": False,
        }
    )


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """What the sender opens its transactions with: SAVEPOINTs in the test's transaction."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
