"""The account page: who you are, your memberships, and what you can change."""

from __future__ import annotations

import importlib.util

from flask import Blueprint, redirect, render_template, url_for

from web.identity import current
from web.identity.views.forms import EmptyForm

bp = Blueprint("account", __name__, template_folder="../../templates")


@bp.get("/account")
@current.signin_required()
def account():
    return render_template(
        "identity/account.html",
        person=current.current_person(),
        memberships=current.person_memberships(),
        acting=current.current_membership(),
        form=EmptyForm(),
    )


if importlib.util.find_spec("web.portal") is None:

    @bp.get("/")
    def home():
        """Until the portal is installed, the home page is the account page."""
        return redirect(url_for("account.account"))
