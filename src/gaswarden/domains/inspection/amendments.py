"""Amending a submitted inspection: never edited in place, only corrected with a reason and a
before/after trail (InspectionAmendment + audit). Items newly failed open hazards; hazards of
items no longer failed stay (nothing is deleted) and are told of the correction.
Flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Forbidden, Invalid
from gaswarden.db.base import utcnow
from gaswarden.domains.attachment.service import check_usable
from gaswarden.domains.audit import service as audit
from gaswarden.domains.hazard import service as hazards
from gaswarden.domains.hazard.enums import HazardStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.inspection.enums import Outcome
from gaswarden.domains.inspection.models import Inspection, InspectionAmendment
from gaswarden.domains.inspection.submission import (
    DEFAULT_TZ,
    SUBMITTERS,
    Answer,
    count,
    get,
    link_result_photos,
    open_hazard,
)

UNSET: Any = object()


@dataclass(frozen=True)
class Change:
    """One item's correction; a field left UNSET keeps its value."""

    item_id: int
    outcome: Outcome | None = None
    note: str | None = UNSET
    photo_ids: tuple[int, ...] = ()


def _invalid(loc: list[str | int], msg: str) -> Invalid:
    return Invalid(f"{'.'.join(map(str, loc[1:]))}: {msg}", errors=[{"loc": loc, "msg": msg}])


def parse_changes(results: Sequence[Mapping[str, Any] | Change]) -> list[Change]:
    """From the API: a key that is absent keeps the value (`note: null` clears the note)."""
    out = []
    for n, r in enumerate(results):
        if isinstance(r, Change):
            out.append(r)
            continue
        try:
            note = r.get("note", UNSET)
            out.append(
                Change(
                    item_id=int(r["item_id"]),
                    outcome=Outcome(r["outcome"]) if r.get("outcome") is not None else None,
                    note=(note or "").strip() or None if note is not UNSET else UNSET,
                    photo_ids=tuple(int(i) for i in r.get("photo_ids") or ()),
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise _invalid(["body", "results", n], f"item_id, outcome, note: {exc}") from exc
    return out


def may_amend(principal: Principal, inspection: Inspection) -> bool:
    """The organisation that carried it out, or a regulator."""
    if principal.scope_kind is ScopeKind.ALL:
        return True
    if principal.role not in SUBMITTERS:
        return False
    own = principal.org_id is not None and principal.org_id == inspection.inspector_org_id
    return own or principal.is_regulator


def history(session: Session, inspection: Inspection) -> list[InspectionAmendment]:
    stmt = (
        select(InspectionAmendment)
        .where(InspectionAmendment.inspection_id == inspection.id)
        .order_by(InspectionAmendment.id)
    )
    return list(session.scalars(stmt))


def amend(
    *,
    session: Session,
    principal: Principal,
    id: int,
    reason: str,
    results: Sequence[Mapping[str, Any] | Change] = (),
    note: str | None = UNSET,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> InspectionAmendment:
    """Correct outcomes and notes of a submitted inspection, with the reason and the trail."""
    inspection = get(session=session, principal=principal, id=id, lock=True)
    if not may_amend(principal, inspection):
        raise Forbidden("only the inspecting organisation or a regulator may amend an inspection")
    reason = (reason or "").strip()
    if not reason:
        raise _invalid(["body", "reason"], "say why the inspection is amended")
    now = now or utcnow()
    wanted = parse_changes(results)
    by_item = {r.item_id: r for r in inspection.results}
    seen: set[int] = set()
    for n, c in enumerate(wanted):
        if c.item_id not in by_item:
            raise _invalid(["body", "results", n, "item_id"], "not an item of this inspection")
        if c.item_id in seen:
            raise _invalid(["body", "results", n, "item_id"], "given twice")
        seen.add(c.item_id)
    check_usable(session, principal, [i for c in wanted for i in c.photo_ids], ["body", "results"])

    changes: dict[str, list[Any]] = {}
    newly_failed: list[tuple[Change, Any]] = []
    no_longer_failed: list[Any] = []
    for c in wanted:
        result = by_item[c.item_id]
        code = result.item.code
        if c.outcome is not None and c.outcome is not result.outcome:
            changes[f"{code}.outcome"] = [result.outcome.value, c.outcome.value]
            if c.outcome is Outcome.FAIL:
                newly_failed.append((c, result))
            elif result.outcome is Outcome.FAIL:
                no_longer_failed.append(result)
            result.outcome = c.outcome
        if c.note is not UNSET and c.note != result.note:
            changes[f"{code}.note"] = [result.note, c.note]
            result.note = c.note
    if note is not UNSET:
        note = (note or "").strip() or None
        if note != inspection.note:
            changes["note"] = [inspection.note, note]
            inspection.note = note
    if not changes and not any(c.photo_ids for c in wanted):
        raise _invalid(["body", "results"], "nothing to change")

    before = {"n_pass": inspection.n_pass, "n_fail": inspection.n_fail, "n_na": inspection.n_na}
    count(inspection)
    for key, was in before.items():
        if getattr(inspection, key) != was:
            changes[key] = [was, getattr(inspection, key)]
    inspection.amended = True
    session.flush()

    failed_now = {c.item_id for c, _ in newly_failed}
    for c, result in newly_failed:
        old = session.get(Hazard, result.hazard_id) if result.hazard_id is not None else None
        answer = Answer(c.item_id, Outcome.FAIL, result.note, c.photo_ids)
        if old is not None and old.status is not HazardStatus.CLOSED:
            hazards.comment(
                session=session,
                principal=principal,
                id=old.id,
                note=f"检查记录更正为不合格 Inspection amended to fail: {reason}",
                now=now,
            )
            link_result_photos(session, principal, inspection, result, c.photo_ids)
            continue
        hazard = open_hazard(
            session,
            principal,
            inspection,
            result.item,
            answer,
            found_at=now,
            now=now,
            tz=tz,
            note=f"检查记录更正 Inspection amended: {reason}",
        )
        changes[f"{result.item.code}.hazard"] = [old.code if old else None, hazard.code]
        result.hazard_id = hazard.id
    for result in no_longer_failed:
        if result.hazard_id is not None:
            hazards.comment(
                session=session,
                principal=principal,
                id=result.hazard_id,
                note=f"检查记录更正为{result.outcome.zh} Inspection amended to "
                f"{result.outcome.en.lower()}: {reason}",
                now=now,
            )
    for c in wanted:
        if c.photo_ids and c.item_id not in failed_now:
            result = by_item[c.item_id]
            if result.outcome is Outcome.FAIL and result.hazard_id is not None:
                hazards.comment(  # evidence of a standing failure goes to its hazard's timeline
                    session=session,
                    principal=principal,
                    id=result.hazard_id,
                    note=f"检查记录补充照片 Photos added to the inspection: {reason}",
                    now=now,
                )
            link_result_photos(session, principal, inspection, result, c.photo_ids)
            changes[f"{result.item.code}.photos"] = [None, list(c.photo_ids)]

    amendment = InspectionAmendment(
        inspection_id=inspection.id,
        at=now,
        actor_id=principal.user_id,
        actor_name=principal.username,
        reason=reason[:1000],
        changes=changes,
    )
    session.add(amendment)
    session.flush()
    audit.record(
        session=session,
        principal=principal,
        action="inspection_amend",
        entity_type="inspection",
        entity_id=inspection.id,
        entity_label=f"{inspection.site.name} {inspection.inspected_at:%Y-%m-%d}",
        changes=changes,
        reason=reason[:500],
        owner_id=inspection.owner_id,
        area_id=inspection.area_id,
    )
    return amendment
