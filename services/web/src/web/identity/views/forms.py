"""The identity pages' forms (flask-wtf: every form carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

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


NEW_PASSWORD = [DataRequired("새 비밀번호를 입력해 주세요.")]


def same_as_password(form, field) -> None:
    if field.data != form.password.data:
        raise ValidationError("비밀번호가 서로 다릅니다.")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("이메일", validators=REQUIRED_EMAIL)


class NewPasswordForm(FlaskForm):
    password = PasswordField("새 비밀번호 (10자 이상)", validators=NEW_PASSWORD)
    confirm = PasswordField("새 비밀번호 확인", validators=[same_as_password])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        "현재 비밀번호", validators=[DataRequired("현재 비밀번호를 입력해 주세요.")]
    )


class AcceptInvitationForm(NewPasswordForm):
    name = StringField("이름", validators=[DataRequired("이름을 입력해 주세요."), Length(max=100)])


class InviteForm(FlaskForm):
    email = EmailField("초대할 사람의 이메일", validators=REQUIRED_EMAIL)
    name = StringField("이름", validators=[DataRequired("이름을 입력해 주세요."), Length(max=100)])
    role = SelectField("역할")
    org_id = StringField("기관·기업·브랜드 ID", validators=[Optional(), Length(max=26)])
    org_name = StringField("기관·기업·브랜드 이름 (처음 초대할 때)", validators=[Length(max=100)])
    dept = StringField("부서 (구매담당자)", validators=[Length(max=100)])
    chair = BooleanField("위원장")
