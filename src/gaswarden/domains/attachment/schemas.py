from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, computed_field


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    uploaded_at: datetime
    uploaded_by_name: str
    entity_type: str | None
    entity_id: int | None
    role: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/api/v1/attachments/{self.id}"
