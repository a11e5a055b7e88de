"""Sign-in, second factor, sign-out and the membership switcher."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from web.identity import current
from web.identity.domain.accounts import safe_next
from web.identity.services import accounts, second_factor, signin
from web.identity.views import sessions
from web.identity.views.forms import CodeForm, MembershipForm, SignInForm
from web.wiring import web

bp = Blueprint("identity", __name__, template_folder="../../templates")

REFUSED = (
    "이메일 또는 비밀번호가 올바르지 않습니다. 계정이 잠겼다면 메일로 보낸 안내를 확인해 주세요."
)
THROTTLED = "로그인 시도가 너무 많습니다. 잠시 후 다시 시도해 주세요."


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("identity/sign_in.html", form=form), 400 if form.errors else 200
    result = signin.sign_in(web(), form.email.data, form.password.data, sessions.client_address())
    if result.outcome == signin.THROTTLED:
        form.form_errors.append(THROTTLED)
        return render_template("identity/sign_in.html", form=form), 429
    if result.outcome == signin.REFUSED:
        form.form_errors.append(REFUSED)
        return render_template("identity/sign_in.html", form=form), 401
    if result.outcome == signin.SECOND_FACTOR:
        sessions.await_second_factor(result.person_id)
        return redirect(url_for("identity.second_factor_step", next=form.next.data or None))
    sessions.start(result.person_id)
    return redirect(safe_next(form.next.data))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def second_factor_step():
    person_id = session.get(sessions.PENDING)
    if not person_id:
        return redirect(url_for("identity.sign_in"))
    form = CodeForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("identity/code.html", form=form), 400 if form.errors else 200
    if not second_factor.complete_sign_in(
        web(), person_id, form.code.data, sessions.client_address()
    ):
        form.code.errors.append("인증 코드가 올바르지 않습니다.")
        return render_template("identity/code.html", form=form), 401
    sessions.start(person_id)
    return redirect(safe_next(form.next.data))


@bp.post("/sign-out")
def sign_out():
    sessions.end()
    flash("로그아웃했습니다.")
    return redirect(url_for("identity.sign_in"))


@bp.route("/account/membership", methods=["GET", "POST"])
@current.signin_required()
def membership():
    choices = current.person_memberships()
    form = MembershipForm(next=request.args.get("next", ""))
    form.membership_id.choices = [(m.id, m.label) for m in choices]
    if request.method == "GET":
        chosen = current.current_membership()
        form.membership_id.data = chosen.id if chosen else None
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("identity/membership.html", form=form, memberships=choices), status
    session[current.MEMBERSHIP] = form.membership_id.data
    session.pop(current.TOKEN, None)
    accounts.record_switch(
        web(), current.current_person().id, form.membership_id.data, sessions.client_address()
    )
    return redirect(safe_next(form.next.data))


@bp.post("/sign-out/everywhere")
@current.signin_required()
def sign_out_everywhere():
    accounts.end_sessions(web(), current.current_person().id, sessions.client_address())
    sessions.end()
    flash("모든 기기에서 로그아웃했습니다.")
    return redirect(url_for("identity.sign_in"))
