"""`Idempotency-Key` for creates, per the IETF httpapi draft.

Same key and body → the resource the first request created, again; same key, other body →
422; same key while the first request is still running → 409. Keys are scoped to the caller,
so one caller's key never reveals another's resource. A failed request releases its key
(nothing was created), and a key left in flight by a crashed process is taken over after a
while.

The record stores what the create returned (the new resource's id) in the create's own
transaction; the route renders the resource after commit, so no API code runs inside a
transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gachi_kit.auth import Principal
from gachi_kit.db import insert_rows
from gachi_kit.errors import Problem
from gachi_kit.events import as_utc, utcnow
from orders.adapters.models import IdempotencyRecord
from orders.wiring import OrdersWiring

MAX_KEY_LENGTH = 255
T = TypeVar("T")


@dataclass(frozen=True)
class Replay:
    status: int
    resource_id: str


@dataclass(frozen=True)
class Created(Generic[T]):
    """What an idempotent create answers: the resource, and whether an earlier request with
    the same key created it (then it is read again, as it is now)."""

    resource: T
    replayed: bool


@dataclass(frozen=True)
class Claim:
    scope: str
    key: str
    request_hash: str


def fingerprint(body: object) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # surrogatepass keeps this total; such text is refused at parsing anyway.
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


# Called by a create inside its transaction with the id of what it created.
Remember = Callable[[Session, str], None]


def run_once(
    wiring: OrdersWiring,
    actor: Principal,
    key: str | None,
    raw_body: object,
    create: Callable[[Remember], T],
    load: Callable[[str], T],
) -> Created[T]:
    """Run `create` once per (caller, key, body). `create` writes, calls
    `remember(session, new_id)` in its own transaction (so the record commits with the
    effect) and returns what it created; if it fails, the key is released (nothing was
    created). A replay answers `load(id)` of what the first request created."""
    claimed = Claim(
        scope=f"{actor.org}/{actor.sub}", key=validate_key(key), request_hash=fingerprint(raw_body)
    )
    replay = claim(wiring, claimed)
    if replay is not None:
        return Created(load(replay.resource_id), replayed=True)

    def remember(session: Session, resource_id: str) -> None:
        complete(session, claimed, 201, resource_id)

    try:
        created = create(remember)
    except BaseException:
        release(wiring, claimed)
        raise
    return Created(created, replayed=False)


def validate_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise Problem(
            400,
            "idempotency_key_missing",
            "Idempotency-Key 헤더가 필요합니다",
            "주문을 만드는 요청에는 재시도 안전을 위해 Idempotency-Key 헤더가 필요합니다.",
        )
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH:
        raise Problem(
            400,
            "idempotency_key_invalid",
            "Idempotency-Key가 너무 깁니다",
            f"Idempotency-Key는 {MAX_KEY_LENGTH}자 이하여야 합니다.",
        )
    return key


def claim(wiring: OrdersWiring, claim: Claim) -> Replay | None:
    """Take the key for this request, or return the response to replay. Plain statements:
    the record is read and written once, no object to track."""
    window = timedelta(seconds=wiring.settings.idempotency_in_flight_seconds)
    this_key = {"this_scope": claim.scope, "this_key": claim.key}
    for _ in range(3):
        try:
            with wiring.db.transaction() as session:
                record = session.connection().execute(_FIND, this_key).first()
                now = utcnow()
                if record is None:
                    insert_rows(
                        session,
                        IdempotencyRecord,
                        [
                            {
                                "scope": claim.scope,
                                "key": claim.key,
                                "request_hash": claim.request_hash,
                                "state": "in_flight",
                                "locked_at": now,
                            }
                        ],
                    )
                    return None
                if record.request_hash != claim.request_hash:
                    raise Problem(
                        422,
                        "idempotency_key_reused",
                        "Idempotency-Key가 다른 요청에 쓰였습니다",
                        "같은 Idempotency-Key로 다른 내용의 요청을 보낼 수 없습니다.",
                    )
                if record.state == "done":
                    # records written before ids were stored hold the whole body: its id
                    return Replay(record.status_code, record.response_body["id"])
                if now - as_utc(record.locked_at) < window:
                    raise Problem(
                        409,
                        "idempotency_request_in_flight",
                        "같은 요청을 처리하는 중입니다",
                        "같은 Idempotency-Key의 요청이 처리 중입니다. 잠시 후 다시 시도하세요.",
                        headers={"Retry-After": "1"},
                    )
                # left behind by a crashed request: take it over
                session.connection().execute(_TAKE_OVER, {**this_key, "now": now})
                return None
        except IntegrityError:
            continue  # a concurrent request inserted the same key first; look again
    raise Problem(
        409,
        "idempotency_request_in_flight",
        "같은 요청을 처리하는 중입니다",
        headers={"Retry-After": "1"},
    )


def complete(session: Session, claim: Claim, status: int, resource_id: str) -> None:
    """Store the outcome in the same transaction as the effect it describes."""
    session.connection().execute(
        _COMPLETE,
        {
            "this_scope": claim.scope,
            "this_key": claim.key,
            "status": status,
            "body": {"id": resource_id},
        },
    )


def release(wiring: OrdersWiring, claim: Claim) -> None:
    with wiring.db.transaction() as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.scope == claim.scope,
                IdempotencyRecord.key == claim.key,
                IdempotencyRecord.state == "in_flight",
            )
        )


# Built once (a statement keeps its cache key). The key's parameters are not named after
# their columns: an UPDATE reserves those names for its SET clause.
_THIS_KEY = (
    IdempotencyRecord.scope == bindparam("this_scope"),
    IdempotencyRecord.key == bindparam("this_key"),
)
_FIND = select(
    IdempotencyRecord.request_hash,
    IdempotencyRecord.state,
    IdempotencyRecord.status_code,
    IdempotencyRecord.response_body,
    IdempotencyRecord.locked_at,
).where(*_THIS_KEY)
_COMPLETE = (
    update(IdempotencyRecord)
    .where(*_THIS_KEY)
    .values(state="done", status_code=bindparam("status"), response_body=bindparam("body"))
)
_TAKE_OVER = update(IdempotencyRecord).where(*_THIS_KEY).values(locked_at=bindparam("now"))
