"""HTTP API: flask-smorest blueprints (thin: authorise, load, call a use case, dump)."""

# Every authenticated role may read the catalogue; writes name their roles one by one.
READERS = ("admin", "enterprise", "buyer", "institution_admin", "committee", "service")
