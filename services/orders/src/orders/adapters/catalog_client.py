"""orders' view of catalog over HTTP: batch pricing (products and product groups) and brands."""

from __future__ import annotations

from datetime import date

from gachi_kit.http import ServiceClient, UpstreamUnavailable


class CatalogError(Exception):
    """catalog answered, but not with something we can use (a bug, not an outage)."""


class UnknownBrand(Exception):
    pass


class CatalogClient:
    def __init__(self, http: ServiceClient) -> None:
        self._http = http

    def price(self, lines: list[dict], on: date, brand_code: str | None = None) -> list[dict]:
        """Per line, in order: `{"snapshot"}` for a product, `{"group", "candidates"}` for a
        product group, or `{"error": {"code", "detail"}}`."""
        body: dict = {
            "on_date": on.isoformat(),
            "lines": [_pricing_line(line) for line in lines],
        }
        if brand_code:
            body["brand_code"] = brand_code
        response = self._http.post("/v1/pricing", json=body)
        if response.status_code == 422 and response.json().get("code") == "unknown_brand":
            raise UnknownBrand(brand_code)
        if response.status_code != 200:
            raise CatalogError(f"pricing answered {response.status_code}: {response.text[:300]}")
        priced = response.json()["lines"]
        if len(priced) != len(lines):
            raise CatalogError("pricing returned a different number of lines")
        return priced

    def brand(self, code: str) -> dict:
        response = self._http.get(f"/v1/brands/{code}")
        if response.status_code == 404:
            raise UnknownBrand(code)
        if response.status_code != 200:
            raise CatalogError(f"brand answered {response.status_code}: {response.text[:300]}")
        return response.json()


def _pricing_line(line: dict) -> dict:
    keys = ("product_id", "group_code", "sku", "enterprise_brn", "quantity")
    return {key: line[key] for key in keys if line.get(key)}


__all__ = ["CatalogClient", "CatalogError", "UnknownBrand", "UpstreamUnavailable"]
