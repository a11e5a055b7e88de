"""E-mail: a multipart/alternative message (text and HTML, UTF-8, Korean subject encoded
per RFC 2047), sent over SMTP, or written as an `.eml` file in the embedded default.

The e-mails of one task share one SMTP connection (`SMTPSender.connected`). The
Message-ID is the delivery's id, the same on every attempt, so a retry after a crash
between the server's acceptance and our bookkeeping can be recognised downstream.
"""

from __future__ import annotations

import os
import smtplib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path

from notify.domain.delivery import OK, PERMANENT, RETRY, Outcome


class _WirePolicy(Compat32):
    """compat32 with a shortcut for a header of printable ASCII that fits on its line (every
    header but the Subject, a `Header`): written as it is, which is what compat32 writes for
    it after building and encoding a `Header` of its own (a third of writing an e-mail).
    Anything else, control characters included (compat32 reads a vertical tab as a line
    break and refuses the header), goes through compat32 unchanged
    (tests/unit/notify/test_email_message.py compares the bytes of both)."""

    def _fold(self, name, value, sanitize):
        plain = type(value) is str and value.isascii() and value.isprintable()
        if plain and len(name) + len(value) < 76:  # "Name: value" within 78 characters
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


WIRE_POLICY = _WirePolicy()


def build_message(
    *, delivery_id: str, sender: str, to: str, subject: str, text: str, html: str | None
) -> Message:
    """Built with the classic `email.mime` classes: the same wire form as `EmailMessage`
    (base64 UTF-8 parts, RFC 2047 headers) at about a sixth of the CPU, because the
    modern policy parses and refolds every header it is given (docs/benchmarks.md); its
    policy, `WIRE_POLICY`, also writes it (`as_bytes`, smtplib's `send_message`)."""
    message: Message = MIMEText(text, "plain", "utf-8", policy=WIRE_POLICY)
    if html:
        plain = message
        # "=_" never occurs in base64, so the boundary cannot appear in a part: without it
        # the generator draws one and searches both parts for it (a tenth of a send's CPU)
        message = MIMEMultipart("alternative", boundary=f"=_{delivery_id}", policy=WIRE_POLICY)
        message.attach(plain)
        message.attach(MIMEText(html, "html", "utf-8", policy=WIRE_POLICY))
    name, address = parseaddr(sender)
    message["From"] = formataddr((name, address), charset="utf-8") if name else address
    message["To"] = to
    message["Subject"] = Header(subject, "utf-8")  # encoded whole: no line break gets through
    message["Date"] = formatdate(localtime=False)
    domain = address.rpartition("@")[2] or "gachi.local"
    message["Message-ID"] = f"<{delivery_id}@{domain}>"
    message["X-Gachi-Delivery"] = delivery_id
    return message


class SMTPSender:
    """Sends over SMTP: one connection per message (`send`), or one kept open for the
    messages of one task (`connected`)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None,
        password: str | None,
        starttls: bool,
        timeout: float,
    ) -> None:
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout

    def send(self, message: Message) -> Outcome:
        with self.connected() as connection:
            return connection.send(message)

    @contextmanager
    def connected(self) -> Iterator[SMTPConnection]:
        """One connection for several messages (opened at the first, opened again after a
        failure), closed at the end; the sender itself stays shared by the threads."""
        connection = SMTPConnection(self)
        try:
            yield connection
        finally:
            connection.close()


class SMTPConnection:
    def __init__(self, sender: SMTPSender) -> None:
        self.sender = sender
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: Message) -> Outcome:
        try:
            if self.smtp is None:
                self.smtp = self._open()
            self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:  # the connection stays good
            codes = [code for code, _ in exc.recipients.values()]
            verdict = PERMANENT if codes and all(c >= 500 for c in codes) else RETRY
            return Outcome(verdict, codes[0] if codes else None, "받는 주소를 서버가 거부했습니다")
        except smtplib.SMTPResponseException as exc:
            self.close()
            verdict = PERMANENT if exc.smtp_code >= 500 else RETRY
            return Outcome(verdict, exc.smtp_code, f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}")
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.close()
            return Outcome(RETRY, None, f"SMTP 연결 실패: {exc.__class__.__name__}")
        return Outcome(OK, 250)

    def _open(self) -> smtplib.SMTP:
        sender = self.sender
        smtp = smtplib.SMTP(sender.host, sender.port, timeout=sender.timeout)
        try:
            if sender.starttls:
                smtp.starttls()
            if sender.username:
                smtp.login(sender.username, sender.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


class FileMailer:
    """The embedded default: each message is one `.eml` file, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def connected(self) -> Iterator[FileMailer]:
        yield self

    def send(self, message: Message) -> Outcome:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["X-Gachi-Delivery"] + ".eml"
        with tempfile.NamedTemporaryFile(dir=self.folder, delete=False, suffix=".tmp") as tmp:
            tmp.write(message.as_bytes())
        os.replace(tmp.name, self.folder / name)  # a retry overwrites: one file per delivery
        return Outcome(OK, None)


def _text(raw) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
