"""Where a stored network's next pressure monitors should go (the greedy placement of
`gaswarden.network.placement`), with its bound monitors as the ones that exist.

The placement simulates leaks with the linear model and adds, one at a time, the site that
locates the most of them within 200 m. The shares shown are measured afresh on another set of
simulated leaks (`EVAL_SEED`): the set the placement chose by flatters its own choice. The
share is placement's smooth measure, 1 − mean(min(error, 200 m))/200 m, which moves with the
share of leaks located within 200 m.

Cost: the placement's many small matrix products run on one BLAS thread (OpenBLAS spreading
40 × 400 products over busy cores made 20 sensors on Schutterwald take 14 s instead of 0.5 s).
With the figures below, 20 sensors on Schutterwald (1,053 mains junctions) take about 3 s;
the answer is kept per process by the network's version, its monitors and k.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Invalid
from gaswarden.domains.device.models import Device
from gaswarden.domains.network import service
from gaswarden.domains.network.enums import SensorQuantity
from gaswarden.domains.network.loaded import Loaded, load
from gaswarden.domains.network.models import NetworkJunction, NetworkSensor
from gaswarden.network.placement import greedy
from gaswarden.network.topology import junction_ids, mains_junctions, positions

RADIUS_M = 200.0  # the criterion: a leak located within 200 m
MAX_K = 40
# Practice values for a request of a few seconds (see the module's docstring).
CANDIDATES = 1200  # simulated-leak junctions: the mains, or a seeded sample of larger nets
N_LEAKS = 100
SITES_PER_STEP = 15
POINT_SUBSET = 300
SEED = 0
EVAL_LEAKS, EVAL_SUBSET, EVAL_SEED = 300, CANDIDATES, 1  # the independent measure (all points)
KEEP = 16  # answers per process

_Key = tuple[int, datetime | None, tuple[int, ...], int]
_cache: OrderedDict[_Key, dict[str, Any]] = OrderedDict()
_guard = threading.Lock()


def _monitors(session: Session, network_id: int) -> list[tuple[int, str]]:
    """(junction label, serial) of the network's bound pressure monitors."""
    rows = session.execute(
        select(NetworkSensor.junction, Device.serial)
        .join(Device, Device.id == NetworkSensor.device_id)
        .where(
            NetworkSensor.network_id == network_id,
            NetworkSensor.quantity == SensorQuantity.PRESSURE,
        )
        .order_by(NetworkSensor.junction)
    ).all()
    return [(int(j), str(s)) for j, s in rows]


def _junctions(session: Session, network_id: int, labels: list[int]) -> dict[int, Any]:
    rows = session.scalars(
        select(NetworkJunction).where(
            NetworkJunction.network_id == network_id, NetworkJunction.index.in_(labels)
        )
    ).all()
    return {r.index: r for r in rows}


def _share(loaded: Loaded, sensors: list[int], candidates: Any) -> float:
    """The measure for a set of sensor positions, on the independent simulated leaks: the
    set's last sensor "added" to the others (greedy's step with one site to try)."""
    if not sensors:
        return 0.0
    scored = greedy(
        loaded.solver, 1, loaded.geometry, existing=sensors[:-1], sites=sensors[-1:],
        candidates=candidates, n_leaks=EVAL_LEAKS, sites_per_step=1,
        point_subset=EVAL_SUBSET, radius_m=RADIUS_M, seed=EVAL_SEED,
    )  # fmt: skip
    return scored.share_within[0] if scored.share_within else 0.0


def _place(loaded: Loaded, existing: list[int], k: int) -> tuple[list[int], list[float]]:
    """(added junction labels, the share with the existing ones only, then after each)."""
    net = loaded.net
    mains = mains_junctions(net)
    rng = np.random.default_rng(SEED)
    cand = mains if len(mains) <= CANDIDATES else np.sort(rng.choice(mains, CANDIDATES, False))
    where = positions(net, existing)
    have = [int(p) for p in where[where >= 0]]
    with loaded.lock, threadpool_limits(limits=1, user_api="blas"):
        placed = greedy(
            loaded.solver, k, loaded.geometry, existing=have, sites=mains, candidates=cand,
            n_leaks=N_LEAKS, sites_per_step=SITES_PER_STEP, point_subset=POINT_SUBSET,
            radius_m=RADIUS_M, seed=SEED,
        )  # fmt: skip
        chosen = [*have, *placed.added]
        shares = [_share(loaded, chosen[:n], cand) for n in range(len(have), len(chosen) + 1)]
    ids = junction_ids(net)
    return [int(ids[p]) for p in placed.added], shares


def suggest(*, session: Session, principal: Principal, id: int, k: int = 20) -> dict[str, Any]:
    """The network's monitors and `k` more, ranked, each with the share after adding it."""
    if not 1 <= k <= MAX_K:
        raise Invalid(f"k: 1 到 {MAX_K} / k must be between 1 and {MAX_K}")
    network = service.get_network(session=session, principal=principal, id=id)
    monitors = _monitors(session, network.id)
    existing = sorted({j for j, _ in monitors})
    key: _Key = (network.id, network.updated_at, tuple(existing), k)
    with _guard:
        hit = _cache.get(key)
    if hit is None:
        added, shares = _place(load(network), existing, k)
        hit = {"added": added, "shares": shares}
        with _guard:
            _cache[key] = hit
            while len(_cache) > KEEP:
                _cache.popitem(last=False)
    rows = _junctions(session, network.id, [*existing, *hit["added"]])

    def where(j: int) -> dict[str, Any]:
        r = rows.get(j)
        return {
            "junction": j,
            "name": r.name if r is not None else None,
            "lon": r.lon if r is not None else None,
            "lat": r.lat if r is not None else None,
        }

    return {
        "network_id": network.id,
        "k": k,
        "radius_m": RADIUS_M,
        "existing": [{**where(j), "serial": s} for j, s in monitors],
        "share_existing": round(hit["shares"][0], 4),
        "suggestions": [
            {"rank": n, **where(j), "share_within_200m": round(share, 4)}
            for n, (j, share) in enumerate(zip(hit["added"], hit["shares"][1:], strict=True), 1)
        ],
    }
