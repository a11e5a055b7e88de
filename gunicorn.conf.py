"""gunicorn settings every API shares (read from the directory gunicorn starts in).

gunicorn answers some malformed requests itself, in HTML, before the app sees them. Its
request-line limit is set to its maximum so that the app's own, smaller limit on the URL
(gachi_kit, 4 KiB) answers first, as problem+json; only a line longer than this, or bytes
that are not HTTP at all, still get gunicorn's HTML 400/414 (docs/operations.md).
"""

limit_request_line = 8190  # gunicorn's maximum; the app refuses URLs over 4 KiB itself
limit_request_fields = 100  # headers per request
limit_request_field_size = 16384  # one header (a bearer token with claims fits easily)
