"""What every back-office form does the same way: read numbers the way people type them,
send one change to an API, and either go on (with a Korean note) or show the form again
with the API's messages next to the fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for

from web.portal import api


class FormInvalid(Exception):
    """The portal refused a value before asking any API (e.g. "12개" for a quantity)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("form invalid")
        self.errors = errors


def particle(word: str, with_final: str, without_final: str) -> str:
    """The Korean particle that follows `word` (상품명을, 단가를); both forms when the word
    does not end in Hangul (SKU을(를))."""
    bare = re.sub(r"\s*\([^)]*\)$", "", word.strip()) or word
    last = bare[-1:]
    if not ("가" <= last <= "힣"):
        return f"{word}{with_final}({without_final})"
    has_final = (ord(last) - ord("가")) % 28 != 0
    return f"{word}{with_final if has_final else without_final}"


def read_int(form, name: str, *, required: bool = True, label: str = "값") -> int | None:
    """An integer as people type it ("1,000", " 30 "); a Korean message otherwise."""
    text = (form.get(name) or "").replace(",", "").strip()
    if not text:
        if required:
            raise FormInvalid({name: [f"{particle(label, '을', '를')} 적어 주세요."]})
        return None
    if not text.isdigit():
        raise FormInvalid({name: [f"{particle(label, '은', '는')} 0 이상의 숫자로 적어 주세요."]})
    return int(text)


def blanks(form, labels: dict[str, str]) -> dict[str, list[str]]:
    """A Korean message for each required field left blank."""
    return {
        name: [f"{particle(label, '을', '를')} 적어 주세요."]
        for name, label in labels.items()
        if not (form.get(name) or "").strip()
    }


def read_text(form, name: str) -> str | None:
    value = (form.get(name) or "").strip()
    return value or None


def submit(
    change: Callable[[], Any],
    *,
    done: str,
    then: str | Callable[[], str],
    again: Callable[[dict[str, list[str]], str], Response | str],
) -> Response | tuple:
    """Run `change` (API calls). On success flash `done` and redirect to `then` (a URL, or
    a function giving one once the change is made), so a reload never repeats the change.
    On a refusal re-render with `again(errors, message)` and the API's status (409 keeps
    "someone else changed it" apart from bad input)."""
    try:
        change()
    except FormInvalid as refused:
        return again(refused.errors, "입력값을 확인해 주세요."), 422
    except api.ApiError as refused:
        if refused.status in (401, 403, 404):
            raise
        return again(refused.errors, explain(refused)), refused.status
    flash(done, "success")
    return redirect(then() if callable(then) else then)


def change_on(change: Callable[[], Any], done: str, endpoint: str, show: Callable, **ids):
    """submit() for a change made from one object's page: back to `endpoint` with `ids`
    when it worked, or `show(*ids, errors, message)` again when it was refused."""
    return submit(
        change,
        done=done,
        then=url_for(endpoint, **ids),
        again=lambda errors, message: show(*ids.values(), errors, message),
    )


def explain(refused: api.ApiError) -> str:
    """The API's title, and its detail when no field carries the message."""
    if refused.detail and not refused.errors and refused.detail != refused.title:
        return f"{refused.title.rstrip('.')}. {refused.detail}"
    return refused.title


def filters(*names: str, longest: int = 100, **fixed) -> dict:
    """The API query for a list page: `fixed` values plus the filters the page was asked
    for (blank ones left out, each cut to `longest` characters)."""
    query = dict(fixed)
    for name in names:
        if request.args.get(name):
            query[name] = request.args[name][:longest]
    return query


def section_menu(blueprint, items: list[tuple[str, str]]) -> None:
    """The audience's own menu (endpoint, label) above its pages, the current one marked."""
    blueprint.context_processor(lambda: {"section_nav": items, "active": request.endpoint})


def render(template: str, **context) -> str:
    context["errors"] = context.get("errors") or {}
    context.setdefault("form", request.form)
    return render_template(template, **context)


def fetch_file(service: str, path: str, **params) -> Response:
    """Pass a file an API serves (a document, an audit CSV) through to the browser with its
    own type and name; the caller's token decides, as for any other call."""
    client = current_app.extensions["portal_clients"][service]
    headers = {}
    token = api.bearer(service)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    answer = client.request("GET", path, headers=headers, params=params or None)
    if answer.status_code >= 400:
        raise api._problem(answer)
    kept = {
        name: answer.headers[name]
        for name in ("Content-Disposition", "ETag")
        if name in answer.headers
    }
    kept["X-Content-Type-Options"] = "nosniff"
    kept["Cache-Control"] = "private, no-store"
    return Response(
        answer.content,
        status=answer.status_code,  # 202: the API is still making the file
        mimetype=answer.headers.get("Content-Type"),
        headers=kept,
    )
