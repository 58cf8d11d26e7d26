"""Protection of personal data: encryption at rest, keyed digests for lookup, masking."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


def _derive(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"gaswarden:{purpose}:{secret}".encode()).digest()


class Protector:
    """Encrypts personal data (ID numbers, phones, device tokens) with a key from the secret."""

    def __init__(self, secret_key: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, "fernet")))
        self._mac_key = _derive(secret_key, "digest")

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:  # wrong secret key or tampered value
            raise ValueError("protected value cannot be decrypted with this secret key") from exc

    def digest(self, plain: str) -> str:
        """Deterministic keyed digest, so equal values can be found without decrypting."""
        return hmac.new(self._mac_key, plain.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str | None) -> str | None:
    """3715**********1234: keep the region prefix and the last four characters."""
    if not value:
        return value
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 2) + value[-1:]
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """138****5678 for mobile numbers; other numbers keep their first 3 and last 4 digits."""
    if not value:
        return value
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 2) + value[-1:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_for(field: str, value: str | None) -> str | None:
    """Mask a protected value by what the field holds: ID numbers, phones, or anything else."""
    if not value:
        return value
    if "id_number" in field:
        return mask_id_number(value)
    if "phone" in field:
        return mask_phone(value)
    return "***"
