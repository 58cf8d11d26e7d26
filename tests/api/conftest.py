"""One application per backend for the API tests (building it takes ~0.15 s; these tests make
hundreds of requests in hundreds of tests); each test points it at its own rolled-back
connection, exactly as the root conftest's `client` does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import sessionmaker

from gaswarden.app import create_app
from tests.conftest import Database


@pytest.fixture(scope="session")
def api_app(database: Database) -> FastAPI:
    return create_app(database.settings, session_factory=sessionmaker())


@pytest.fixture
def client(connection: Connection, api_app: FastAPI) -> Iterator[TestClient]:
    api_app.state.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    with TestClient(api_app) as c:
        yield c
