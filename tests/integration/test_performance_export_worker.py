"""A large 우선구매 export runs on orders' real Celery worker: progress, then a download."""

from __future__ import annotations

import io

import redis
from openpyxl import load_workbook

from gachi_kit.dates import today_kst
from tests.support.builders import register_institution
from tests.support.infra import Processes, celery_worker_argv, service_env, wait_for


def test_an_export_job_runs_on_the_worker_and_is_downloaded(
    orders_app, service_config, redis_url, token, tmp_path
):
    redis.Redis.from_url(redis_url).flushdb()  # nothing left over for orders' queue
    processes = Processes(tmp_path, service_env(service_config))
    processes.start("orders-worker", celery_worker_argv("orders"))
    try:
        processes.wait_log("orders-worker", "ready.")
        client = orders_app.test_client()
        iid = register_institution(client, token("admin"))["id"]
        admin = token("institution_admin", iid)
        started = client.post(
            f"/v1/institutions/{iid}/performance/exports",
            query_string={"fiscal_year": today_kst().year},
            headers=admin,
        )
        assert started.status_code == 202, started.get_json()
        job = started.get_json()
        assert job["status"] == "queued" and job["download_url"] is None
        url = f"/v1/institutions/{iid}/performance/exports/{job['id']}"

        def done():
            return client.get(url, headers=admin).get_json()["status"] in ("done", "failed")

        wait_for(done, timeout=60, what="the export job to finish")
        finished = client.get(url, headers=admin).get_json()
        assert finished["status"] == "done", finished
        assert finished["progress"] == 100
        download = client.get(finished["download_url"], headers=admin)
        assert download.status_code == 200
        workbook = load_workbook(io.BytesIO(download.data))
        assert "실적 명세" in workbook.sheetnames
        other = client.get(url, headers=token("institution_admin", iid, sub="someone-else"))
        assert other.status_code == 404
    finally:
        processes.stop_all()


def test_a_document_is_drawn_by_the_worker_and_then_served(
    orders_app, catalog_app, catalog_url, service_config, redis_url, token, tmp_path
):
    from tests.support.performance import act, deliver, enterprises, place

    redis.Redis.from_url(redis_url).flushdb()
    processes = Processes(tmp_path, service_env(service_config, CATALOG_URL=catalog_url))
    processes.start("orders-worker", celery_worker_argv("orders"))
    try:
        processes.wait_log("orders-worker", "ready.")
        client = orders_app.test_client()
        made = enterprises(catalog_app.test_client(), token("admin"))
        iid = register_institution(client, token("admin"))["id"]
        buyer = token("buyer", iid, dept="총무과")
        so = place(client, buyer, [(made["share"], 2)])["supplier_orders"][0]
        deliver(client, so, token)
        act(client, so["id"], "inspect", buyer)
        url = f"/v1/supplier-orders/{so['id']}/documents/inspection"
        assert client.get(url, headers=buyer).status_code == 202

        def drawn():
            return client.get(url, headers=buyer).status_code == 200

        wait_for(drawn, timeout=60, what="the worker to draw the 검수조서")
        pdf = client.get(url, headers=buyer).data
        assert pdf.startswith(b"%PDF")
    finally:
        processes.stop_all()


def test_a_quotation_is_drawn_by_the_worker_as_soon_as_it_is_asked_for(
    orders_app, catalog_app, catalog_url, service_config, redis_url, token, tmp_path
):
    from tests.support.pdf import text_of
    from tests.support.performance import enterprises

    redis.Redis.from_url(redis_url).flushdb()
    processes = Processes(tmp_path, service_env(service_config, CATALOG_URL=catalog_url))
    processes.start("orders-worker", celery_worker_argv("orders"))
    try:
        processes.wait_log("orders-worker", "ready.")
        client = orders_app.test_client()
        made = enterprises(catalog_app.test_client(), token("admin"))
        iid = register_institution(client, token("admin"))["id"]
        buyer = token("buyer", iid, dept="총무과")
        asked = client.post(
            "/v1/quotations",
            json={"lines": [{"product_id": made["share"]["product"]["id"], "quantity": 2}]},
            headers=buyer,
        )
        assert asked.status_code == 201, asked.get_json()
        [quotation] = asked.get_json()["items"]
        url = f"/v1/quotations/{quotation['id']}/pdf"

        def drawn():  # queued when it was created: no download needed to start it
            return client.get(f"/v1/quotations/{quotation['id']}", headers=buyer).get_json()[
                "pdf_ready"
            ]

        wait_for(drawn, timeout=60, what="the worker to draw the 견적서")
        text = text_of(client.get(url, headers=buyer).data)
        assert "견적서" in text and "나눔사회적협동조합" in text and "금일십삼만원정" in text
    finally:
        processes.stop_all()
