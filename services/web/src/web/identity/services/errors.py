"""A use case's refusal: a stable code and a Korean message, tied to a form field."""

from __future__ import annotations


class Refused(Exception):
    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
