"""Setting up the TOTP second factor."""

from __future__ import annotations

from flask import render_template, request, session

from web.identity import current
from web.identity.domain.accounts import safe_next
from web.identity.services import second_factor
from web.identity.views.forms import CodeForm
from web.identity.views.signin import bp
from web.qr import qr_svg
from web.wiring import web

PENDING_SECRET = "totp_pending_secret"


@bp.route("/account/totp", methods=["GET", "POST"])
@current.signin_required(enrolling=True)
def totp_setup():
    person = current.current_person()
    secret = session.get(PENDING_SECRET) or second_factor.new_secret()
    session[PENDING_SECRET] = secret
    form = CodeForm(next=request.args.get("next", ""))
    page = {
        "form": form,
        "secret": secret,
        "uri": (uri := second_factor.provisioning_uri(secret, person.email)),
        "qr": qr_svg(uri, "인증 앱으로 찍을 2단계 인증 QR 코드"),
        "required": bool(
            (m := current.current_membership())
            and m.needs_second_factor
            and not person.totp_enabled
        ),
    }
    if not form.validate_on_submit():
        return render_template("identity/totp_setup.html", **page), 400 if form.errors else 200
    codes = second_factor.enable(web(), person.id, secret, form.code.data)
    if codes is None:
        form.code.errors.append(
            "인증 코드가 올바르지 않습니다. 앱에 표시된 6자리 숫자를 입력해 주세요."
        )
        return render_template("identity/totp_setup.html", **page), 400
    session.pop(PENDING_SECRET, None)
    return render_template(
        "identity/recovery_codes.html", codes=codes, next=safe_next(form.next.data)
    )
