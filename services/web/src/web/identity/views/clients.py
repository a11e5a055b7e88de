"""API clients of one's organisation: create (the secret is shown once), list, revoke;
and the public enterprise sign-up form."""

from __future__ import annotations

from flask import flash, redirect, url_for

from web.identity import current
from web.identity.domain.roles import role_label
from web.identity.services import applications, clients
from web.identity.services.errors import Refused
from web.identity.views import sessions
from web.identity.views.forms import ClientForm, EmptyForm, EnterpriseApplicationForm
from web.identity.views.pages import form_page, message_page, show_refusal
from web.identity.views.signin import bp
from web.wiring import web

CLIENT_MANAGERS = ("admin", "institution_admin", "enterprise")


@bp.route("/account/clients", methods=["GET", "POST"])
@current.signin_required(*CLIENT_MANAGERS)
def api_clients():
    acting = current.current_membership()
    is_admin = acting.role == "admin"
    form = ClientForm()
    form.role.choices = [(r, role_label(r)) for r in clients.CLIENT_ROLES[acting.role]]
    if not is_admin:
        del form.org_id
    listed = clients.of_organisation(web(), None if is_admin else acting.org_id)
    page = {"listed": listed, "revoke": EmptyForm(), "secret": None, "created": None}
    if not form.validate_on_submit():
        return form_page("identity/clients.html", form, **page)
    org_id = (form.org_id.data or "").strip() if is_admin else acting.org_id
    if not org_id:
        form.org_id.errors = ["클라이언트가 속할 기관·기업 ID를 입력해 주세요."]
        return form_page("identity/clients.html", form, **page)
    try:
        client, secret = clients.create(
            web(),
            actor_id=current.current_person().id,
            actor_role=acting.role,
            org_id=org_id,
            role=form.role.data,
            name=form.name.data,
        )
    except Refused as refused:
        show_refusal(form, refused)
        return form_page("identity/clients.html", form, **page)
    page.update(
        listed=clients.of_organisation(web(), None if is_admin else acting.org_id),
        secret=secret,
        created=client,
    )
    return form_page("identity/clients.html", ClientForm(formdata=None), status=201, **page)


@bp.post("/account/clients/<client_id>/revoke")
@current.signin_required(*CLIENT_MANAGERS)
def revoke_client(client_id: str):
    acting = current.current_membership()
    try:
        clients.revoke(
            web(),
            actor_id=current.current_person().id,
            org_id=None if acting.role == "admin" else acting.org_id,
            client_id=client_id,
        )
        flash("클라이언트를 폐기했습니다. 새 토큰은 더 발급되지 않습니다.")
    except Refused as refused:
        flash(refused.message)
    return redirect(url_for("identity.api_clients"))


@bp.route("/join/enterprise", methods=["GET", "POST"])
def enterprise_apply():
    form = EnterpriseApplicationForm()
    context = {
        "title": "기업 가입 신청",
        "intro": (
            "사회적경제기업이 같이에 참여하려면 신청해 주세요. "
            "관리자가 확인한 뒤 담당자 메일로 초대 링크를 보냅니다."
        ),
        "submit": "신청하기",
    }
    if not form.validate_on_submit():
        return form_page("identity/form.html", form, **context)
    try:
        applications.apply(
            web(),
            brn=form.brn.data,
            enterprise_name=form.enterprise_name.data,
            contact_name=form.contact_name.data,
            contact_email=form.contact_email.data,
            contact_phone=form.contact_phone.data,
            message=form.message.data,
            address=sessions.client_address(),
        )
    except Refused as refused:
        show_refusal(form, refused)
        return form_page("identity/form.html", form, **context)
    return message_page(
        "신청을 받았습니다", "관리자가 확인한 뒤 담당자 메일로 결과를 알려 드립니다.", 201
    )
