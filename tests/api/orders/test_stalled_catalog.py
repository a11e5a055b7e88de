"""Catalog hung (accepts, never answers) while buyers place orders: 503 problem+json within
orders' deadline, nothing written, and once the circuit is open orders stops calling it."""

from __future__ import annotations

import pytest

from tests.api.orders.test_place_order import counts, order_body, place
from tests.support.black_hole import black_hole_fixture  # noqa: F401 (fixture black_hole)


@pytest.mark.committed  # a second orders app reads the institution the fixture wrote
@pytest.mark.timeout(120)
def test_a_hung_catalog_is_503_and_the_open_circuit_stops_calling_it(
    orders_app, two_suppliers, buyer, service_config, black_hole
):
    import orders as orders_service

    hung = orders_service.create_app(
        {**service_config, "CATALOG_URL": f"http://127.0.0.1:{black_hole.url_port}"}
    )
    client = hung.test_client()
    answers = [place(client, buyer(), order_body(two_suppliers)) for _ in range(3)]
    connections_while_trying = len(black_hole.accepted)

    at_once = place(client, buyer(), order_body(two_suppliers))

    for response in [*answers, at_once]:
        assert response.status_code == 503
        assert response.get_json()["code"] == "catalog_unavailable"
        assert int(response.headers["Retry-After"]) > 0
    assert connections_while_trying >= 3
    assert len(black_hole.accepted) == connections_while_trying  # the circuit is open
    assert counts(orders_app) == {k: 0 for k in counts(orders_app)}
