"""Audience views on a schema, as CTFd's schemas name theirs: ``views`` maps an audience
(``citizen``, ``officer``, ``integration``, ``admin``) to the exact fields it sees, so what
each audience gets is one reviewable list. ``Schema(view="officer")`` dumps only those."""

from __future__ import annotations

import re

from marshmallow import RAISE, Schema, ValidationError, fields

AUDIENCES = ("citizen", "officer", "integration", "admin")


class ViewSchema(Schema):
    views: dict[str, tuple[str, ...]] = {}

    def __init__(self, view: str | None = None, *args, **kwargs):
        if view is not None:
            if view not in self.views:
                raise KeyError(f"{type(self).__name__} has no {view!r} view")
            kwargs["only"] = self.views[view]
        super().__init__(*args, **kwargs)


class Strict(Schema):
    """Input schemas: an unknown field is an error, never silently dropped."""

    class Meta:
        unknown = RAISE


class TicketDates(Schema):
    """A ticket's receipt and its promises, as every audience that sees them reads them."""

    received_at = fields.AwareDateTime()
    acknowledge_due_at = fields.AwareDateTime(allow_none=True)
    resolve_due_at = fields.AwareDateTime(allow_none=True)
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, LF and CR allowed


def _typed_by_a_person(value: str) -> None:
    """No control characters (PostgreSQL refuses NUL) and no lone surrogates (not UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("Not valid text.")
    if _CONTROL.search(value):
        raise ValidationError("Control characters are not allowed.")


class Text(fields.String):
    """A string someone sent us: refused when it holds what no person types."""

    def __init__(self, *args, **kwargs):
        validators = kwargs.pop("validate", None)
        extra = [validators] if callable(validators) else list(validators or [])
        kwargs["validate"] = [_typed_by_a_person, *extra]
        super().__init__(*args, **kwargs)
