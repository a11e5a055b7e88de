"""Brand committees, listing applications, reviews and votes (thin: see services/listings/)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView

from catalog.api import file_upload_body
from catalog.api.schemas import listings as schemas
from catalog.services.listings import applications, documents, members, reading, reviews
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles

blp = Blueprint("listings", __name__, url_prefix="/v1", description="브랜드 등록 심사")
committee = Blueprint(
    "committee", __name__, url_prefix="/v1/committee", description="브랜드 위원회 업무"
)

SEE = ("admin", "committee", "enterprise")
JUDGES = ("admin", "committee")


@blp.route("/brands/<code>/committee")
class Members(MethodView):
    @require_roles("admin")
    @blp.response(200, schemas.MemberList)
    def get(self, code):
        """The brand's committee members (admins only)."""
        return members.list_members(catalog(), code)

    @require_roles("admin")
    @blp.arguments(schemas.MemberCreate)
    @blp.response(201, schemas.Member)
    def post(self, fields, code):
        """Add a committee member (admins only)."""
        return members.add_member(catalog(), code, fields)


@blp.route("/brands/<code>/committee/<sub>")
class MemberBySub(MethodView):
    @require_roles("admin")
    @blp.arguments(schemas.MemberUpdate)
    @blp.response(200, schemas.Member)
    def patch(self, fields, code, sub):
        """Change a member: name, chair, conflicts of interest (admins only)."""
        return members.update_member(catalog(), code, sub, fields)

    @require_roles("admin")
    @blp.response(204)
    def delete(self, code, sub):
        """Remove a member (admins only); their past votes stay."""
        members.remove_member(catalog(), code, sub)


@blp.route("/brands/<code>/statistics")
class Statistics(MethodView):
    @require_roles(*JUDGES)
    @blp.response(200, schemas.BrandStatistics)
    def get(self, code):
        """Approved and rejected applications and the average decision time."""
        return reading.brand_statistics(catalog(), code, current_principal())


@blp.route("/listings")
class Applications(MethodView):
    @require_roles(*SEE)
    @blp.arguments(schemas.ApplicationListQuery, location="query")
    @blp.response(200, schemas.ApplicationList)
    def get(self, query):
        """Applications: an enterprise its own, a committee member its brand's, admins all."""
        return reading.list_listings(catalog(), query, current_principal())

    @require_roles("enterprise")
    @blp.arguments(schemas.ApplicationCreate)
    @blp.response(201, schemas.Application)
    def post(self, fields):
        """An enterprise drafts an application for one of its products under a brand; after a
        rejection, withdrawal or expiry the same listing is drafted again (a new round)."""
        return applications.create_application(catalog(), fields, current_principal())


@blp.route("/listings/<listing_id>")
class ApplicationById(MethodView):
    @require_roles(*SEE)
    @blp.response(200, schemas.Application)
    def get(self, listing_id):
        """One application with its status and reasons (never individual votes)."""
        return reading.get_listing(catalog(), listing_id, current_principal())

    @require_roles("enterprise")
    @blp.arguments(schemas.ApplicationUpdate)
    @blp.response(200, schemas.Application)
    def patch(self, fields, listing_id):
        """Edit a draft's pitch or documents."""
        return applications.update_application(catalog(), listing_id, fields, current_principal())


@blp.route("/listings/<listing_id>/submit")
class Submit(MethodView):
    @require_roles("enterprise")
    @blp.response(200, schemas.Application)
    def post(self, listing_id):
        """draft → submitted. Emits `listing.submitted` (notify tells the committee)."""
        return applications.submit(catalog(), listing_id, current_principal())


@blp.route("/listings/<listing_id>/withdraw")
class Withdraw(MethodView):
    @require_roles("enterprise")
    @blp.arguments(schemas.OptionalReason)
    @blp.response(200, schemas.Application)
    def post(self, fields, listing_id):
        """draft | submitted | in_review → withdrawn, by the enterprise."""
        return applications.withdraw(catalog(), listing_id, fields["reason"], current_principal())


@blp.route("/listings/<listing_id>/review")
class StartReview(MethodView):
    @require_roles("committee")
    @blp.response(200, schemas.Application)
    def post(self, listing_id):
        """submitted → in_review, by a member of the brand's committee; for an approved
        listing, its open re-review (renewal or change) likewise."""
        return reviews.start_review(catalog(), listing_id, current_principal())


