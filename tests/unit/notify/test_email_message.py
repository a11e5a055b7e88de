"""The e-mail as it goes on the wire: Korean sender name and subject in RFC 2047, both
parts UTF-8, a subject with a line break still one header (no header injection), and the
bytes written by the wire policy's shortcut the same as compat32's."""

from __future__ import annotations

import email
import email.errors
from email import policy

import pytest

from notify.adapters.email import WIRE_POLICY, build_message


def parsed(**overrides) -> email.message.EmailMessage:
    fields = {
        "delivery_id": "01JMAILTEST0000000000000000",
        "sender": "같이 알림 <no-reply@gachi.kr>",
        "to": "tofu@example.kr",
        "subject": "[같이] 새 공급 주문: 두부과자 200g 외 2건 · 52,064원",
        "text": "광명시청 총무과에서 주문했습니다.",
        "html": "<p>광명시청 총무과에서 주문했습니다.</p>",
    }
    raw = build_message(**(fields | overrides)).as_bytes()
    assert raw.isascii()  # 7-bit on the wire: any server relays it
    return email.message_from_bytes(raw, policy=policy.default)


def test_korean_headers_and_both_parts_read_back_as_written():
    message = parsed()
    assert str(message["Subject"]) == "[같이] 새 공급 주문: 두부과자 200g 외 2건 · 52,064원"
    assert message["From"].addresses[0].display_name == "같이 알림"
    assert message["From"].addresses[0].addr_spec == "no-reply@gachi.kr"
    assert message["Message-ID"] == "<01JMAILTEST0000000000000000@gachi.kr>"
    assert message.get_body(("plain",)).get_content() == "광명시청 총무과에서 주문했습니다."
    assert "<p>광명시청" in message.get_body(("html",)).get_content()
    assert message.defects == []


def test_a_part_that_quotes_the_boundary_still_reads_back_whole():
    """The boundary is fixed (`=_` and the delivery id), not drawn and searched for: the
    parts are base64, which never holds "=_", so even text quoting it cannot end a part."""
    quoting = "안내문 끝\n--=_01JMAILTEST0000000000000000--\n그 뒤의 내용"
    message = parsed(text=quoting, html=f"<pre>{quoting}</pre>")
    assert message.get_boundary() == "=_01JMAILTEST0000000000000000"
    assert message.get_body(("plain",)).get_content() == quoting
    assert message.get_body(("html",)).get_content() == f"<pre>{quoting}</pre>"
    assert len(message.get_payload()) == 2
    assert message.defects == []


def test_a_line_break_in_the_subject_cannot_add_a_header():
    message = parsed(subject="주문\r\nBcc: someone@example.com", html=None)
    assert message["Bcc"] is None
    assert "Bcc: someone@example.com" in str(message["Subject"])
    assert message.get_content_type() == "text/plain"


@pytest.mark.parametrize(
    "to",
    [
        "tofu@example.kr",
        "두부 공방 <tofu@example.kr>",
        "a-very-long-mailbox-name-for-a-cooperative-of-many-members@social-economy.example.kr",
        "tofu@example.kr,  bakery@example.kr",
        "tofu@example.kr\x0bBcc: someone@example.com",  # compat32 refuses: an embedded header
        "",
    ],
)
def test_the_wire_policy_writes_the_same_bytes_as_compat32(to):
    for html in ("<p>광명시청 총무과에서 주문했습니다.</p>", None):
        message = build_message(
            delivery_id="01JMAILTEST0000000000000000",
            sender="같이 알림 <no-reply@gachi.kr>",
            to=to,
            subject="[같이] 새 공급 주문: 두부과자 200g 외 2건 · 52,064원",
            text="광명시청 총무과에서 주문했습니다.",
            html=html,
        )
        assert message.policy is WIRE_POLICY
        assert written(message, WIRE_POLICY) == written(message, policy.compat32)
        smtp = WIRE_POLICY.clone(linesep="\r\n")  # as smtplib's send_message writes it
        assert written(message, smtp) == written(message, policy.compat32.clone(linesep="\r\n"))


def written(message, wire_policy) -> bytes | str:
    try:
        return message.as_bytes(policy=wire_policy)
    except email.errors.HeaderParseError as exc:
        return f"refused: {exc}"
