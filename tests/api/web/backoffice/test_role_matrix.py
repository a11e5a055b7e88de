"""Every back-office route × every role (and anonymous): the page, 403, or the sign-in page.
The table is checked against the app's URL map, so a new route without a row fails."""

from __future__ import annotations

import re

import pytest

from tests.api.web.backoffice.conftest import csrf_of
from tests.support.builders import register_enterprise
from tests.support.catalog_builders import create_brand

ROLES = ("anonymous", "buyer", "institution_admin", "enterprise", "committee", "admin")
OWNER = {"enterprise": "enterprise", "committee": "committee", "platform": "admin"}
# Routes whose page needs an object of the caller's own: with a made-up id the owner gets
# the API's 404 page (the role check passed), never a 403 or the sign-in page.
NO_SUCH = "0" * 26


def back_office_rules(app):
    rules = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0]
        if blueprint in OWNER:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                rules.append((blueprint, method, rule))
    return rules


def url_of(rule) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", NO_SUCH, rule.rule)


@pytest.fixture
def world(api, token, people):
    """An enterprise, the 비츠원 brand with one member, and one signed-in client per role."""
    admin = token("admin")
    tofu = register_enterprise(api["catalog"], admin)
    create_brand(api["catalog"], admin)
    member = api["catalog"].post(
        "/v1/brands/BITSONE/committee",
        json={"user_sub": "matrix-member", "name": "이하안"},
        headers=admin,
    )
    assert member.status_code == 201
    clients = {
        "anonymous": None,
        "buyer": people("buyer", "CITYCITYCITYCITYCITYCITYCI", "광명시청", sub="matrix-buyer"),
        "institution_admin": people(
            "institution_admin", "CITYCITYCITYCITYCITYCITYCI", "광명시청", sub="matrix-inst"
        ),
        "enterprise": people("enterprise", tofu["id"], tofu["name"], sub="matrix-operator"),
        "committee": people("committee", "BITSONE", "비츠원", sub="matrix-member"),
        "admin": people("admin", sub="matrix-admin"),
    }
    return clients


def test_every_route_answers_each_role_as_the_table_says(world, stack):
    rules = back_office_rules(stack.web)
    assert len(rules) > 40  # the table is the URL map, not a hand-made list
    anonymous = stack.web.test_client()
    # a CSRF token of each client's own session, so the role check is what answers a POST
    tokens = {role: csrf_of((world[role] or anonymous).get("/sign-in")) for role in ROLES}
    problems = []
    for blueprint, method, rule in rules:
        url = url_of(rule)
        for role in ROLES:
            client = world[role] or anonymous
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": tokens[role]})
            expected = expectation(blueprint, method, rule, role)
            if not expected(response):
                problems.append(f"{method} {rule.rule} as {role}: {response.status_code}")
    assert problems == []


def expectation(blueprint, method, rule, role):
    if role == "anonymous":
        return lambda r: r.status_code == 302 and r.headers["Location"].startswith("/sign-in")
    if OWNER[blueprint] != role:
        return lambda r: r.status_code == 403
    if "<" in rule.rule:  # someone else's or a missing object: the API's own refusal
        return lambda r: r.status_code in (302, 404, 422)
    if method == "POST":  # an empty form: Korean messages, or a no-op redirect
        return lambda r: r.status_code in (302, 422)
    return lambda r: r.status_code == 200
