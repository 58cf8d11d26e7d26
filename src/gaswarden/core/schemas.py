"""Field types shared by the domains' schemas: masked personal data, checked identifiers,
coordinates and GeoJSON geometries."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gaswarden.core.protect import mask_id_number, mask_phone

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{3,8})$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def check_phone(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    value = value.strip().replace(" ", "")
    if not _PHONE.match(value):
        raise ValueError("not a phone number: 11-digit mobile (1xxxxxxxxxx) or 0xxx-xxxxxxx")
    return value


def check_id_number(value: str | None) -> str | None:
    """Resident ID number with its GB 11643-1999 check digit (ISO 7064 MOD 11-2)."""
    if value is None or value == "":
        return None
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValueError("an ID number has 17 digits and a check character (digit or X)")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValueError("ID number check digit is wrong (GB 11643)")
    return value


def id_number_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _check_polygon(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return _check_geometry(value, ("Polygon", "MultiPolygon"))


def _check_line_or_point(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return _check_geometry(value, ("Point", "LineString", "MultiLineString"))


def _check_geometry(value: dict[str, Any] | None, kinds: tuple[str, ...]) -> dict[str, Any] | None:
    if value is None:
        return None
    from shapely.geometry import shape

    if value.get("type") not in kinds:
        raise ValueError(f"geometry type must be one of {', '.join(kinds)}")
    try:
        geom = shape(value)
    except Exception as exc:
        raise ValueError(f"not a valid GeoJSON geometry: {exc}") from exc
    if not geom.is_valid:
        raise ValueError("geometry is not valid (self-intersecting or unclosed)")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError("coordinates must be WGS84 longitude/latitude")
    return value


Phone = Annotated[str | None, AfterValidator(check_phone)]
IdNumber = Annotated[str | None, AfterValidator(check_id_number)]
MaskedPhone = Annotated[str | None, AfterValidator(mask_phone)]
MaskedIdNumber = Annotated[str | None, AfterValidator(mask_id_number)]
Longitude = Annotated[float | None, Field(ge=-180, le=180)]
Latitude = Annotated[float | None, Field(ge=-90, le=90)]
PolygonGeometry = Annotated[dict[str, Any] | None, AfterValidator(_check_polygon)]
LineGeometry = Annotated[dict[str, Any] | None, AfterValidator(_check_line_or_point)]


class InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
