"""Brand committee members and chairs: the work queue, one application with its
documents and the rubric, votes, decisions, suspensions, the audit trail and the
brand's statistics. The catalog API decides who may do what (chair, conflicts of
interest); these pages only show it."""

from __future__ import annotations

from flask import Blueprint

from web.portal.backoffice import pages

bp = Blueprint("committee", __name__, url_prefix="/committee", template_folder="templates")

NAV = [
    ("committee.queue", "심사할 신청"),
    ("committee.listings", "브랜드 등록 목록"),
    ("committee.statistics", "통계"),
]


pages.section_menu(bp, NAV)


from web.portal.committee import views  # noqa: E402  (routes attach to bp)

__all__ = ["bp", "views"]
