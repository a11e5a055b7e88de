"""The year-end rush (December: institutions hurry to meet their 우선구매 targets), for
Locust. Runs in Locust's own environment and imports nothing of gachi: the fixture file
(YEAR_END_FIXTURE, written by bench/year_end_rush/run.py or by hand for another
deployment) gives the services' addresses, bearer tokens, products and product groups.

- purchase officers search the catalogue, place orders of products and of product groups
  (routing picks the suppliers), read their orders and their 우선구매 report;
- enterprise operators poll their inbox and accept the supplier orders waiting for them.

Every order the platform acknowledged (201) is appended to YEAR_END_ACKED (JSON lines), so
the run can be checked afterwards: every supplier order in its enterprise's inbox once.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import date, timedelta

from locust import HttpUser, between, task

FIXTURE = json.loads(open(os.environ["YEAR_END_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
ACKED = os.environ["YEAR_END_ACKED"]
URLS = FIXTURE["urls"]
NEEDED_BY = (date.today() + timedelta(days=14)).isoformat()
SEARCHES = ["김치", "ㄷㅂㄱㅈ", "두부 과자", "비누", "감귤", "도시락"]


def acknowledge(body: dict) -> None:
    parts = [[so["enterprise_id"], so["id"]] for so in body["supplier_orders"]]
    with open(ACKED, "a", encoding="utf-8") as handle:  # one short line: appends stay whole
        handle.write(json.dumps({"order": body["id"], "parts": parts}) + "\n")


class PurchaseOfficer(HttpUser):
    weight = 6
    wait_time = between(0.5, 2.0)
    host = URLS["orders"]

    def on_start(self) -> None:
        buyer = random.choice(FIXTURE["buyers"])
        self.institution = buyer["institution_id"]
        self.auth = {"Authorization": f"Bearer {buyer['token']}"}
        self.orders: list[str] = []

    def _place(self, lines: list[dict], name: str) -> None:
        with self.client.post(
            f"{URLS['orders']}/v1/orders",
            json={
                "delivery_address": "경기도 광명시 시청로 20",
                "delivery_sigungu_code": "41210",
                "needed_by": NEEDED_BY,
                "memo": "연말 우선구매",
                "lines": lines,
            },
            headers={**self.auth, "Idempotency-Key": str(uuid.uuid4())},
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            body = response.json()
            acknowledge(body)
            self.orders.append(body["id"])

    @task(3)
    def search(self) -> None:
        self.client.get(
            f"{URLS['catalog']}/v1/products",
            params={"q": random.choice(SEARCHES), "limit": 20},
            headers=self.auth,
            name="GET /v1/products?q= (search)",
        )

    @task(2)
    def order_products(self) -> None:
        products = random.sample(FIXTURE["products"], 8)
        lines = [{"product_id": p, "quantity": random.randint(1, 30)} for p in products]
        self._place(lines, "POST /v1/orders (8 products)")

    @task(1)
    def order_product_groups(self) -> None:
        groups = random.sample(FIXTURE["groups"], 3)
        lines = [{"group_code": g, "quantity": random.randint(5, 40)} for g in groups]
        self._place(lines, "POST /v1/orders (3 product groups)")

    @task(1)
    def read_order(self) -> None:
        if self.orders:
            self.client.get(
                f"{URLS['orders']}/v1/orders/{random.choice(self.orders)}",
                headers=self.auth,
                name="GET /v1/orders/{id}",
            )

    @task(1)
    def read_report(self) -> None:
        self.client.get(
            f"{URLS['orders']}/v1/institutions/{self.institution}/performance",
            params={"fiscal_year": date.today().year},
            headers=self.auth,
            name="GET /v1/institutions/{id}/performance",
        )


class EnterpriseOperator(HttpUser):
    weight = 2
    wait_time = between(1.0, 3.0)
    host = URLS["notify"]

    def on_start(self) -> None:
        operator = random.choice(FIXTURE["operators"])
        self.auth = {"Authorization": f"Bearer {operator['token']}"}

    @task(3)
    def poll_inbox(self) -> None:
        self.client.get(
            f"{URLS['notify']}/v1/inbox",
            params={"limit": 20},
            headers=self.auth,
            name="GET /v1/inbox",
        )

    @task(1)
    def accept_waiting(self) -> None:
        response = self.client.get(
            f"{URLS['orders']}/v1/supplier-orders",
            params={"status": "pending", "limit": 5},
            headers=self.auth,
            name="GET /v1/supplier-orders?status=pending",
        )
        if response.status_code != 200:
            return
        for waiting in response.json()["items"][:2]:
            with self.client.post(
                f"{URLS['orders']}/v1/supplier-orders/{waiting['id']}/accept",
                json={"version": waiting["version"]},
                headers=self.auth,
                name="POST /v1/supplier-orders/{id}/accept",
                catch_response=True,
            ) as accepted:
                if accepted.status_code == 409:  # another operator of it was quicker
                    accepted.success()
