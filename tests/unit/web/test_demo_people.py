"""The demo people act on the other services' demo data: same ids, departments, subs."""

from __future__ import annotations

from catalog import seed as catalog_seed
from orders import seed as orders_seed
from web import seed


def test_organisations_are_the_ones_orders_and_catalog_seed():
    assert orders_seed.institution_id("gwangmyeong-city") == seed.GWANGMYEONG_CITY
    assert catalog_seed.demo_id("enterprise:gm-tofu") == seed.GWANGMYEONG_TOFU
    assert seed.BITSONE in {brand["code"] for brand in catalog_seed.BRANDS}


def test_departments_exist_in_orders():
    departments = {
        orders_seed.institution_id(key): set(depts)
        for key, _name, _kind, _sido, _sigungu, depts in orders_seed.INSTITUTIONS
    }
    for _email, _name, _sub, _totp, memberships in seed.PEOPLE:
        for role, org, dept, _chair in memberships:
            if role == "buyer":
                assert dept in departments[org]


def test_committee_people_are_catalogs_members_by_sub():
    members = {(brand, sub): chair for brand, sub, _name, chair in catalog_seed.COMMITTEE}
    for _email, _name, sub, _totp, memberships in seed.PEOPLE:
        for role, org, _dept, chair in memberships:
            if role == "committee":
                assert members[(org, sub)] == chair


def test_one_demo_person_per_role_and_a_second_factor_where_required():
    from web.identity.domain.roles import ROLE_NAMES, needs_second_factor

    roles = {m[0] for *_rest, memberships in seed.PEOPLE for m in memberships}
    assert roles == set(ROLE_NAMES)
    for _email, _name, _sub, totp, memberships in seed.PEOPLE:
        if any(needs_second_factor(role, chair) for role, _org, _dept, chair in memberships):
            assert totp
