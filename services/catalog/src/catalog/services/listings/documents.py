"""Use cases: the documents an enterprise uploads with a brand application.

The enterprise adds files while its application is a draft or under review (including a
re-review) and removes them while it is a draft; the committee of the brand and admins read
them (a member tied to the enterprise does not). Each upload and removal is in the audit
trail; a download is served with the type the bytes were checked to be.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from catalog.adapters.models import BrandListing, ListingDocument
from catalog.domain import documents as rules
from catalog.domain import listing as listing_rules
from catalog.domain.listing import TransitionRefused
from catalog.services.listings.access import visible
from catalog.services.listings.transitions import audit
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, invalid, not_found


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    content: bytes
    sha256: str


def add_document(
    catalog: Catalog, listing_id: str, filename: str | None, content: bytes, actor: Principal
) -> ListingDocument:
    name = rules.clean_filename(filename)
    content_type = rules.content_type_of(name or "", content[:16])
    errors = _upload_errors(name, content, content_type)
    if errors:
        raise invalid("file", errors, code="invalid_document", detail="올릴 수 없는 파일입니다.")
    with catalog.db.transaction() as session:
        listing, _brand, _member = visible(session, listing_id, actor, who="owner")
        if not _open_for_documents(listing):
            raise TransitionRefused(listing.status, "add_document")
        count = session.scalar(select(func.count()).where(ListingDocument.listing_id == listing.id))
        if count >= rules.MAX_DOCUMENTS:
            raise Problem(
                409,
                "too_many_documents",
                "서류가 너무 많습니다",
                f"신청 하나에 서류는 {rules.MAX_DOCUMENTS}개까지 올릴 수 있습니다.",
            )
        document = ListingDocument(
            listing_id=listing.id,
            filename=name,
            content_type=content_type,
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_by=actor.sub,
        )
        session.add(document)
        session.flush()
        audit(session, listing, actor, "add_document", None, None, name)
    return document


def list_documents(catalog: Catalog, listing_id: str, actor: Principal) -> dict:
    with catalog.db.reading() as session:
        listing = _readable(session, listing_id, actor)
        rows = session.scalars(
            select(ListingDocument)
            .where(ListingDocument.listing_id == listing.id)
            .order_by(ListingDocument.uploaded_at, ListingDocument.id)
        ).all()
    return {"items": rows}


def download(catalog: Catalog, listing_id: str, document_id: str, actor: Principal) -> Download:
    with catalog.db.reading() as session:
        listing = _readable(session, listing_id, actor)
        document = session.scalar(
            select(ListingDocument)
            .where(ListingDocument.id == document_id, ListingDocument.listing_id == listing.id)
            .options(undefer(ListingDocument.content))
        )
        if document is None:
            raise _document_not_found()
        return Download(document.filename, document.content_type, document.content, document.sha256)


def remove_document(catalog: Catalog, listing_id: str, document_id: str, actor: Principal) -> None:
    with catalog.db.transaction() as session:
        listing, _brand, _member = visible(session, listing_id, actor, who="owner")
        if listing.status != "draft":
            raise TransitionRefused(listing.status, "remove_document")
        document = session.scalar(
            select(ListingDocument).where(
                ListingDocument.id == document_id, ListingDocument.listing_id == listing.id
            )
        )
        if document is None:
            raise _document_not_found()
        audit(session, listing, actor, "remove_document", None, None, document.filename)
        session.delete(document)


def _readable(session, listing_id: str, actor: Principal) -> BrandListing:
    return visible(session, listing_id, actor, unconflicted=True)[0]


def _open_for_documents(listing: BrandListing) -> bool:
    """A draft, or while a review (application or re-review) is open: the committee may ask
    for a missing certificate."""
    return listing.status == "draft" or bool(
        listing_rules.review_stage(listing.status, listing.rereview_status)
    )


def _upload_errors(name: str | None, content: bytes, content_type: str | None) -> list[str]:
    if name is None:
        return ["파일 이름이 필요합니다."]
    if not content:
        return ["빈 파일입니다."]
    if len(content) > rules.MAX_DOCUMENT_BYTES:
        limit = rules.MAX_DOCUMENT_BYTES // (1024 * 1024)
        return [f"파일은 {limit}MB까지 올릴 수 있습니다."]
    if content_type is None:
        return [f"{rules.ACCEPTED} 파일만 올릴 수 있습니다 (파일 내용으로 확인합니다)."]
    return []


def _document_not_found() -> Problem:
    return not_found("document", "서류")
