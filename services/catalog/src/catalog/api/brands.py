from __future__ import annotations

from flask.views import MethodView

from catalog.api import READERS
from catalog.api.schemas import brands as schemas
from catalog.services import brands, search
from catalog.services.listings import offline
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles

blp = Blueprint("brands", __name__, url_prefix="/v1/brands", description="공동 브랜드")


@blp.route("")
class Brands(MethodView):
    @require_roles(*READERS)
    @blp.response(200, schemas.BrandList)
    def get(self):
        return brands.list_brands(catalog())

    @require_roles("admin")
    @blp.arguments(schemas.BrandCreate)
    @blp.response(201, schemas.Brand)
    def post(self, fields):
        """Create a brand (admins only)."""
        return brands.create_brand(catalog(), fields)


@blp.route("/<code>")
class BrandByCode(MethodView):
    @require_roles(*READERS)
    @blp.response(200, schemas.Brand)
    def get(self, code):
        """One brand, with its routing policy and acceptance hours (orders reads them)."""
        return brands.get_brand(catalog(), code)

    @require_roles("admin")
    @blp.arguments(schemas.BrandUpdate)
    @blp.response(200, schemas.Brand)
    def patch(self, fields, code):
        """Change a brand (admins only); the code stays."""
        return brands.update_brand(catalog(), code, fields)


@blp.route("/<code>/products")
class BrandProducts(MethodView):
    @require_roles(*READERS)
    @blp.arguments(schemas.BrandProductsQuery, location="query")
    @blp.response(200, schemas.BrandProductPage)
    def get(self, query, code):
        """Products that carry the brand on `on` (default today): listing approved and valid
        that day, enterprise certified that day."""
        return search.brand_products(catalog(), code, query.pop("on"), query, current_principal())


@blp.route("/<code>/listings/<product_id>")
class BrandListing(MethodView):
    @require_roles("admin")
    @blp.arguments(schemas.ListingApproval)
    @blp.response(200, schemas.BrandListing)
    def put(self, fields, code, product_id):
        """Record a listing approval (or term) the committee decided offline (admins only).

        Audited like any decision and emits `listing.approved`; recording the same approval
        again changes nothing. A suspended listing is reinstated by the committee: 409."""
        return offline.record_offline_approval(
            catalog(), code, product_id, fields, current_principal()
        )
