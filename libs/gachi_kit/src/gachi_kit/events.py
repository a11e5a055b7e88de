"""The event envelope every service publishes and consumes.

`{id (ULID), type, version, occurred_at, source, correlation_id, data}`. The producer owns
the schema of `data`; consumers read only the fields they need.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from ulid import ULID


def new_id() -> str:
    """Random, sortable, unguessable id used for rows and events alike."""
    return str(ULID())


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Envelope:
    type: str
    source: str
    data: dict[str, Any]
    version: int = 1
    correlation_id: str | None = None
    id: str = field(default_factory=new_id)
    occurred_at: str = field(default_factory=lambda: utcnow().isoformat())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def message(self) -> dict[str, Any]:
        """The same fields, `data` shared rather than copied: for a message serialised at
        once (the outbox relay), where a deep copy of every event would be wasted."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Envelope:
        missing = {"id", "type", "source", "data", "occurred_at"} - raw.keys()
        if missing:
            raise ValueError(f"envelope lacks {sorted(missing)}")
        return cls(
            id=raw["id"],
            type=raw["type"],
            version=int(raw.get("version", 1)),
            occurred_at=raw["occurred_at"],
            source=raw["source"],
            correlation_id=raw.get("correlation_id"),
            data=dict(raw["data"]),
        )


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for UTC columns; make them comparable again."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stable_id(key: str) -> str:
    """A ULID derived from `key`: demo and fixture records keep their ids across re-seeding."""
    return str(ULID.from_bytes(hashlib.sha256(key.encode()).digest()[:16]))
