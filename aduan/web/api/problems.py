"""RFC 9457 problem details for every 4xx/5xx under ``/api/v1`` — domain refusals, HTTP
errors (404 of an unknown path, 405, 413, 429) and unexpected failures alike."""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, json, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from aduan.errors import DomainError
from aduan.extensions import db

PREFIX = "/api/v1"
TYPE_BASE = "https://aduan.readthedocs.io/api/problems/"  # documented in docs/api.md
MEDIA_TYPE = "application/problem+json"


def in_api() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def problem(status: int, code: str, title: str, detail: str = "", errors=None) -> Response:
    body = {
        "type": TYPE_BASE + code,
        "title": _phrase(status, title),
        "status": status,
        "detail": detail or title,
        "instance": request.path,
        "code": code,
        "errors": {k: [str(m) for m in v] for k, v in (errors or {}).items()},
    }
    return Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)


def _phrase(status: int, fallback: str) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return fallback


def from_domain(exc: DomainError) -> Response:
    db.session.rollback()
    return problem(exc.status, exc.code, str(exc.message), errors=exc.errors)


def from_validation(exc: ValidationError) -> Response:
    errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    flat = {k: v if isinstance(v, list) else [json.dumps(v)] for k, v in errors.items()}
    return problem(422, "validation_failed", "The request is not valid.", errors=flat)


def from_http(exc: HTTPException) -> Response:
    code = (exc.name or "error").lower().replace(" ", "_")
    return problem(exc.code or 500, code, exc.name, exc.description or "")


def from_lookup(exc: LookupError) -> Response:
    db.session.rollback()  # e.g. a reply with no channel to reach the complainant
    return problem(409, "conflict", "Conflict", str(exc))


def register_handlers(bp) -> None:
    """Problem details for what the API's views raise; ``web.errors`` sends the app-level
    errors under /api/v1 (unknown path, 405, 413, 429, 500) through ``problem`` too.
    Called once, where the blueprint is made (a blueprint is set up before any app)."""
    bp.register_error_handler(DomainError, from_domain)
    bp.register_error_handler(ValidationError, from_validation)
    bp.register_error_handler(LookupError, from_lookup)
    bp.register_error_handler(HTTPException, from_http)
