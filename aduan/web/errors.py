"""One error shape for JSON (code, message, description, errors), negotiated with HTML;
``/api/v1`` answers RFC 9457 problem details (``web/api/problems.py``)."""

from __future__ import annotations

from flask import jsonify, render_template_string, request
from werkzeug.exceptions import HTTPException

from aduan.errors import DomainError
from aduan.web.api import open311, problems

_PAGE = """<!doctype html><html lang="ms"><head><meta charset="utf-8"><title>{{ code }}</title>
</head><body><main><h1>{{ code }}</h1><p>{{ message }}</p></main></body></html>"""


def _wants_json() -> bool:
    if request.path.startswith(("/api/", "/webhooks/", "/healthz")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _respond(status: int, code: str, message: str, description: str = "", errors=None):
    if problems.in_api():  # /api/v1 speaks RFC 9457 problem details only
        return problems.problem(status, code, str(message), description, errors)
    if open311.in_open311():  # GeoReport's own error list, in the format asked
        return open311.error_response(status, str(description or message))
    if _wants_json():
        body = {"code": code, "message": message, "description": description}
        body["errors"] = errors or {}
        return jsonify(body), status
    return render_template_string(_PAGE, code=status, message=message), status


def register(app) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return _respond(exc.status, exc.code, exc.message, errors=exc.errors)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return _respond(exc.code or 500, code, exc.name, exc.description or "")
