"""What every identity page does the same way: render a form with its status, and put a
use case's refusal next to the field it is about."""

from __future__ import annotations

from flask import render_template
from flask_wtf import FlaskForm

from web.identity.services.errors import Refused


def form_page(template: str, form: FlaskForm, status: int | None = None, **context):
    """200 for a fresh form, 400 once it has errors (unless the caller says otherwise)."""
    has_errors = bool(form.errors or form.form_errors)
    return render_template(template, form=form, **context), status or (400 if has_errors else 200)


def show_refusal(form: FlaskForm, refused: Refused) -> None:
    field = getattr(form, refused.field, None) if refused.field else None
    if field is not None:
        field.errors = [*field.errors, refused.message]
    else:
        form.form_errors.append(refused.message)


def message_page(title: str, message: str, status: int = 200, link=None):
    return render_template("identity/message.html", title=title, message=message, link=link), status
