"""One GET/POST cycle for every admin form: show, validate in a service, re-show with the
posted input and per-field errors (422), or commit, flash and redirect (303). The admin JSON
endpoints read their body with ``json_object`` and call the same services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from aduan.errors import ValidationFailed
from aduan.extensions import db


@dataclass
class Field:
    """One form control: ``kind`` is text, textarea, number, time, date, select, multi,
    checkbox or secret; ``choices`` are (value, label) pairs."""

    name: str
    label: str
    kind: str = "text"
    choices: list[tuple[Any, str]] = field(default_factory=list)
    hint: str = ""
    required: bool = False


def as_form(values: Mapping[str, Any]) -> MultiDict:
    """Initial values as the posted form would carry them (lists → repeated keys)."""
    items: list[tuple[str, str]] = []
    for key, value in values.items():
        if isinstance(value, list | tuple | set):
            items.extend((key, str(v)) for v in value)
        elif value is True:
            items.append((key, "1"))
        elif value not in (None, False):
            items.append((key, str(value)))
    return MultiDict(items)


def handle(
    template: str,
    save: Callable[[MultiDict], Any],
    success_url: str | Callable[[Any], str],
    initial: Mapping[str, Any],
    **context,
):
    """Render ``template`` with ``values`` and ``errors``; on a valid POST commit and redirect."""
    if request.method == "POST":
        try:
            saved = save(request.form)
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            flash(_("Please correct the errors below."), "error")
            return render_template(template, values=request.form, errors=exc.errors, **context), 422
        flash(_("Saved."), "success")
        url = success_url(saved) if callable(success_url) else success_url
        return redirect(url, code=303)
    return render_template(template, values=as_form(initial), errors={}, **context)


def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object (else 422 like any invalid input)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationFailed("send a JSON object", errors={"_body": ["JSON object expected"]})
    return payload
