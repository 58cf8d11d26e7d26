"""Emergency contacts (应急联络人): who is told of an incident by its grade. A contact with
`min_grade` X is told of incidents of grade X or more severe (IV: every incident; I: only
grade I). The district's list (owner None) and the responsible enterprise's own list apply."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, object_session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.crud import CrudService
from gaswarden.core.errors import Forbidden
from gaswarden.core.filters import Filter, FilterSet
from gaswarden.domains.emergency.enums import IncidentGrade
from gaswarden.domains.emergency.models import EmergencyContact, Incident
from gaswarden.domains.emergency.schemas import ContactCreate
from gaswarden.domains.emergency.scope import contact_scope, district_area
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations


def told_of(contact_grade: IncidentGrade, incident_grade: IncidentGrade) -> bool:
    """A contact of min_grade X hears of grade X and anything more severe (lower rank)."""
    return incident_grade.rank <= contact_grade.rank


class ContactService(CrudService[EmergencyContact]):
    model = EmergencyContact
    create_schema = ContactCreate
    update_schema = ContactCreate
    entity = "emergency_contact"
    zh, en = "应急联络人", "Emergency contacts"
    filters = FilterSet(
        filters=(
            Filter("owner_id", EmergencyContact.owner_id, type=int, zh="所属单位", en="Owner"),
            Filter(
                "min_grade",
                EmergencyContact.min_grade,
                choices=IncidentGrade,
                zh="通知等级",
                en="Grade",
            ),
        ),
        search=(EmergencyContact.name, EmergencyContact.unit, EmergencyContact.title),
        sort={"sort": EmergencyContact.sort, "name": EmergencyContact.name},
        default_sort=("sort", "name"),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return contact_scope(principal)

    def references(self) -> dict[str, CrudService[Any]]:
        return {"owner_id": organizations}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: EmergencyContact,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        # An enterprise keeps its own list; the district's list is the regulator's.
        if principal.scope_kind is ScopeKind.ORG and obj.owner_id != principal.org_id:
            raise Forbidden("an enterprise keeps its own contact list only")

    def audit_place(self, obj: EmergencyContact) -> tuple[int | None, int | None]:
        session = object_session(obj)
        return obj.owner_id, contact_area(session, obj) if session is not None else None


service = ContactService()


def for_incident(*, session: Session, incident: Incident) -> list[EmergencyContact]:
    """The active contacts to tell of this incident: the district's and the responsible
    enterprise's, whose min_grade the incident's grade reaches."""
    owners: list[ColumnElement[bool]] = [EmergencyContact.owner_id.is_(None)]
    if incident.owner_id is not None:
        owners.append(EmergencyContact.owner_id == incident.owner_id)
    rows = session.scalars(
        select(EmergencyContact)
        .where(EmergencyContact.active, or_(*owners))
        .order_by(
            EmergencyContact.owner_id.is_not(None), EmergencyContact.sort, EmergencyContact.id
        )
    )
    return [c for c in rows if told_of(c.min_grade, incident.grade)]


def contact_area(session: Session, contact: EmergencyContact) -> int | None:
    """Where the audit rows of a contact go: its enterprise's area, else the district's."""
    if contact.owner_id is None:
        return district_area(session)
    org = session.get(Organization, contact.owner_id)
    return org.area_id if org else None
