from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gaswarden.db.base import Base, IdMixin, utcnow
from gaswarden.db.types import UTCDateTime


class Attachment(IdMixin, Base):
    """An uploaded file, stored on disk under the upload directory by its SHA-256.

    Uploaded first (not yet linked: `entity_type` NULL) and linked when the record that uses
    it is saved, e.g. a photo taken offline during an inspection. Scoped like that record
    (owner, area, site copied in when linked); until then only its uploader sees it.
    """

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_entity", "entity_type", "entity_id"),)

    entity_type: Mapped[str | None] = mapped_column(String(40))  # "inspection_result", "hazard"
    entity_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(24))  # "finding", "rectification", "evidence"
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))  # a .docx type is 71 characters
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    uploaded_by_name: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int | None] = mapped_column(index=True)
    area_id: Mapped[int | None] = mapped_column(index=True)
    site_id: Mapped[int | None] = mapped_column(index=True)

    def __str__(self) -> str:
        return self.filename
