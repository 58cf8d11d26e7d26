"""Principals of the test world's users, for calling hazard services directly."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.account.service import principal_for_user_id
from tests.factories import World


def who(session: Session, world: World, username: str) -> Principal:
    principal = principal_for_user_id(session=session, user_id=world.ids[f"user_{username}"])
    assert principal is not None
    return principal
