"""Use cases: creating, changing and reading products (and their price history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from catalog.adapters.models import (
    Brand,
    BrandListing,
    Enterprise,
    PriceHistory,
    Product,
    ProductGroup,
)
from catalog.domain.brand import carries_brand, effective_listing_status
from catalog.domain.product import ProductChange, diff
from catalog.services import published
from catalog.services.categories import known, unknown_category
from catalog.services.indexing import index_product
from catalog.services.listings.material_edits import flag_material_change
from catalog.services.rows import RowWith
from catalog.services.snapshots import certification
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.errors import Problem, invalid, not_found
from gachi_kit.events import new_id

# Who may see a product that is not on sale (draft) besides its own enterprise.
SEES_DRAFTS = ("admin", "committee", "service")


@dataclass(frozen=True)
class References:
    """The managed lists a product write is checked against, read once per transaction."""

    categories: dict[str, str]
    groups: dict[str, str]

    @classmethod
    def load(cls, session: Session) -> References:
        return cls(
            categories=known(session),
            groups=dict(session.execute(select(ProductGroup.code, ProductGroup.name)).all()),
        )

    def problems(self, fields: dict) -> dict[str, list[str]]:
        """Field -> messages for references that do not exist (Korean, for people)."""
        errors: dict[str, list[str]] = {}
        if "category" in fields and fields["category"] not in self.categories:
            errors["category"] = ["등록되지 않은 분류입니다."]
        if fields.get("group_code") and fields["group_code"] not in self.groups:
            errors["group_code"] = ["등록되지 않은 상품군 코드입니다."]
        return errors

    def check(self, fields: dict) -> None:
        errors = self.problems(fields)
        if "category" in errors:
            raise unknown_category()
        if errors:
            raise invalid(errors=errors, code="unknown_product_group")


def create_product(catalog: Catalog, fields: dict, actor: Principal) -> RowWith:
    fields = dict(fields)
    enterprise_id = _owning_enterprise(fields.pop("enterprise_id", None), actor)
    try:
        with catalog.db.transaction() as session:
            enterprise = session.get(Enterprise, enterprise_id)
            if enterprise is None:
                raise invalid(
                    "enterprise_id", "등록되지 않은 기업입니다.", code="enterprise_not_found"
                )
            refs = References.load(session)
            refs.check(fields)
            taken = select(Product.id).where(
                Product.enterprise_id == enterprise_id, Product.sku == fields["sku"]
            )
            if session.scalar(taken):
                raise _sku_taken()
            product = insert_product(catalog, session, enterprise, fields, actor, refs)
    except IntegrityError as exc:
        raise _sku_taken() from exc
    return product_row(product, enterprise, refs.categories)


def insert_product(
    catalog: Catalog,
    session: Session,
    enterprise: Enterprise,
    fields: dict,
    actor: Principal,
    refs: References,
) -> Product:
    """Add one product with its first price-history row and `product.created` (also the import)."""
    product = Product(
        **{"status": "active", "tags": [], "image_urls": [], **fields},
        enterprise_id=enterprise.id,
        version=1,
    )
    product.id = product.id or new_id()
    _index(product, enterprise, refs)
    session.add(product)
    session.add(_history(product, actor))
    published.product_created(catalog, session, product, actor)
    return product


def update_product(catalog: Catalog, product_id: str, fields: dict, actor: Principal) -> RowWith:
    """Operators change their own products (someone else's: 404); admins any."""
    with catalog.db.transaction() as session:
        product = session.get(Product, product_id, with_for_update=True)
        if product is None or not _may_edit(actor, product):
            raise _not_found()
        refs = References.load(session)
        refs.check(fields)
        enterprise = session.get(Enterprise, product.enterprise_id)
        apply_product_changes(catalog, session, product, enterprise, fields, actor, refs)
    return product_row(product, enterprise, refs.categories)


def apply_product_changes(
    catalog: Catalog,
    session: Session,
    product: Product,
    enterprise: Enterprise,
    requested: dict,
    actor: Principal,
    refs: References,
) -> ProductChange:
    """Set what differs. A material edit bumps the version; a price or tax-type edit adds a
    price-history row; an edit a brand committee must see again flags the product's approved
    listings for re-review; any edit reindexes and records one `product.updated`. Re-sending
    the current values changes nothing at all (no version, no event)."""
    change = diff({f: getattr(product, f) for f in requested}, requested)
    if not change:
        return change
    before = {f: getattr(product, f) for f in ("version", "unit_price", "tax_type")}
    for field, (_old, new) in change.changes.items():
        setattr(product, field, list(new) if isinstance(new, list | tuple) else new)
    if change.is_material:
        product.version = before["version"] + 1
    if change.touches_price:
        session.add(_history(product, actor))
    if change.is_material:  # only those fields can matter to a brand committee
        flag_material_change(catalog, session, product, change.changes, actor)
    _index(product, enterprise, refs)
    published.product_updated(catalog, session, product, change, before, actor)
    return change


def get_product(
    catalog: Catalog, product_id: str, actor: Principal, on: date | None = None
) -> RowWith:
    on = on or today_kst()
    with catalog.db.reading() as session:
        product = session.get(
            Product,
            product_id,
            options=[
                selectinload(Product.enterprise).selectinload(Enterprise.certifications),
                selectinload(Product.listings),
            ],
        )
        if product is None or not _may_see(actor, product):
            raise _not_found()
        labels = known(session)
        brand_names = dict(session.execute(select(Brand.code, Brand.name)).all())
    certified = certification(product, on) is not None
    listings = [_listing_on(lst, brand_names, on, certified) for lst in product.listings]
    return product_row(product, product.enterprise, labels, listings=listings)


def price_history(catalog: Catalog, product_id: str, actor: Principal) -> dict:
    with catalog.db.reading() as session:
        product = session.get(Product, product_id)
        if product is None or not _may_see(actor, product):
            raise _not_found()
        rows = session.scalars(
            select(PriceHistory)
            .where(PriceHistory.product_id == product_id)
            .order_by(PriceHistory.changed_at.desc(), PriceHistory.version.desc())
        ).all()
    return {"product_id": product_id, "items": rows}


def product_row(
    product: Product, enterprise: Enterprise, labels: dict[str, str], **derived
) -> RowWith:
    """The product as the API shows it: with its enterprise and its category's label."""
    category_label = labels.get(product.category, "")
    return RowWith(product, enterprise=enterprise, category_label=category_label, **derived)


def _listing_on(
    listing: BrandListing, brand_names: dict[str, str], on: date, certified: bool
) -> RowWith:
    """One of the product's brand listings as it stands on `on`."""
    return RowWith(
        listing,
        brand_name=brand_names.get(listing.brand_code, ""),
        status=effective_listing_status(listing.status, listing.valid_until, on),
        carries_brand=carries_brand(listing.status, listing.valid_until, on, certified=certified),
    )


# -- helpers ---------------------------------------------------------------------------------


def _index(product: Product, enterprise: Enterprise, refs: References) -> None:
    index_product(
        product,
        enterprise_name=enterprise.name,
        category_label=refs.categories.get(product.category, product.category),
        group_name=refs.groups.get(product.group_code) if product.group_code else None,
    )


def _history(product: Product, actor: Principal) -> PriceHistory:
    return PriceHistory(
        id=new_id(),
        product_id=product.id,
        version=product.version,
        unit_price=product.unit_price,
        tax_type=product.tax_type,
        changed_by=actor.sub,
    )


def _may_edit(actor: Principal, product: Product) -> bool:
    return actor.role == "admin" or (
        actor.role == "enterprise" and actor.org == product.enterprise_id
    )


def _may_see(actor: Principal, product: Product) -> bool:
    if product.status != "draft" or actor.role in SEES_DRAFTS:
        return True
    return actor.role == "enterprise" and actor.org == product.enterprise_id


def _owning_enterprise(requested: str | None, actor: Principal) -> str:
    """Admins act for any enterprise; an operator only for its own (BOLA)."""
    if actor.role == "admin":
        if not requested:
            raise invalid("enterprise_id", "관리자는 기업을 지정해야 합니다.")
        return requested
    if requested and requested != actor.org:
        raise Problem(
            403, "forbidden_enterprise", "권한이 없습니다", "다른 기업의 상품은 등록할 수 없습니다."
        )
    if not actor.org:
        raise Problem(
            403, "forbidden_enterprise", "권한이 없습니다", "토큰에 기업(org)이 없습니다."
        )
    return actor.org


def _not_found() -> Problem:
    return not_found("product", "상품")


def _sku_taken() -> Problem:
    return Problem(
        409,
        "product_sku_taken",
        "이미 사용 중인 SKU입니다",
        "같은 기업에 같은 SKU의 상품이 있습니다.",
    )
