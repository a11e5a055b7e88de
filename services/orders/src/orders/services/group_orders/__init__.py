"""Group orders (단체 구매), one module per seam.

- `organising`: the organiser opens one (every item priced through catalog at once, so
  unknown or discontinued products are refused before anyone joins), lists and reads them,
  closes early or cancels.
- `participating`: participants join with the share code and no account; a secret returned
  once (only its hash is kept) lets each change or withdraw their quantities until the
  deadline.
- `closing`: the saga at the deadline (or the organiser's early close) — one order through
  `placing.place` with the summed quantities, as the organiser, or cancelled / failed.
- `access`: loading a group order and the checks every use case shares.

What callers see is dumped by `api/group_order_schemas.py` from the rows; what events say
is in `services/published.py`.
"""
