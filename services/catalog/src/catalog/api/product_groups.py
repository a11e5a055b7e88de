from __future__ import annotations

from flask.views import MethodView

from catalog.api import READERS
from catalog.api.schemas import product_groups as schemas
from catalog.services import groups
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import require_roles
from gachi_kit.dates import today_kst

blp = Blueprint(
    "product_groups",
    __name__,
    url_prefix="/v1/product-groups",
    description="상품군 (여러 기업이 공급하는 표준 품목)",
)


@blp.route("")
class ProductGroups(MethodView):
    @require_roles(*READERS)
    @blp.response(200, schemas.ProductGroupList)
    def get(self):
        """Every product group with how many products on sale belong to it."""
        return groups.list_groups(catalog())

    @require_roles("admin")
    @blp.arguments(schemas.ProductGroupCreate)
    @blp.response(201, schemas.ProductGroup)
    def post(self, fields):
        """Create a product group (admins only)."""
        return groups.create_group(catalog(), fields)


@blp.route("/<code>")
class ProductGroupByCode(MethodView):
    @require_roles(*READERS)
    @blp.response(200, schemas.ProductGroup)
    def get(self, code):
        return groups.get_group(catalog(), code)

    @require_roles("admin")
    @blp.arguments(schemas.ProductGroupUpdate)
    @blp.response(200, schemas.ProductGroup)
    def patch(self, fields, code):
        """Change a group's name, unit or description (admins only)."""
        return groups.update_group(catalog(), code, fields)

    @require_roles("admin")
    @blp.response(204)
    def delete(self, code):
        """Delete a group no product belongs to (admins only; otherwise 409)."""
        groups.delete_group(catalog(), code)


@blp.route("/<code>/candidates")
class Candidates(MethodView):
    @require_roles(*READERS)
    @blp.arguments(schemas.CandidatesQuery, location="query")
    @blp.response(200, schemas.Candidates)
    def get(self, query, code):
        """Every product on sale in the group, as pricing snapshots on `on` (default today)
        with the `brand` listing: capacity, lead time, region, certification, listing.
        Eligibility is orders' decision."""
        return groups.candidates(catalog(), code, query["on"] or today_kst(), query["brand"])
