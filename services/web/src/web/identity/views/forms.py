"""The identity pages' forms (flask-wtf: every form carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from web.identity.domain.accounts import is_email


def email_address(_form, field) -> None:
    if field.data and not is_email(field.data):
        raise ValidationError("이메일 형식이 아닙니다. 예: name@example.go.kr")


REQUIRED_EMAIL = [DataRequired("이메일을 입력해 주세요."), email_address]


class SignInForm(FlaskForm):
    email = EmailField("이메일", validators=REQUIRED_EMAIL)
    password = PasswordField("비밀번호", validators=[DataRequired("비밀번호를 입력해 주세요.")])
    next = HiddenField()


class CodeForm(FlaskForm):
    code = StringField(
        "인증 코드",
        validators=[DataRequired("인증 코드를 입력해 주세요."), Length(max=40)],
    )
    next = HiddenField()


class MembershipForm(FlaskForm):
    membership_id = RadioField("역할", validators=[DataRequired("역할을 골라 주세요.")])
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
