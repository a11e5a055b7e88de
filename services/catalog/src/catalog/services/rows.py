"""A row together with values derived for one answer, for the API schemas to dump.

Use cases return rows (or plain dataclasses) and the schemas name each field once. A value
that is not a column but depends on the request (a certification's state on the asked day,
how long a listing has waited) is computed by the use case and carried beside the row:
`RowWith(listing, waited_hours=3.5).status` is the row's, `.waited_hours` the derived one.
"""

from __future__ import annotations


class RowWith:
    def __init__(self, row, **derived):
        self._row = row
        self.__dict__.update(derived)

    def __getattr__(self, name: str):  # only for names not derived: the row's own
        return getattr(self._row, name)

    def __repr__(self) -> str:
        return f"RowWith({self._row!r}, {sorted(k for k in vars(self) if k != '_row')})"
