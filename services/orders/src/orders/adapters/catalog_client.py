"""orders' view of catalog over HTTP: one batch pricing call per order."""

from __future__ import annotations

from datetime import date

from gachi_kit.http import ServiceClient, UpstreamUnavailable


class CatalogError(Exception):
    """catalog answered, but not with something we can use (a bug, not an outage)."""


class CatalogClient:
    def __init__(self, http: ServiceClient) -> None:
        self._http = http

    def price(self, lines: list[dict], on: date) -> list[dict]:
        """Per line: `{"snapshot": {...}}` or `{"error": {"code", "detail"}}`, in order."""
        response = self._http.post(
            "/v1/pricing",
            json={
                "on_date": on.isoformat(),
                "lines": [
                    {"product_id": ln["product_id"], "quantity": ln["quantity"]} for ln in lines
                ],
            },
        )
        if response.status_code != 200:
            raise CatalogError(f"pricing answered {response.status_code}: {response.text[:300]}")
        priced = response.json()["lines"]
        if len(priced) != len(lines):
            raise CatalogError("pricing returned a different number of lines")
        return priced


__all__ = ["CatalogClient", "CatalogError", "UpstreamUnavailable"]
