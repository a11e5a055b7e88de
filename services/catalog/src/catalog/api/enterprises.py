from __future__ import annotations

from flask.views import MethodView

from catalog.adapters.models import Enterprise
from catalog.api import schemas
from catalog.services import registry
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from gachi_kit.errors import Problem

blp = Blueprint("enterprises", __name__, url_prefix="/v1/enterprises", description="사회적경제기업")


@blp.route("")
class Enterprises(MethodView):
    @require_roles("admin")
    @blp.arguments(schemas.EnterpriseCreate)
    @blp.response(201, schemas.Enterprise)
    def post(self, fields):
        """Register an enterprise (admins only)."""
        return registry.register_enterprise(catalog(), fields, current_principal())


@blp.route("/<enterprise_id>")
class EnterpriseById(MethodView):
    @require_roles("admin", "enterprise", "buyer", "institution_admin", "committee", "service")
    @blp.response(200, schemas.Enterprise)
    def get(self, enterprise_id):
        with catalog().db.reading() as session:
            enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise Problem(404, "enterprise_not_found", "기업을 찾을 수 없습니다")
        return enterprise


@blp.route("/<enterprise_id>/certifications")
class Certifications(MethodView):
    @require_roles("admin")
    @blp.arguments(schemas.CertificationCreate)
    @blp.response(201, schemas.Certification)
    def post(self, fields, enterprise_id):
        """Record a certification with its validity period (admins only)."""
        return registry.add_certification(catalog(), enterprise_id, fields)
