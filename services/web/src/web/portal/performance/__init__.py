"""우선구매 실적 in the portal: the report with its charts and drill-down, targets,
settings, purchases made outside the platform, exports; and the department ranking an
institution may publish (no sign-in). Orders owns every figure and every rule; these pages
show its answers, with the signed-in person's token (a buyer sees what orders lets them)."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from web.identity import current
from web.portal.navigation import BUYERS

bp = Blueprint(
    "performance",
    __name__,
    url_prefix="/performance",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
public_bp = Blueprint("ranking", __name__, url_prefix="/ranking")
EDITORS = ("institution_admin",)

# (endpoint, label, editors only)
NAV = [
    ("performance.report", "실적", False),
    ("performance.targets", "목표 관리", True),
    ("performance.purchases", "외부 구매 실적", True),
    ("performance.exports", "내보내기", False),
    ("performance.settings", "설정", True),
]


def is_editor() -> bool:
    membership = current.current_membership()
    return membership is not None and membership.role in EDITORS


@bp.context_processor
def _section_nav():
    iid = (request.view_args or {}).get("institution_id")
    if not iid:
        return {}
    editor = is_editor()
    items = [
        (endpoint, label, url_for(endpoint, institution_id=iid))
        for endpoint, label, editors_only in NAV
        if editor or not editors_only
    ]
    return {"perf_nav": items, "active": section_of(request.endpoint or ""), "editor": editor}


# Pages under another page's menu entry (the drill-down under 실적, the import under 외부 구매).
SECTION = {
    "performance.lines": "performance.report",
    "performance.save_target": "performance.targets",
    "performance.delete_target": "performance.targets",
    "performance.save_settings": "performance.settings",
    "performance.add_purchase": "performance.purchases",
    "performance.delete_purchase": "performance.purchases",
    "performance.import_form": "performance.purchases",
    "performance.import_file": "performance.purchases",
    "performance.export_job": "performance.exports",
    "performance.export_csv": "performance.exports",
    "performance.start_export": "performance.exports",
    "performance.package": "performance.exports",
}


def section_of(endpoint: str) -> str:
    return SECTION.get(endpoint, endpoint)


@bp.get("")
@current.signin_required(*BUYERS)
def home():
    """The menu's entry: the report of the institution the person acts for."""
    return redirect(
        url_for("performance.report", institution_id=current.current_membership().org_id)
    )


from web.portal.performance import exports, public, purchases, report, targets  # noqa: E402

__all__ = ["bp", "exports", "public", "public_bp", "purchases", "report", "targets"]
