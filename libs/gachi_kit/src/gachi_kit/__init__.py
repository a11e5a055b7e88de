"""gachi's shared infrastructure kit. No domain model and no business rule lives here."""
