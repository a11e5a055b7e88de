"""QR codes as inline SVG (segno), for links a phone should open: a group order's share
link, an authenticator app's otpauth:// address."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str, title: str) -> Markup:
    """segno's own markup; `title` names it for screen readers (WCAG 1.1.1)."""
    return Markup(segno.make(data, error="m").svg_inline(scale=5, title=title))
