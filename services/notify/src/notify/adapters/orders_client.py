"""notify → orders, with a service identity (`role=service`, `sub=notify`, `aud=orders`).

POSTs are sent once (ServiceClient retries only GET); 5xx and network failures raise
`UpstreamUnavailable`, the caller shows "try again" and keeps the link usable.
"""

from __future__ import annotations

from dataclasses import dataclass

from gachi_kit.http import ServiceClient


@dataclass(frozen=True, slots=True)
class OrdersAnswer:
    status: int
    body: dict


class OrdersClient:
    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    def accept_all(self, supplier_order_id: str, enterprise_id: str) -> OrdersAnswer:
        return self._post(
            f"/v1/supplier-orders/{supplier_order_id}/accept", {"acting_for": enterprise_id}
        )

    def decline(self, supplier_order_id: str, enterprise_id: str, reason: str) -> OrdersAnswer:
        return self._post(
            f"/v1/supplier-orders/{supplier_order_id}/decline",
            {"acting_for": enterprise_id, "reason": reason},
        )

    def _post(self, path: str, body: dict) -> OrdersAnswer:
        response = self.http.post(path, json=body)
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        return OrdersAnswer(response.status_code, payload if isinstance(payload, dict) else {})
