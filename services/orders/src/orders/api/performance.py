"""우선구매 실적 API: categories, settings, targets, off-platform purchases, reports with
drill-down, exports, and the department ranking an institution may publish."""

from __future__ import annotations

from flask import Response, request, send_file, stream_with_context, url_for
from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from gachi_kit.errors import invalid
from orders.api import performance_schemas as schemas
from orders.services.performance import (
    categories,
    drilldown,
    exports,
    off_platform,
    package,
    ranking,
    report,
    settings,
    targets,
)
from orders.wiring import current_wiring

blp = Blueprint("performance", __name__, url_prefix="/v1/institutions", description="우선구매 실적")
catalogue = Blueprint(
    "priority_categories",
    __name__,
    url_prefix="/v1/priority-categories",
    description="우선구매 범주",
)
public = Blueprint(
    "public_ranking", __name__, url_prefix="/v1/public/institutions", description="공개 부서별 실적"
)
VIEWERS = ("admin", "institution_admin", "buyer")
EDITORS = ("admin", "institution_admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@catalogue.route("")
class Categories(MethodView):
    @require_roles(*VIEWERS, "enterprise", "service")
    @catalogue.response(200, schemas.CategoryList)
    def get(self):
        """Every category with its legal basis, receiving body and due date."""
        return {"items": categories.list_categories(current_wiring())}


@catalogue.route("/<code>")
class LocalCategory(MethodView):
    @require_roles("admin")
    @catalogue.arguments(schemas.LocalCategoryInput)
    @catalogue.response(200, schemas.Category)
    def put(self, fields, code):
        """Create or replace a local category (platform admins); national ones are fixed."""
        return categories.save_local(current_wiring(), code, fields)


@blp.route("/<institution_id>/performance/settings")
class Settings(MethodView):
    @require_roles(*VIEWERS)
    @blp.response(200, schemas.Settings)
    def get(self, institution_id):
        return settings.get_settings(current_wiring(), current_principal(), institution_id)

    @require_roles(*EDITORS)
    @blp.arguments(schemas.SettingsInput)
    @blp.response(200, schemas.Settings)
    def patch(self, fields, institution_id):
        """Counting basis (검수일 | 지급일), amount (공급가액 | 합계), publication, alerts."""
        return settings.update_settings(
            current_wiring(), current_principal(), institution_id, fields
        )


@blp.route("/<institution_id>/performance/targets")
class Targets(MethodView):
    @require_roles(*VIEWERS)
    @blp.arguments(schemas.YearQuery, location="query")
    @blp.response(200, schemas.TargetList)
    def get(self, query, institution_id):
        items = targets.list_targets(
            current_wiring(), current_principal(), institution_id, query["fiscal_year"]
        )
        return {"items": items}

    @require_roles(*EDITORS)
    @blp.arguments(schemas.TargetInput)
    @blp.response(200, schemas.Target)
    @blp.alt_response(201, schema=schemas.Target, description="새 목표")
    def put(self, fields, institution_id):
        """Set the target of (fiscal year, category, department): an amount or a share of a
        denominator the institution enters. 201 when new, 200 when replaced."""
        view, created = targets.save_target(
            current_wiring(), current_principal(), institution_id, fields
        )
        return view, 201 if created else 200


@blp.route("/<institution_id>/performance/targets/<target_id>")
class TargetById(MethodView):
    @require_roles(*EDITORS)
    @blp.response(204)
    def delete(self, institution_id, target_id):
        targets.delete_target(current_wiring(), current_principal(), institution_id, target_id)


@blp.route("/<institution_id>/performance")
class Report(MethodView):
    @require_roles(*VIEWERS)
    @blp.arguments(schemas.ReportQuery, location="query")
    @blp.response(200)
    def get(self, query, institution_id):
        """Achieved vs target, rate, pace and forecast; by category, month, department,
        enterprise type and enterprise. The settings used are in `settings`."""
        return report.build_report(current_wiring(), current_principal(), institution_id, query)


@blp.route("/<institution_id>/performance/lines")
class Lines(MethodView):
    @require_roles(*VIEWERS)
    @blp.arguments(schemas.EntryQuery, location="query")
    @blp.response(200)
    def get(self, query, institution_id):
        """The supplier orders (with lines) and off-platform purchases behind a figure:
        the report's filters plus category, enterprise type, enterprise, month, source."""
        return drilldown.list_entries(current_wiring(), current_principal(), institution_id, query)


@blp.route("/<institution_id>/performance/export")
class Export(MethodView):
    @require_roles(*VIEWERS)
    @blp.arguments(schemas.ExportQuery, location="query")
    @blp.response(200, description=".xlsx (every view) or CSV (`view`)")
    def get(self, query, institution_id):
        """Download now: .xlsx with a sheet per view and the lines, or one view as CSV
        (`view`, UTF-8 with BOM or CP949). Streamed; for very large years use /exports."""
        wiring, actor = current_wiring(), current_principal()
        if query["format"] == "csv":
            view = request.args.get("view", "lines")
            if view not in exports.VIEWS:
                raise invalid("view", f"다음 중 하나여야 합니다: {', '.join(exports.VIEWS)}.")
            name, chunks = exports.export_csv(wiring, actor, institution_id, query, view)
            charset = "utf-8" if query["encoding"] == "utf-8" else "cp949"
            return Response(
                stream_with_context(chunks),
                mimetype=f"text/csv; charset={charset}",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        name, path = exports.export_xlsx(wiring, actor, institution_id, query)
        return _send_and_remove(path, name)


@blp.route("/<institution_id>/performance/package")
class StatutoryPackage(MethodView):
    @require_roles(*EDITORS)
    @blp.arguments(schemas.PackageQuery, location="query")
    @blp.response(200, description=".xlsx")
    def get(self, query, institution_id):
        """The statutory package of one category: `fiscal_year`'s plan, the year before's
        results and their ratio to total purchases (`total_purchases`, else the share
        target's denominator)."""
        name, path = package.write_package(
            current_wiring(), current_principal(), institution_id, query
        )
        return _send_and_remove(path, name)


@blp.route("/<institution_id>/performance/exports")
class ExportJobs(MethodView):
    @require_roles(*VIEWERS)
    @blp.arguments(schemas.ReportQuery, location="query")
    @blp.response(202, schemas.ExportJob)
    def post(self, query, institution_id):
        """Start a large .xlsx export as a background job; poll it for progress."""
        from orders.tasks import enqueue_export

        job = exports.start_job(
            current_wiring(), current_principal(), institution_id, query, enqueue_export
        )
        return _job_view(job)


@blp.route("/<institution_id>/performance/exports/<job_id>")
class ExportJobById(MethodView):
    @require_roles(*VIEWERS)
    @blp.response(200, schemas.ExportJob)
    def get(self, institution_id, job_id):
        job = exports.get_job(current_wiring(), current_principal(), institution_id, job_id)
        return _job_view(job)


@blp.route("/<institution_id>/performance/exports/<job_id>/file")
class ExportJobFile(MethodView):
    @require_roles(*VIEWERS)
    @blp.response(200, description=".xlsx")
    def get(self, institution_id, job_id):
        name, path = exports.job_file(current_wiring(), current_principal(), institution_id, job_id)
        return send_file(path, mimetype=XLSX, as_attachment=True, download_name=name)


def _send_and_remove(path, name: str):
    """Stream a temporary .xlsx and delete it once sent."""
    response = send_file(path, mimetype=XLSX, as_attachment=True, download_name=name)
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response


def _job_view(job) -> dict:
    link = None
    if job.status == "done":
        link = url_for(
            "performance.ExportJobFile", institution_id=job.institution_id, job_id=job.id
        )
    return {
        "id": job.id,
        "status": job.status,
        "progress": job.progress,
        "format": job.format,
        "file_name": job.file_name,
        "download_url": link,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@blp.route("/<institution_id>/off-platform-purchases")
class Purchases(MethodView):
    @require_roles(*EDITORS)
    @blp.response(200, schemas.PurchaseList)
    def get(self, institution_id):
        items = off_platform.list_purchases(current_wiring(), current_principal(), institution_id)
        return {"items": items}

    @require_roles(*EDITORS)
    @blp.arguments(schemas.PurchaseInput)
    @blp.response(201, schemas.Purchase)
    def post(self, fields, institution_id):
        """Record one purchase made outside the platform (나라장터, direct contract …)."""
        return off_platform.record_one(
            current_wiring(), current_principal(), institution_id, fields
        )


@blp.route("/<institution_id>/off-platform-purchases/<purchase_id>")
class PurchaseById(MethodView):
    @require_roles(*EDITORS)
    @blp.response(204)
    def delete(self, institution_id, purchase_id):
        off_platform.delete_purchase(
            current_wiring(), current_principal(), institution_id, purchase_id
        )


@blp.route("/<institution_id>/off-platform-purchases/import")
class PurchaseImport(MethodView):
    @require_roles(*EDITORS)
    @blp.arguments(schemas.ImportQuery, location="query")
    @blp.response(200, schemas.ImportReport)
    def post(self, query, institution_id):
        """Import a spreadsheet (`file`: CSV UTF-8/CP949 or .xlsx; columns 사업자등록번호,
        품명, 공급가액, 부가세, 합계, 구매경로, 부서, 계약일, 납품일, 검수일, 지급일, 증빙).
        `dry_run=true` reports row by row and writes nothing; one bad row and nothing is
        written unless `mode=valid_rows`."""
        upload = request.files.get("file")
        if upload is None:
            raise invalid("file", "CSV 또는 엑셀 파일(file)이 필요합니다.")
        return off_platform.import_file(
            current_wiring(),
            current_principal(),
            institution_id,
            upload.read(),
            dry_run=query["dry_run"],
            mode=query["mode"],
            encoding=query["encoding"],
        )


@public.route("/<institution_id>/department-ranking")
class PublicRanking(MethodView):
    @public.arguments(schemas.YearQuery, location="query")
    @public.response(200)
    def get(self, query, institution_id):
        """부서별 구매실적 — no sign-in, only when the institution has chosen to publish it."""
        return ranking.public_ranking(current_wiring(), institution_id, query["fiscal_year"])
