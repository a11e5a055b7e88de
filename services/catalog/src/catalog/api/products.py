from __future__ import annotations

from flask.views import MethodView

from catalog.api import schemas
from catalog.services import products
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles

blp = Blueprint("products", __name__, url_prefix="/v1/products", description="상품")


@blp.route("")
class Products(MethodView):
    @require_roles("admin", "enterprise")
    @blp.arguments(schemas.ProductCreate)
    @blp.response(201, schemas.Product)
    def post(self, fields):
        """Create a product: admins for any enterprise, an operator for its own."""
        return products.create_product(catalog(), fields, current_principal())


@blp.route("/<product_id>")
class ProductById(MethodView):
    @require_roles("admin", "enterprise", "buyer", "institution_admin", "committee", "service")
    @blp.response(200, schemas.Product)
    def get(self, product_id):
        return products.get_product(catalog(), product_id)
