"""orders' view of catalog over HTTP: batch pricing (products and product groups) and brands.

catalog's JSON is parsed here, once, into orders' own values (`orders.domain.pricing`); an
answer that does not fit is a `CatalogError` (a bug, not an outage), never a KeyError deep in
a use case.
"""

from __future__ import annotations

from datetime import date

from gachi_kit.domain_errors import TemporaryFailure
from gachi_kit.http import ServiceClient, UpstreamUnavailable
from orders.domain.off_platform import CertificationPeriod, DirectoryEntry
from orders.domain.pricing import (
    BrandTerms,
    Certification,
    Listing,
    PricedGroup,
    PricedLine,
    PricedProduct,
    Pricing,
    ProductGroup,
    RefusedLine,
    Snapshot,
)


class CatalogError(TemporaryFailure):
    """catalog answered, but not with something we can use: a bug on one side, retried like
    an outage (a deploy fixes it) and answered 503 meanwhile."""


class UnknownBrand(Exception):
    pass


class CatalogClient:
    def __init__(self, http: ServiceClient) -> None:
        self._http = http

    def price(self, lines: list[dict], on: date, brand_code: str | None = None) -> Pricing:
        """One priced line per requested line, in order, and the brand's terms when catalog
        sends them with the answer."""
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
        pricing = _parsed(parse_pricing, response.json())
        if len(pricing.lines) != len(lines):
            raise CatalogError("pricing returned a different number of lines")
        return pricing

    def brand_terms(self, code: str) -> BrandTerms:
        """A separate call, for a catalog whose pricing answer does not carry `brand` yet."""
        response = self._http.get(f"/v1/brands/{code}")
        if response.status_code == 404:
            raise UnknownBrand(code)
        if response.status_code != 200:
            raise CatalogError(f"brand answered {response.status_code}: {response.text[:300]}")
        return _parsed(parse_brand_terms, response.json())

    # -- enterprises by 사업자등록번호 (off-platform purchases) --------------------------------

    def enterprises_by_brn(self, brns: set[str]) -> dict[str, DirectoryEntry]:
        """brn → enterprise for the numbers catalog knows (its directory shows a service only
        active enterprises), with their certification periods: one exact lookup per 100
        numbers, then each match's certifications."""
        found: dict[str, DirectoryEntry] = {}
        wanted = sorted(brns)
        for start in range(0, len(wanted), 100):
            params = {"brn": wanted[start : start + 100], "limit": 100}
            page = self._json(self._http.get("/v1/enterprises", params=params), "enterprises")
            for raw in page["items"]:
                found[raw["brn"]] = _parsed(parse_directory_entry, raw)
        return {
            brn: entry.with_periods(self._certification_periods(entry.enterprise_id))
            for brn, entry in found.items()
        }

    def enterprise(self, enterprise_id: str) -> DirectoryEntry | None:
        """One enterprise's name, type and 사업자등록번호 (documents name both parties)."""
        response = self._http.get(f"/v1/enterprises/{enterprise_id}")
        if response.status_code == 404:
            return None
        return _parsed(parse_directory_entry, self._json(response, "enterprise"))

    def _certification_periods(self, enterprise_id: str) -> tuple[CertificationPeriod, ...]:
        answer = self._json(
            self._http.get(f"/v1/enterprises/{enterprise_id}/certifications"), "certifications"
        )
        return tuple(_parsed(parse_certification_period, raw) for raw in answer["items"])

    @staticmethod
    def _json(response, what: str) -> dict:
        if response.status_code != 200:
            raise CatalogError(f"{what} answered {response.status_code}: {response.text[:300]}")
        return response.json()


def parse_directory_entry(raw: dict) -> DirectoryEntry:
    return DirectoryEntry(
        enterprise_id=raw["id"],
        name=raw["name"],
        enterprise_type=raw["enterprise_type"],
        brn=raw["brn"],
    )


def parse_certification_period(raw: dict) -> CertificationPeriod:
    return CertificationPeriod(
        valid_from=date.fromisoformat(raw["valid_from"]),
        valid_to=date.fromisoformat(raw["valid_to"]),
    )


def parse_pricing(answer: dict) -> Pricing:
    brand = answer.get("brand")
    return Pricing(
        lines=tuple(parse_priced_line(line) for line in answer["lines"]),
        brand=parse_brand_terms(brand) if brand else None,
    )


def parse_priced_line(line: dict) -> PricedLine:
    if line.get("error"):
        return RefusedLine(code=line["error"]["code"], detail=line["error"]["detail"])
    if line.get("snapshot"):
        return PricedProduct(parse_snapshot(line["snapshot"]))
    group = line["group"]
    return PricedGroup(
        group=ProductGroup(code=group["code"], name=group["name"], unit=group["unit"]),
        candidates=tuple(parse_snapshot(c) for c in line.get("candidates") or ()),
    )


def parse_snapshot(raw: dict) -> Snapshot:
    certification = raw.get("certification")
    listing = raw.get("listing")
    return Snapshot(
        product_id=raw["product_id"],
        product_version=int(raw["product_version"]),
        sku=raw["sku"],
        name=raw["name"],
        unit=raw["unit"],
        unit_price=int(raw["unit_price"]),
        tax_type=raw["tax_type"],
        lead_time_days=int(raw["lead_time_days"]),
        enterprise_id=raw["enterprise_id"],
        enterprise_name=raw["enterprise_name"],
        enterprise_type=raw["enterprise_type"],
        certified=bool(raw["certified"]),
        min_order_qty=int(raw.get("min_order_qty") or 1),
        weekly_capacity=raw.get("weekly_capacity"),
        sigungu_code=raw.get("sigungu_code"),
        certification=Certification(
            kind=certification.get("kind"),
            number=certification.get("number"),
            valid_to=_day(certification.get("valid_to")),
        )
        if certification
        else None,
        listing=Listing(
            brand_code=listing["brand_code"],
            status=listing["status"],
            valid_until=_day(listing.get("valid_until")),
        )
        if listing
        else None,
    )


def parse_brand_terms(raw: dict) -> BrandTerms:
    return BrandTerms(
        code=raw["code"],
        routing_policy=raw["routing_policy"],
        acceptance_hours=int(raw["acceptance_hours"]),
    )


def _parsed(parse, answer):
    try:
        return parse(answer)
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"catalog's answer does not fit: {exc!r}") from exc


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _pricing_line(line: dict) -> dict:
    keys = ("product_id", "group_code", "sku", "enterprise_brn", "quantity")
    return {key: line[key] for key in keys if line.get(key)}


__all__ = ["CatalogClient", "CatalogError", "UnknownBrand", "UpstreamUnavailable"]
