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
    TextAreaField,
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


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = SelectField("활동", validators=[Optional()])
    email = StringField("이메일", validators=[Optional(), Length(max=254)])


class ApproveForm(FlaskForm):
    enterprise_id = StringField(
        "카탈로그의 기업 ID",
        validators=[
            DataRequired("카탈로그에 등록한 기업 ID를 입력해 주세요."),
            Length(min=26, max=26, message="기업 ID는 26자입니다."),
        ],
    )


class DeclineForm(FlaskForm):
    reason = StringField(
        "반려 사유", validators=[DataRequired("반려 사유를 입력해 주세요."), Length(max=500)]
    )


class EnterpriseApplicationForm(FlaskForm):
    brn = StringField(
        "사업자등록번호", validators=[DataRequired("사업자등록번호를 입력해 주세요.")]
    )
    enterprise_name = StringField(
        "기업 이름", validators=[DataRequired("기업 이름을 입력해 주세요."), Length(max=100)]
    )
    contact_name = StringField(
        "담당자 이름", validators=[DataRequired("담당자 이름을 입력해 주세요."), Length(max=100)]
    )
    contact_email = EmailField("담당자 이메일", validators=REQUIRED_EMAIL)
    contact_phone = StringField("담당자 전화", validators=[Optional(), Length(max=20)])
    message = TextAreaField("하고 싶은 말", validators=[Optional(), Length(max=2000)])


class ClientForm(FlaskForm):
    name = StringField(
        "클라이언트 이름 (예: 회계 ERP)",
        validators=[DataRequired("이름을 입력해 주세요."), Length(max=100)],
    )
    role = SelectField("역할")
    org_id = StringField("기관·기업 ID (플랫폼 관리자)", validators=[Optional(), Length(max=26)])
