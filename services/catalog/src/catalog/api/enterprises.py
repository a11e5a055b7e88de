from __future__ import annotations

from flask.views import MethodView

from catalog.api import READERS
from catalog.api.schemas import common
from catalog.api.schemas import enterprises as schemas
from catalog.services import certifications, registry
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles

blp = Blueprint("enterprises", __name__, url_prefix="/v1/enterprises", description="사회적경제기업")
scans = Blueprint(
    "certification_scans",
    __name__,
    url_prefix="/v1/certification-scans",
    description="인증 만료 점검 (매일 자동, 필요하면 지금)",
)


@blp.route("")
class Enterprises(MethodView):
    @require_roles(*READERS)
    @blp.arguments(schemas.EnterpriseListQuery, location="query")
    @blp.response(200, schemas.EnterprisePage)
    def get(self, query):
        """List enterprises: filters, newest first or by name, cursor pagination (≤ 100).

        Only admins see suspended and closed enterprises."""
        return registry.list_enterprises(catalog(), query, current_principal())

    @require_roles("admin")
    @blp.arguments(schemas.EnterpriseCreate)
    @blp.response(201, schemas.Enterprise)
    def post(self, fields):
        """Register an enterprise (admins only)."""
        return registry.register_enterprise(catalog(), fields, current_principal())


@blp.route("/<enterprise_id>")
class EnterpriseById(MethodView):
    @require_roles(*READERS)
    @blp.arguments(common.OnQuery, location="query")
    @blp.response(200, schemas.EnterpriseDetail)
    def get(self, query, enterprise_id):
        """One enterprise, with whether it is certified on `on` (default today) and by what."""
        return registry.get_enterprise(catalog(), enterprise_id, query["on"])

    @require_roles("admin")
    @blp.arguments(schemas.EnterpriseUpdate)
    @blp.response(200, schemas.Enterprise)
    def patch(self, fields, enterprise_id):
        """Change an enterprise (admins only); emits `enterprise.updated` when something changed."""
        return registry.update_enterprise(catalog(), enterprise_id, fields, current_principal())


@blp.route("/<enterprise_id>/contact")
class EnterpriseContact(MethodView):
    @require_roles("enterprise", "admin")
    @blp.arguments(schemas.EnterpriseContactUpdate)
    @blp.response(200, schemas.Enterprise)
    def patch(self, fields, enterprise_id):
        """The enterprise's own operator changes phone, e-mail and contact person (another
        enterprise: 404)."""
        return registry.update_contact(catalog(), enterprise_id, fields, current_principal())


@blp.route("/<enterprise_id>/certifications")
class Certifications(MethodView):
    @require_roles(*READERS)
    @blp.arguments(common.OnQuery, location="query")
    @blp.response(200, schemas.CertificationList)
    def get(self, query, enterprise_id):
        """The enterprise's certifications, newest first, each valid/expired/upcoming on `on`."""
        return registry.list_certifications(catalog(), enterprise_id, query["on"])

    @require_roles("admin")
    @blp.arguments(schemas.CertificationCreate)
    @blp.response(201, schemas.Certification)
    def post(self, fields, enterprise_id):
        """Record a certification with its validity period (admins only)."""
        return registry.add_certification(catalog(), enterprise_id, fields, current_principal())


@blp.route("/<enterprise_id>/certifications/<certification_id>")
class CertificationById(MethodView):
    @require_roles("admin")
    @blp.arguments(schemas.CertificationCorrection)
    @blp.response(200, schemas.Certification)
    def patch(self, fields, enterprise_id, certification_id):
        """Correct a certification with a reason (admins only): its number, issuer or period.
        Ending it early (a revoked certification) suspends the enterprise's brand listings at
        the next scan if no other certification covers it."""
        return registry.correct_certification(
            catalog(), enterprise_id, certification_id, fields, current_principal()
        )

    @require_roles("admin")
    @blp.arguments(schemas.CertificationRemoval, location="query")
    @blp.response(204)
    def delete(self, fields, enterprise_id, certification_id):
        """Remove a certification recorded by mistake, with a `reason` (admins only)."""
        registry.remove_certification(
            catalog(), enterprise_id, certification_id, fields["reason"], current_principal()
        )


@scans.route("")
class CertificationScan(MethodView):
    @require_roles("admin")
    @scans.response(200, schemas.ScanResult)
    def post(self):
        """Run the certification scan now (it also runs daily as `catalog.scan_certifications`).

        Each certification's expiring and expired notices go out once, whoever runs it."""
        return certifications.scan_certifications(catalog())
