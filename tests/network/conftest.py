"""Fixtures for the pipe-network engine tests: the small hand-built net (see nets.py)."""

from __future__ import annotations

import pytest
from pandapipes import pandapipesNet

from gaswarden.network.hydraulics import Solver
from tests.network.nets import small_net


@pytest.fixture
def net() -> pandapipesNet:
    return small_net()


@pytest.fixture(scope="module")
def solver() -> Solver:
    return Solver(small_net())
