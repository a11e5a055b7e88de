"""Inviting someone to a role, and accepting an invitation from its e-mail link."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from web.identity import current
from web.identity.domain.invitations import Invitation, Inviter, roles_inviter_may_give
from web.identity.domain.roles import role_label
from web.identity.services import invitations
from web.identity.services.errors import Refused
from web.identity.views import sessions
from web.identity.views.forms import AcceptInvitationForm, EmptyForm, InviteForm
from web.identity.views.pages import form_page, show_refusal
from web.identity.views.passwords import link_refused
from web.identity.views.signin import bp
from web.wiring import web

INVITE = {
    "title": "초대하기",
    "intro": "초대 메일의 링크는 한 번만, 정해진 기간 안에 쓸 수 있습니다.",
    "submit": "초대 메일 보내기",
}
ACCEPT = {
    "title": "초대 수락",
    "submit": "수락",
    "autocomplete": {"password": "new-password", "confirm": "new-password", "name": "name"},
}


@bp.route("/account/invitations", methods=["GET", "POST"])
@current.signin_required("admin", "institution_admin", "committee")
def invite():
    acting = current.current_membership()
    inviter = Inviter(acting.role, acting.org_id, acting.chair)
    roles = roles_inviter_may_give(inviter)
    if not roles:  # a committee member who is not the chair
        return redirect(url_for("account.account"))
    is_admin = acting.role == "admin"
    form = InviteForm()
    form.role.choices = [(r, role_label(r)) for r in roles]
    if not is_admin:  # others invite into their own organisation only
        del form.org_id, form.org_name, form.chair
    if "buyer" not in roles:
        del form.dept
    if not form.validate_on_submit():
        return form_page("identity/form.html", form, **INVITE)
    invitation = Invitation(
        role=form.role.data,
        org_id=(form.org_id.data.strip() or None) if is_admin else acting.org_id,
        dept=(form.dept.data.strip() or None) if "dept" in form else None,
        chair=is_admin and bool(form.chair.data),
    )
    try:
        invitations.invite(
            web(),
            actor_id=current.current_person().id,
            inviter=inviter,
            email=form.email.data,
            name=form.name.data,
            invitation=invitation,
            org_name=form.org_name.data if is_admin else None,
        )
    except Refused as refused:
        show_refusal(form, refused)
        return form_page("identity/form.html", form, **INVITE)
    flash(f"{form.email.data.strip()}에 초대 메일을 보냈습니다.")
    return redirect(url_for("identity.invite"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        link, has_account = invitations.preview(web(), token)
    except Refused as refused:
        return link_refused(refused)
    form = EmptyForm() if has_account else AcceptInvitationForm(name=link.data.get("name"))
    context = {"invitation": link.data, "email": link.email, "has_account": has_account}
    if request.method == "GET" or not form.validate_on_submit():
        return form_page("identity/accept_invitation.html", form, **ACCEPT, **context)
    try:
        person_id = invitations.accept(
            web(),
            token,
            name=None if has_account else form.name.data,
            password=None if has_account else form.password.data,
            address=sessions.client_address(),
        )
    except Refused as refused:
        if refused.field is None:
            return link_refused(refused)
        show_refusal(form, refused)
        return form_page("identity/accept_invitation.html", form, **ACCEPT, **context)
    if has_account:
        flash("초대를 수락했습니다. 로그인하면 새 역할을 고를 수 있습니다.")
        return redirect(url_for("identity.sign_in"))
    sessions.start(person_id)
    flash("환영합니다. 계정을 만들었습니다.")
    return redirect("/")
