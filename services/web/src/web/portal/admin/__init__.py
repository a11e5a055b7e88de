"""Platform admins (지자체 사회적경제과): enterprises and their certifications,
institutions and departments, brands and their committees, and the deliveries that
gave up."""

from __future__ import annotations

from flask import Blueprint, request

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

NAV = [
    ("admin.enterprises", "기업"),
    ("admin.institutions", "기관"),
    ("admin.brands", "브랜드·위원회"),
    ("admin.dead_deliveries", "실패한 발송"),
    ("admin.health", "서비스 상태"),
]


@bp.context_processor
def _navigation():
    return {"section_nav": NAV, "active": request.endpoint}


from web.portal.admin import directory, operations  # noqa: E402  (routes attach to bp)

__all__ = ["bp", "directory", "operations"]
