"""Korean message templates, versioned in the repo.

`templates/<channel>/<name>.txt`: the first line is the title (e-mail subject, LMS title),
the rest the body. A channel without its own template for a name uses the inbox one
(e-mail) or the SMS one (알림톡). E-mail HTML comes from `email/<name>.html` or the shared
`email/_layout.html`, autoescaped. 알림톡 templates set `code` (the template code approved
by Kakao) and `params` (its variables) at the top. Every rendered message records which
template and which version of it (a hash of its source) produced it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, select_autoescape

from gachi_kit.dates import KST

FALLBACK = {"email": "inbox", "alimtalk": "sms", "sms": None, "inbox": None}


def krw(amount: int) -> str:
    if isinstance(amount, bool) or not isinstance(amount, int):
        str(amount)  # a missing field (StrictUndefined) raises UndefinedError naming it here
        raise TypeError(f"KRW amounts are whole integers, got {amount!r}")
    return f"{amount:,}원"


def short(value, length: int) -> str:
    """At most `length` characters, cut with "…" (SMS: 90 EUC-KR bytes, 2 per Hangul)."""
    text = str(value)
    return text if len(text) <= length else text[: length - 1] + "…"


def goods(lines, unnamed: str = "구매") -> str:
    """What an order holds, as people name it: "국산콩 두부과자 200g 외 2건". Takes the
    event's lines (dicts with `name`) or plain names; never an id. `unnamed` stands in
    for an event that does not carry them (one from before orders named its lines)."""
    names = [line["name"] if isinstance(line, dict) else str(line) for line in lines or []]
    if not names:
        return unnamed
    return names[0] + (f" 외 {len(names) - 1}건" if len(names) > 1 else "")


def kst(moment) -> str:
    """An ISO-8601 timestamp as Koreans read it: 2026-12-01 (화) 14:00 in KST."""
    value = datetime.fromisoformat(str(moment)) if not isinstance(moment, datetime) else moment
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(KST)
    return (
        local.strftime("%Y-%m-%d")
        + f" ({'월화수목금토일'[local.weekday()]}) "
        + local.strftime("%H:%M")
    )


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("notify", "templates"),
        undefined=StrictUndefined,  # a missing field is a bug, not an empty message
        keep_trailing_newline=False,
        auto_reload=False,  # packaged files: no stat of each template on every render
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    )
    env.filters["krw"] = krw
    env.filters["kst"] = kst
    env.filters["short"] = short
    env.filters["goods"] = goods
    return env


@dataclass(frozen=True, slots=True)
class Rendered:
    title: str
    body: str
    ref: str  # <channel>/<name>@<version>
    html: str | None = None
    code: str | None = None  # 알림톡 template code
    params: dict | None = None  # 알림톡 template variables


def render(channel: str, template: str, data: dict) -> tuple[str, str]:
    """(title, body) of a text template; kept for the inbox and the tests."""
    message = render_message(channel, template, data)
    return message.title, message.body


def render_message(channel: str, template: str, data: dict) -> Rendered:
    source_channel, loaded = _load(channel, template)
    module = loaded.make_module(data)
    title, _, body = str(module).strip().partition("\n")
    ref = f"{source_channel}/{template}@{_version(loaded)}"
    html = None
    if channel == "email":
        html = _html(template, {**data, "title": title.strip(), "body": body.strip()})
    code = getattr(module, "code", None) if channel == "alimtalk" else None
    params = getattr(module, "params", None) if channel == "alimtalk" else None
    if channel == "alimtalk" and code is None:
        code = "GACHI_" + template.upper().replace(".", "_")
        params = {"title": title.strip(), "body": body.strip()}
    return Rendered(title.strip(), body.strip(), ref, html, code, params)


@cache  # a miss raises inside Jinja and is not remembered there: resolve each pair once
def _load(channel: str, template: str):
    env = _environment()
    current: str | None = channel
    while current:
        try:
            return current, env.get_template(f"{current}/{template}.txt")
        except TemplateNotFound:
            current = FALLBACK.get(current)
    raise TemplateNotFound(f"{channel}/{template}.txt")


def _html(template: str, context: dict) -> str:
    return _html_page(template).render(**context)


@cache
def _html_page(template: str):
    env = _environment()
    try:
        return env.get_template(f"email/{template}.html")
    except TemplateNotFound:
        return env.get_template("email/_layout.html")


def page(name: str, **context) -> str:
    """An HTML page of the signed links (`pages/<name>.html`)."""
    return _environment().get_template(f"pages/{name}.html").render(**context)


@cache
def _version_of(filename: str) -> str:
    with open(filename, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:8]


def _version(loaded) -> str:
    return _version_of(loaded.filename) if loaded.filename else "0"
