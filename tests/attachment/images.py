"""Small real images made with Pillow, and things that only pretend to be images."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (16, 12), colour: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt)
    return buf.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG", colour="blue")
WEBP = image_bytes("WEBP", colour="green")
SCRIPT = b"<html><script>fetch('/api/v1/users').then(r=>r.text()).then(alert)</script></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(1)</script><rect width="10" height="10" fill="red"/></svg>'
)
TEXT = "检查记录：一切正常\n".encode()
