"""Building cases for the enforcement tests, through the service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.domains.attachment.models import Attachment
from gaswarden.domains.enforcement import service
from gaswarden.domains.enforcement.enums import (
    CaseSource,
    CaseStatus,
    ClosureKind,
    Decision,
    PartyKind,
)
from gaswarden.domains.enforcement.models import EnforcementCase
from gaswarden.domains.site.service import service as sites
from tests.factories import ID_NUMBER

RULE = "《城镇燃气管理条例》第四十五条"
PHONE = "13987654321"


def open_unlicensed(session: Session, principal: Principal, **kw: Any) -> EnforcementCase:
    data: dict[str, Any] = {
        "source": CaseSource.REPORT,
        "party_kind": PartyKind.UNLICENSED,
        "party_name": "张某某",
        "party_contact": PHONE,
        "party_id_number": ID_NUMBER,
        "address": "古楼街道某村东头",
        "lon": 115.915,
        "lat": 36.415,  # in grid g11
        "facts": "群众举报：无证经营液化气充装",
        "rule_violated": RULE,
        **kw,
    }
    return service.open_case(session=session, principal=principal, **data)


def illegal_site(session: Session, code: str = "S-X-ILL", lon: float = 115.93) -> int:
    """A registered illegal filling station with no licensed owner, in grid g11."""
    site = sites.create(
        session=session,
        principal=SYSTEM,
        data={
            "code": code,
            "name": "某村非法充装点",
            "kind": "lpg_filling",
            "lon": lon,
            "lat": 36.43,
        },
    )
    return int(site.id)


def decide_closure(
    session: Session,
    principal: Principal,
    case: EnforcementCase,
    kind: ClosureKind = ClosureKind.FILLING_STATION,
    executed_at: datetime | None = None,
) -> EnforcementCase:
    """Investigate, decide on closure and execute it."""
    service.investigate(session=session, principal=principal, id=case.id)
    service.decide(
        session=session,
        principal=principal,
        id=case.id,
        decision=Decision.CLOSURE,
        decision_no=f"聊东建罚〔2024〕{case.id}号",
        closure_kind=kind,
    )
    service.execute(
        session=session,
        principal=principal,
        id=case.id,
        execution_note="现场查封储罐、拆除充装设备",
        executed_at=executed_at,
    )
    assert case.status is CaseStatus.EXECUTED and case.watched
    return case


def photo(session: Session, principal: Principal, name: str = "scene.jpg") -> int:
    """An uploaded photo not yet linked (the attachment domain stores the file)."""
    a = Attachment(
        filename=name,
        content_type="image/jpeg",
        size=1234,
        sha256="0" * 64,
        uploaded_by_id=principal.user_id,
        uploaded_by_name=principal.username,
    )
    session.add(a)
    session.flush()
    return int(a.id)


def fine(session: Session, principal: Principal, case: EnforcementCase) -> None:
    service.decide(
        session=session,
        principal=principal,
        id=case.id,
        decision=Decision.FINE,
        decision_no="聊东建罚〔2024〕1号",
        fine_yuan=20000,
        rectify_by=date(2030, 1, 1),
    )


def inspection_at(session: Session, site_id: int, at: datetime) -> int:
    """A submitted law-enforcement inspection at a site (rows made directly: the inspection
    service is another domain's; only the columns a case reads matter here)."""
    from uuid import uuid4

    from gaswarden.domains.inspection.enums import ChecklistTarget, InspectionKind
    from gaswarden.domains.inspection.models import (
        ChecklistTemplate,
        ChecklistVersion,
        Inspection,
    )
    from gaswarden.domains.site.models import Site

    site = session.get(Site, site_id)
    assert site is not None
    template = ChecklistTemplate(
        code=f"T-{uuid4().hex[:8]}", name="执法检查表", target=ChecklistTarget.LPG_FILLING
    )
    session.add(template)
    session.flush()
    version = ChecklistVersion(template_id=template.id, number=1)
    session.add(version)
    session.flush()
    inspection = Inspection(
        client_id=uuid4().hex,
        site_id=site.id,
        site_kind=site.kind,
        kind=InspectionKind.ENFORCEMENT,
        version_id=version.id,
        inspector_name="reg_staff",
        owner_id=site.owner_id,
        area_id=site.area_id,
        inspected_at=at,
        n_fail=1,
    )
    session.add(inspection)
    session.flush()
    return int(inspection.id)
