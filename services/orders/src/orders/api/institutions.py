from __future__ import annotations

from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from orders.api import schemas
from orders.services import institutions
from orders.wiring import current_wiring

blp = Blueprint("institutions", __name__, url_prefix="/v1/institutions", description="구매 기관")


@blp.route("")
class InstitutionCollection(MethodView):
    @require_roles("admin")
    @blp.arguments(schemas.InstitutionCreate)
    @blp.response(201, schemas.Institution)
    def post(self, fields):
        """Register a public institution with its departments (platform admins)."""
        return institutions.register(current_wiring(), fields)

    @require_roles("admin")
    @blp.arguments(schemas.PageQuery, location="query")
    @blp.response(200, schemas.InstitutionPage)
    def get(self, query):
        return institutions.list_all(current_wiring(), query)


@blp.route("/<institution_id>")
class InstitutionById(MethodView):
    @require_roles("admin", "institution_admin", "buyer")
    @blp.response(200, schemas.Institution)
    def get(self, institution_id):
        return institutions.get(current_wiring(), institution_id, current_principal())


@blp.route("/<institution_id>/departments")
class DepartmentCollection(MethodView):
    @require_roles("admin", "institution_admin")
    @blp.arguments(schemas.DepartmentCreate)
    @blp.response(201, schemas.Institution)
    def post(self, body, institution_id):
        """Add a department (admins, or the institution's own administrator)."""
        return institutions.add_department(
            current_wiring(), institution_id, body["name"], current_principal()
        )