@blp.route("/listings/<listing_id>/votes")
class Votes(MethodView):
    @require_roles(*JUDGES)
    @blp.arguments(schemas.VotesQuery, location="query")
    @blp.response(200, schemas.VoteList)
    def get(self, query, listing_id):
        """One review round's votes (default the current round): admins always; a member
        only after voting in it (or after its decision)."""
        return reading.list_votes(catalog(), listing_id, query["round"], current_principal())

    @require_roles("committee")
    @blp.arguments(schemas.VoteCreate)
    @blp.response(201, schemas.VoteResult)
    def post(self, fields, listing_id):
        """One vote per member; the brand's quorum and majority may decide the listing."""
        return reviews.cast_vote(catalog(), listing_id, fields, current_principal())


@blp.route("/listings/<listing_id>/decision")
class DecisionView(MethodView):
    @require_roles("committee")
    @blp.arguments(schemas.Decision)
    @blp.response(200, schemas.Application)
    def post(self, fields, listing_id):
        """The chair decides the review in progress (an application or a re-review)."""
        return reviews.decide(catalog(), listing_id, fields, current_principal())


@blp.route("/listings/<listing_id>/suspend")
class Suspend(MethodView):
    @require_roles(*JUDGES)
    @blp.arguments(schemas.Reason)
    @blp.response(200, schemas.Application)
    def post(self, fields, listing_id):
        """approved → suspended, with a reason."""
        return reviews.suspend(catalog(), listing_id, fields["reason"], current_principal())


@blp.route("/listings/<listing_id>/reinstate")
class Reinstate(MethodView):
    @require_roles(*JUDGES)
    @blp.arguments(schemas.Reason)
    @blp.response(200, schemas.Application)
    def post(self, fields, listing_id):
        """suspended → approved, with a reason."""
        return reviews.reinstate(catalog(), listing_id, fields["reason"], current_principal())


@blp.route("/listings/<listing_id>/conflict")
class DeclareConflict(MethodView):
    @require_roles("committee")
    @blp.arguments(schemas.Reason)
    @blp.response(200, schemas.Member)
    def post(self, fields, listing_id):
        """The calling member declares a conflict of interest with the listing's enterprise
        (idempotent, in the audit trail); then its documents and votes are closed to them."""
        return members.declare_conflict(
            catalog(), listing_id, fields["reason"], current_principal()
        )


@blp.route("/listings/<listing_id>/audit")
class Audit(MethodView):
    @require_roles(*JUDGES)
    @blp.arguments(schemas.AuditQuery, location="query")
    @blp.response(200, schemas.AuditTrail)
    def get(self, query, listing_id):
        """Every transition and vote (who, when, from, to, why); `?format=csv` exports it."""
        rows = reading.audit_trail(catalog(), listing_id, current_principal())
        if query["format"] == "csv":
            return Response(
                reading.audit_csv(rows),
                mimetype="text/csv",
                headers={
                    "Content-Disposition": f'attachment; filename="listing-{listing_id}-audit.csv"'
                },
            )
        return {"items": rows}


@blp.route("/listings/<listing_id>/documents")
class Documents(MethodView):
    @require_roles(*SEE)
    @blp.response(200, schemas.DocumentList)
    def get(self, listing_id):
        """The application's uploaded documents (the enterprise, the brand's committee)."""
        return documents.list_documents(catalog(), listing_id, current_principal())

    @require_roles("enterprise")
    @blp.doc(requestBody=file_upload_body())
    @blp.response(201, schemas.Document)
    def post(self, listing_id):
        """Upload a document (multipart `file`): PDF, PNG, JPEG or 한글 (HWP), checked by
        content, up to 10MB each and 20 per application; while a draft or under review."""
        upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
        return documents.add_document(
            catalog(),
            listing_id,
            upload.filename if upload else None,
            upload.read() if upload else b"",
            current_principal(),
        )


@blp.route("/listings/<listing_id>/documents/<document_id>")
class DocumentById(MethodView):
    @require_roles(*SEE)
    @blp.response(200, description="The file as uploaded")
    def get(self, listing_id, document_id):
        """Download one document."""
        found = documents.download(catalog(), listing_id, document_id, current_principal())
        return Response(
            found.content,
            mimetype=found.content_type,
            headers={
                # RFC 6266/5987: Korean names survive in every current browser.
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
                "X-Content-Type-Options": "nosniff",
                "ETag": f'"{found.sha256}"',
            },
        )

    @require_roles("enterprise")
    @blp.response(204)
    def delete(self, listing_id, document_id):
        """Remove a document while the application is a draft."""
        documents.remove_document(catalog(), listing_id, document_id, current_principal())


@committee.route("/queue")
class WorkQueue(MethodView):
    @require_roles("committee")
    @committee.response(200, schemas.Queue)
    def get(self):
        """Applications waiting for me (submitted, or in review without my vote), oldest first."""
        return reading.work_queue(catalog(), current_principal())
