"""HTTP API: flask-smorest blueprints (thin: authorise, load, call a use case, dump)."""

# Every authenticated role may read the catalogue; writes name their roles one by one.
READERS = ("admin", "enterprise", "buyer", "institution_admin", "committee", "service")


def file_upload_body(**other_content: dict) -> dict:
    """The OpenAPI request body of an upload: a multipart `file` (and any other media types
    the route also reads, e.g. a bare text/csv body)."""
    multipart = {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        }
    }
    return {"required": True, "content": {"multipart/form-data": multipart, **other_content}}
