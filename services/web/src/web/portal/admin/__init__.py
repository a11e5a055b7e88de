"""Platform admins (지자체 사회적경제과): enterprises and their certifications,
institutions and departments, brands and their committees, the deliveries that gave up
and the services' health. (Identity's own admin pages, the audit log and enterprise
applications, are the "admin" blueprint; this one is "platform".)"""

from __future__ import annotations

from flask import Blueprint

from web.portal.backoffice import pages

bp = Blueprint("platform", __name__, url_prefix="/admin", template_folder="templates")

NAV = [
    ("platform.enterprises", "기업"),
    ("platform.institutions", "기관"),
    ("platform.brands", "브랜드·위원회"),
    ("platform.dead_deliveries", "실패한 발송"),
    ("platform.health", "서비스 상태"),
    ("admin.applications_list", "가입 신청"),  # identity's pages
    ("admin.audit", "로그인 기록"),
]


pages.section_menu(bp, NAV)


from web.portal.admin import directory, operations  # noqa: E402  (routes attach to bp)

__all__ = ["bp", "directory", "operations"]
