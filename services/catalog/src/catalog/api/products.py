from __future__ import annotations

from flask.views import MethodView

from catalog.api import READERS
from catalog.api.schemas import products as schemas
from catalog.services import products, search
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles

blp = Blueprint("products", __name__, url_prefix="/v1/products", description="상품")


@blp.route("")
class Products(MethodView):
    @require_roles(*READERS)
    @blp.arguments(schemas.ProductSearchQuery, location="query")
    @blp.response(200, schemas.ProductPage)
    def get(self, query):
        """Search products the way a Korean user types, with filters, facets and a cursor.

        `q` matches partial words (김치 → 포기김치, 김치찌개용), 초성 (ㄷㅂㄱㅈ → 두부과자) and
        ignores spacing (호두 과자 = 호두과자) in the name, enterprise, SKU, category, group,
        tags and description. Relevance ranks a name that starts with the query above a name
        that contains it above a match in another field. Non-owners see only products on
        sale (active product, active enterprise); an operator also sees its own; admins all.
        Facet counts (category, enterprise_type, sido) cover the whole filtered set."""
        return search.search_products(catalog(), query, current_principal())

    @require_roles("admin", "enterprise")
    @blp.arguments(schemas.ProductCreate)
    @blp.response(201, schemas.Product)
    def post(self, fields):
        """Create a product: admins for any enterprise, an operator for its own."""
        return products.create_product(catalog(), fields, current_principal())


@blp.route("/<product_id>")
class ProductById(MethodView):
    @require_roles(*READERS)
    @blp.response(200, schemas.ProductDetail)
    def get(self, product_id):
        """One product with its brand listings. Drafts: only their enterprise, admins,
        committee and services."""
        return products.get_product(catalog(), product_id, current_principal())

    @require_roles("admin", "enterprise")
    @blp.arguments(schemas.ProductUpdate)
    @blp.response(200, schemas.Product)
    def patch(self, fields, product_id):
        """Change a product (an operator: its own, otherwise 404; admins: any).

        A change of name, description, unit price, tax type, unit or images bumps `version`;
        a price or tax-type change adds a price-history row; any change emits
        `product.updated`. Sending the current values changes nothing."""
        return products.update_product(catalog(), product_id, fields, current_principal())


@blp.route("/<product_id>/price-history")
class PriceHistory(MethodView):
    @require_roles(*READERS)
    @blp.response(200, schemas.PriceHistory)
    def get(self, product_id):
        """Every price and tax-type the product has had, newest first, with its version."""
        return products.price_history(catalog(), product_id, current_principal())
