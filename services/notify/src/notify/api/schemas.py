from __future__ import annotations

from marshmallow import Schema, fields, validate


class InboxQuery(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    cursor = fields.String(load_default=None, validate=validate.Length(max=26))
    unread = fields.Boolean(load_default=False)


class InboxItem(Schema):
    id = fields.String()
    event_type = fields.String()
    subject_id = fields.String(allow_none=True)
    title = fields.String()
    body = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxPage(Schema):
    items = fields.List(fields.Nested(InboxItem))
    unread_count = fields.Integer()
    next_cursor = fields.String(allow_none=True)
