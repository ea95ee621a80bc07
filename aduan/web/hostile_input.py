"""Hostile input refused at the door, before any view or database sees it.

- Form bodies are capped: at most ``MAX_FORM_PARTS`` fields and ``MAX_FORM_MEMORY_SIZE`` bytes
  for url-encoded bodies too (Werkzeug caps only multipart ones), so a flood of fields is a 413
  in milliseconds.
- Query parameters may hold no control characters (NUL, CR, LF…), form fields no control
  characters other than tab and line breaks: PostgreSQL refuses NUL in text, and CR/LF must
  never reach a header. The answer is a 400 page in the visitor's language; nothing they sent
  is logged.

Provider webhooks are exempt: they are verified by signature and stored as sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO

from flask import Flask, Request, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from aduan.errors import DomainError

QUERY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, LF and CR allowed
EXEMPT_BLUEPRINTS = frozenset({"webhooks"})


class CappedFormParser(FormDataParser):
    """Applies the field-count and size caps to url-encoded bodies as well."""

    def _parse_urlencoded(self, stream: IO[bytes], mimetype, content_length, options):
        if self.max_form_memory_size is not None and (content_length or 0) > (
            self.max_form_memory_size
        ):
            raise RequestEntityTooLarge()
        body = stream.read(
            None if self.max_form_memory_size is None else self.max_form_memory_size + 1
        )
        if self.max_form_memory_size is not None and len(body) > self.max_form_memory_size:
            raise RequestEntityTooLarge()
        if self.max_form_parts is not None and body.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge()
        return super()._parse_urlencoded(_Replay(body), mimetype, content_length, options)


class _Replay:
    """The already-read body, handed to Werkzeug's parser as a stream."""

    def __init__(self, body: bytes):
        self._body = body

    def read(self, *_args) -> bytes:
        return self._body


class CappedRequest(Request):
    form_data_parser_class = CappedFormParser


class ControlCharacters(DomainError):
    """A parameter holds characters no person types (mapped to a 400 page or JSON error)."""

    status = 400
    code = "control_characters"
    for_people = True


def _has_control(values: Iterable[str], pattern: re.Pattern[str]) -> bool:
    # A multipart part can come without a name (Werkzeug: None): nothing typed, nothing to refuse.
    return any(pattern.search(value or "") for value in values)


def _texts(params) -> Iterable[str]:
    for key, value in params.items(multi=True):
        yield key
        yield value


def refuse_control_characters() -> None:
    """Before the view: 400 when a query parameter or form field holds control characters."""
    if request.blueprint in EXEMPT_BLUEPRINTS:
        return
    bad = _has_control(_texts(request.args), QUERY_CONTROL)
    if not bad and request.method in ("POST", "PUT", "PATCH"):
        form = request.form
        bad = _has_control(form.keys(), QUERY_CONTROL) or _has_control(
            (value for _key, value in form.items(multi=True)), FORM_CONTROL
        )
    if bad:
        raise ControlCharacters(_("The request contains characters that are not allowed."))


def register(app: Flask) -> None:
    """Cap form bodies on every request and check parameters before every view."""
    app.request_class = CappedRequest
    app.before_request(refuse_control_characters)
