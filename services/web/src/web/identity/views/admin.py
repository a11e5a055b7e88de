"""Administration pages: the audit log (and its CSV), the people whose roles one manages,
enterprise applications."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from web.identity import current
from web.identity.audit import ACTIONS
from web.identity.domain.invitations import Inviter
from web.identity.services import applications, audit_log, memberships
from web.identity.services.errors import Refused
from web.identity.views import sessions
from web.identity.views.forms import ApproveForm, AuditFilterForm, DeclineForm, EmptyForm
from web.wiring import web

bp = Blueprint("admin", __name__, template_folder="../../templates")


def manager() -> Inviter:
    acting = current.current_membership()
    return Inviter(acting.role, acting.org_id, acting.chair)


@bp.get("/admin/audit")
@current.signin_required("admin")
def audit():
    form, rows = _audit_rows()
    return render_template("identity/audit.html", form=form, rows=rows)


@bp.get("/admin/audit.csv")
@current.signin_required("admin")
def audit_csv():
    _form, rows = _audit_rows(limit=100_000)
    return Response(
        audit_log.as_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=gachi-audit.csv"},
    )


def _audit_rows(limit: int = 200):
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "모두"), *ACTIONS.items()]
    if not form.validate():
        return form, []
    rows = audit_log.entries(
        web(), action=form.action.data or None, email=form.email.data or None, limit=limit
    )
    return form, rows


@bp.get("/account/people")
@current.signin_required("admin", "institution_admin", "committee")
def people():
    return render_template(
        "identity/people.html",
        memberships=memberships.in_scope(web(), manager()),
        form=EmptyForm(),
        is_admin=current.current_membership().role == "admin",
    )


@bp.post("/account/people/<membership_id>/remove")
@current.signin_required("admin", "institution_admin", "committee")
def remove_membership(membership_id: str):
    try:
        memberships.remove(
            web(),
            actor_id=current.current_person().id,
            manager=manager(),
            membership_id=membership_id,
            address=sessions.client_address(),
        )
        flash("역할을 지웠습니다. 그 역할의 토큰은 15분 안에 모두 만료됩니다.")
    except Refused as refused:
        flash(refused.message)
    return redirect(url_for("admin.people"))


@bp.post("/admin/people/<person_id>/disable")
@current.signin_required("admin")
def disable_person(person_id: str):
    try:
        memberships.disable_person(
            web(),
            actor_id=current.current_person().id,
            person_id=person_id,
            address=sessions.client_address(),
        )
        flash("계정을 중지했습니다. 로그인할 수 없고, 열린 세션은 다음 요청에서 끝납니다.")
    except Refused as refused:
        flash(refused.message)
    return redirect(url_for("admin.people"))


@bp.get("/admin/applications")
@current.signin_required("admin")
def applications_list():
    return render_template(
        "identity/applications.html",
        applications=applications.pending(web()),
        approve=ApproveForm(),
        decline=DeclineForm(),
    )


@bp.post("/admin/applications/<application_id>/approve")
@current.signin_required("admin")
def approve(application_id: str):
    form = ApproveForm()
    return _decide(
        form,
        lambda: applications.approve(
            web(),
            actor_id=current.current_person().id,
            application_id=application_id,
            enterprise_id=form.enterprise_id.data.strip().upper(),
        ),
        "승인했습니다. 담당자에게 초대 메일을 보냈습니다.",
    )


@bp.post("/admin/applications/<application_id>/decline")
@current.signin_required("admin")
def decline(application_id: str):
    form = DeclineForm()
    return _decide(
        form,
        lambda: applications.decline(
            web(),
            actor_id=current.current_person().id,
            application_id=application_id,
            reason=form.reason.data.strip(),
        ),
        "반려했습니다. 담당자에게 사유를 메일로 알렸습니다.",
    )


def _decide(form, use_case, done: str):
    """Run an approval or a refusal; the outcome (or what is wrong) is a flash message on
    the applications page."""
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            use_case()
            flash(done)
        except Refused as refused:
            flash(refused.message)
    return redirect(url_for("admin.applications_list"))
