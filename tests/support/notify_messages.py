"""What notify's API tests' loopback receivers got: the SMS the provider was asked to send,
the mails that reached one address, and a mail's plain text."""

from __future__ import annotations


def texts(provider) -> list[tuple[str, str, str]]:
    """(to, body, path) of every SMS the provider received."""
    found = []
    for request in provider.requests:
        body = request.json()
        (to,) = body["recipientList"]
        found.append((to["recipientNo"], body["body"], request.path))
    return found


def mails_to(smtp, address: str) -> list:
    return [m for m in smtp.messages if m["To"] == address]


def plain(message) -> str:
    """The decoded text part, with SMTP's CRLF line ends as the template wrote them."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")
