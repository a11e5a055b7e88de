"""A brand committee world for the committee tests: members, an applicant, listings in any
state reached through the API."""

from __future__ import annotations

from datetime import timedelta

from catalog.services.listings.scans import scan_listings
from gachi_kit.dates import today_kst
from tests.support.builders import create_product, register_enterprise
from tests.support.catalog_builders import certify, create_brand

SCORES = {"locality": 4, "quality": 5}


class World:
    """A brand with a committee (chair m1, m2, m3, conflicted mc), another brand with ox,
    the applying enterprise (tofu) with a product, and another enterprise."""

    def __init__(self, client, admin, token):
        self.client, self.admin, self.token = client, admin, token
        create_brand(client, admin)
        create_brand(client, admin, code="SOCIALGOODS", name="소셜굿즈", criteria=[])
        self.tofu = register_enterprise(client, admin, name="광명두부마을 협동조합")
        self.other = register_enterprise(client, admin, name="완주 김치 마을기업")
        certify(client, admin, self.tofu["id"])
        self.product = create_product(client, admin, self.tofu["id"])
        for sub, name, chair, conflicts in (
            ("m1", "김위원장", True, []),
            ("m2", "이위원", False, []),
            ("m3", "박위원", False, []),
            ("mc", "최위원", False, [self.tofu["id"]]),
        ):
            self.add_member("BITSONE", sub, name, chair, conflicts)
        self.add_member("SOCIALGOODS", "ox", "정위원", True, [])

    def add_member(self, brand, sub, name, chair=False, conflicts=()):
        r = self.client.post(
            f"/v1/brands/{brand}/committee",
            json={
                "user_sub": sub,
                "name": name,
                "is_chair": chair,
                "conflicted_enterprise_ids": list(conflicts),
            },
            headers=self.admin,
        )
        assert r.status_code == 201, r.get_json()

    def member(self, sub, brand="BITSONE"):
        return self.token("committee", brand, sub=sub)

    def owner(self):
        return self.token("enterprise", self.tofu["id"])

    def apply(self, **body):
        r = self.client.post(
            "/v1/listings",
            json={"brand_code": "BITSONE", "product_id": self.product["id"]} | body,
            headers=self.owner(),
        )
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def post(self, listing_id, action, headers, body=None):
        return self.client.post(f"/v1/listings/{listing_id}/{action}", json=body, headers=headers)

    def vote(self, listing_id, sub, choice="approve", comment="", scores=SCORES):
        body = {"choice": choice, "scores": scores, "comment": comment}
        return self.post(listing_id, "votes", self.member(sub), body)

    def to_state(self, state):
        """A listing in `state`, reached through the API."""
        listing = self.apply(pitch="국산콩 100%", document_urls=["https://docs.example.kr/a.pdf"])
        lid = listing["id"]
        path = {
            "draft": [],
            "submitted": ["submit"],
            "in_review": ["submit", "review"],
            "approved": ["submit", "review", "approve"],
            "rejected": ["submit", "review", "reject"],
            "suspended": ["submit", "review", "approve", "suspend"],
            "withdrawn": ["withdraw"],
            "expired": ["submit", "review", "approve", "expire"],
        }[state]
        for step in path:
            if step == "submit":
                r = self.post(lid, "submit", self.owner())
            elif step == "review":
                r = self.post(lid, "review", self.member("m2"))
            elif step in ("approve", "reject"):
                outcome = "approved" if step == "approve" else "rejected"
                body = {"outcome": outcome, "reason": "위원장 결정"}
                r = self.post(lid, "decision", self.member("m1"), body)
            elif step == "suspend":
                r = self.post(lid, "suspend", self.member("m2"), {"reason": "위생 점검"})
            elif step == "withdraw":
                r = self.post(lid, "withdraw", self.owner(), {})
            else:  # expire: the daily scan after the term
                scan_listings(self.app_catalog(), today_kst() + timedelta(days=800))
                continue
            assert r.status_code == 200, (step, r.get_json())
        return lid

    def app_catalog(self):
        return self.client.application.extensions["catalog"]


def status_of(world, lid):
    return world.client.get(f"/v1/listings/{lid}", headers=world.admin).get_json()["status"]
