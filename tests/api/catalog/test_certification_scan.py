"""The daily certification scan: each notice once per certification, recorded in the row."""

from datetime import date, timedelta

from sqlalchemy import select

from catalog.adapters.models import Certification
from catalog.services.certifications import scan_certifications
from tests.support.builders import register_enterprise
from tests.support.catalog_builders import certify, events

TODAY = date(2026, 3, 2)


def cat(client):
    return client.application.extensions["catalog"]


def test_expiring_then_expired_each_exactly_once(client, admin, tofu):
    certify(client, admin, tofu["id"], valid_from=date(2023, 3, 20), valid_to=date(2026, 3, 20))

    assert scan_certifications(cat(client), TODAY - timedelta(days=60)) == {
        "expiring": 0,
        "expired": 0,
    }  # more than 30 days ahead: nothing yet
    assert scan_certifications(cat(client), TODAY) == {"expiring": 1, "expired": 0}
    assert scan_certifications(cat(client), TODAY) == {"expiring": 0, "expired": 0}
    assert scan_certifications(cat(client), TODAY + timedelta(days=5)) == {
        "expiring": 0,
        "expired": 0,
    }
    (expiring,) = events(client.application, "enterprise.certification_expiring")
    assert expiring.aggregate_id == tofu["id"]
    assert expiring.data["enterprise_name"] == "광명두부마을 협동조합"
    assert (expiring.data["valid_to"], expiring.data["days_left"]) == ("2026-03-20", 18)

    after = date(2026, 3, 21)
    assert scan_certifications(cat(client), after) == {"expiring": 0, "expired": 1}
    assert scan_certifications(cat(client), after) == {"expiring": 0, "expired": 0}
    assert scan_certifications(cat(client), after + timedelta(days=30)) == {
        "expiring": 0,
        "expired": 0,
    }
    (expired,) = events(client.application, "enterprise.certification_expired")
    assert expired.data["expired_on"] == "2026-03-21"
    with cat(client).db.reading() as session:
        row = session.scalar(select(Certification))
    assert row.expiring_notified_at is not None and row.expired_notified_at is not None


def test_a_lapse_no_scan_saw_coming_is_announced_only_as_expired(client, admin, tofu):
    certify(client, admin, tofu["id"], valid_from=date(2023, 1, 1), valid_to=date(2026, 2, 1))
    assert scan_certifications(cat(client), TODAY) == {"expiring": 0, "expired": 1}
    assert scan_certifications(cat(client), TODAY) == {"expiring": 0, "expired": 0}
    assert events(client.application, "enterprise.certification_expiring") == []


def test_a_renewed_certification_is_not_announced(client, admin, tofu):
    certify(client, admin, tofu["id"], valid_from=date(2023, 3, 20), valid_to=date(2026, 3, 20))
    certify(
        client,
        admin,
        tofu["id"],
        valid_from=date(2026, 3, 21),
        valid_to=date(2029, 3, 20),
        number="2026-002",
    )
    assert scan_certifications(cat(client), TODAY) == {"expiring": 0, "expired": 0}
    assert scan_certifications(cat(client), date(2026, 3, 25)) == {"expiring": 0, "expired": 0}


def test_closed_enterprises_are_not_announced(client, admin, tofu):
    certify(client, admin, tofu["id"], valid_from=date(2023, 3, 20), valid_to=date(2026, 3, 20))
    client.patch(f"/v1/enterprises/{tofu['id']}", json={"status": "closed"}, headers=admin)
    assert scan_certifications(cat(client), TODAY) == {"expiring": 0, "expired": 0}


def test_admin_runs_the_scan_on_demand(client, admin, tofu, token):
    soon = date.today() + timedelta(days=7)
    certify(client, admin, tofu["id"], valid_to=soon)
    late = register_enterprise(client, admin, name="전주 자활 비누")
    certify(client, admin, late["id"], valid_to=date.today() + timedelta(days=300))

    for role in ("enterprise", "buyer", "committee", "service"):
        refused = client.post("/v1/certification-scans", headers=token(role, tofu["id"]))
        assert refused.status_code == 403, role
    assert client.post("/v1/certification-scans").status_code == 401
    response = client.post("/v1/certification-scans", headers=admin)
    assert response.status_code == 200
    assert response.get_json() == {"expiring": 1, "expired": 0}
    assert client.post("/v1/certification-scans", headers=admin).get_json() == {
        "expiring": 0,
        "expired": 0,
    }


def test_the_task_is_registered_and_scheduled_daily(catalog_app):
    celery = catalog_app.extensions["celery"]
    assert "catalog.scan_certifications" in celery.tasks
    entry = celery.conf.beat_schedule["scan-certifications"]
    assert entry["task"] == "catalog.scan_certifications"
    assert entry["schedule"].hour == {6}  # crontab: once a day (Asia/Seoul)
    result = celery.tasks["catalog.scan_certifications"].apply(args=["2026-03-02"])
    assert result.get() == {"expiring": 0, "expired": 0}
