"""Front-end packages served from the npm install (package.json + package-lock.json):
the KRDS kit, the Pretendard GOV font and htmx. Nothing comes from a CDN."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

NODE_MODULES = Path(__file__).resolve().parents[3] / "node_modules"
# The public name of each package and the folder of it the pages may load.
PACKAGES = {
    "krds": "krds-uiux/resources",
    "pretendard": "pretendard-gov/dist/web",
    "htmx": "htmx.org/dist",
}

bp = Blueprint("assets", __name__)


def node_modules() -> Path:
    configured = current_app.config.get("PORTAL_NODE_MODULES") or os.environ.get(
        "PORTAL_NODE_MODULES"
    )
    return Path(configured) if configured else NODE_MODULES


@bp.get("/assets/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    folder = PACKAGES.get(package)
    if folder is None:
        abort(404)
    # The kit's component.css points one `img/` too deep (../../img/img/...).
    filename = filename.replace("img/img/", "img/", 1)
    return send_from_directory(node_modules() / folder, filename, max_age=86400)
