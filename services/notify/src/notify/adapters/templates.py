"""Korean message templates, versioned in the repo: the first line is the title."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined


def krw(amount: int) -> str:
    if isinstance(amount, bool) or not isinstance(amount, int):
        str(amount)  # a missing field (StrictUndefined) raises UndefinedError naming it here
        raise TypeError(f"KRW amounts are whole integers, got {amount!r}")
    return f"{amount:,}원"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("notify", "templates"),
        undefined=StrictUndefined,  # a missing field is a bug, not an empty message
        keep_trailing_newline=False,
        autoescape=False,  # plain text; the HTML e-mail channel escapes its own templates
    )
    env.filters["krw"] = krw
    return env


def render(channel: str, template: str, data: dict) -> tuple[str, str]:
    text = _environment().get_template(f"{channel}/{template}.txt").render(**data)
    title, _, body = text.partition("\n")
    return title.strip(), body.strip()
