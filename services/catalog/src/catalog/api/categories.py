from __future__ import annotations

from flask.views import MethodView

from catalog.api import READERS
from catalog.api.schemas import categories as schemas
from catalog.services import categories
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import require_roles

blp = Blueprint("categories", __name__, url_prefix="/v1/categories", description="상품 분류")


@blp.route("")
class Categories(MethodView):
    @require_roles(*READERS)
    @blp.response(200, schemas.CategoryList)
    def get(self):
        """The managed list of categories (code + Korean label)."""
        return {"items": categories.list_categories(catalog())}

    @require_roles("admin")
    @blp.arguments(schemas.CategoryCreate)
    @blp.response(201, schemas.Category)
    def post(self, fields):
        """Add a category (admins only)."""
        return categories.create_category(catalog(), fields)
