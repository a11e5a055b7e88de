"""Forgotten password, reset by link, change, and unlock by link."""

from __future__ import annotations

from flask import flash, redirect, url_for

from web.identity import current
from web.identity.services import passwords
from web.identity.services.errors import Refused
from web.identity.views import sessions
from web.identity.views.forms import (
    ChangePasswordForm,
    EmptyForm,
    ForgotPasswordForm,
    NewPasswordForm,
)
from web.identity.views.pages import form_page, message_page, show_refusal
from web.identity.views.signin import bp
from web.wiring import web

SENT = (
    "입력하신 이메일로 가입된 계정이 있으면 비밀번호 재설정 링크를 보냈습니다. "
    "링크는 30분 동안 한 번만 쓸 수 있습니다."
)

NEW_PASSWORD = {"password": "new-password", "confirm": "new-password"}
FORGOT = {
    "title": "비밀번호 재설정",
    "intro": "가입한 이메일을 입력하면 비밀번호를 다시 정할 수 있는 링크를 보내 드립니다.",
    "submit": "링크 받기",
    "autocomplete": {"email": "username"},
}
RESET = {"title": "새 비밀번호 정하기", "submit": "비밀번호 바꾸기", "autocomplete": NEW_PASSWORD}
CHANGE = {
    "title": "비밀번호 변경",
    "intro": "바꾸면 다른 기기에서는 모두 로그아웃됩니다.",
    "submit": "비밀번호 바꾸기",
    "autocomplete": {**NEW_PASSWORD, "current": "current-password"},
}
UNLOCK = {
    "title": "계정 잠금 해제",
    "intro": "로그인 실패가 여러 번 있어 계정을 잠갔습니다. 본인이 맞다면 잠금을 풀어 주세요.",
    "submit": "잠금 풀기",
}


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return form_page("identity/form.html", form, **FORGOT)
    passwords.request_reset(web(), form.email.data, sessions.client_address())
    return message_page("메일을 확인해 주세요", SENT)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        passwords.check_reset_link(web(), token)
    except Refused as refused:
        return _reset_refused(refused)
    form = NewPasswordForm()
    if not form.validate_on_submit():
        return form_page("identity/form.html", form, **RESET)
    try:
        passwords.reset(web(), token, form.password.data, sessions.client_address())
    except Refused as refused:
        if refused.field is None:
            return _reset_refused(refused)
        show_refusal(form, refused)
        return form_page("identity/form.html", form, **RESET)
    sessions.end()
    flash("비밀번호를 바꿨습니다. 새 비밀번호로 로그인해 주세요.")
    return redirect(url_for("identity.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@current.signin_required()
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return form_page("identity/form.html", form, **CHANGE)
    person = current.current_person()
    try:
        passwords.change(
            web(), person.id, form.current.data, form.password.data, sessions.client_address()
        )
    except Refused as refused:
        show_refusal(form, refused)
        return form_page("identity/form.html", form, **CHANGE)
    membership = current.current_membership()
    sessions.start(person.id, membership.id if membership else None)  # others have ended
    flash("비밀번호를 바꿨습니다. 다른 기기에서는 로그아웃되었습니다.")
    return redirect(url_for("account.account"))


@bp.route("/account/unlock/<token>", methods=["GET", "POST"])
def unlock(token: str):
    """GET only shows a button: mail scanners open links, and must not use them up."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return form_page("identity/form.html", form, **UNLOCK)
    try:
        passwords.unlock(web(), token, sessions.client_address())
    except Refused as refused:
        return link_refused(refused)
    flash("계정 잠금을 풀었습니다. 다시 로그인해 주세요.")
    return redirect(url_for("identity.sign_in"))


def link_refused(refused: Refused, *, again: dict | None = None):
    """An expired, used or tampered link: 410 for the first two, 400 for the last."""
    return message_page(
        "링크를 쓸 수 없습니다",
        refused.message,
        status=410 if refused.code in ("link_used", "link_expired") else 400,
        link=again,
    )


def _reset_refused(refused: Refused):
    again = {"url": url_for("identity.forgot_password"), "text": "비밀번호 재설정 다시 요청"}
    return link_refused(refused, again=again)
