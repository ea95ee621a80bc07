"""Open311 GeoReport v2 at ``/open311/v2``: each agency is a jurisdiction (its code is the
``jurisdiction_id``, required on every call), its categories are the services.

- ``GET discovery.{fmt}``: the endpoint, its formats and how to get a key (no jurisdiction).
- ``GET services.{fmt}``, ``GET services/{code}.{fmt}``: the catalogue (public).
- ``POST requests.{fmt}``: files a complaint with the agency through intake on the
  ``open311`` channel (``open311.filing``); ``api_key`` is an API token of that agency with
  the ``citizen`` scope, checked before the form is read; ``Idempotency-Key`` as on
  ``/api/v1``.
- ``GET requests.{fmt}``, ``GET requests/{id}.{fmt}``, ``GET tokens/{token}.{fmt}``: the
  jurisdiction's requests in the citizen's view (public).
Errors are GeoReport's error list in the format asked, with the HTTP status as the code.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from aduan.errors import DomainError, NotFound
from aduan.extensions import csrf, db, limiter
from aduan.models import Agency
from aduan.services.api_tokens import tokens
from aduan.services.citizen import agency_pages
from aduan.services.open311 import catalog, filing, service_requests
from aduan.web.api import open311_format as fmt_

PREFIX = "/open311/v2"
FMT = "<any(json, xml):fmt>"
bp = Blueprint("open311", __name__, url_prefix=PREFIX)
csrf.exempt(bp)
# GeoReport's codes: 400 a bad or missing argument, 403 the api_key, 404 what is not there.
OPEN311_STATUS = {422: 400, 401: 403}


def in_open311() -> bool:
    return request.path.startswith(PREFIX + "/")


def _rate_limit() -> str:
    return current_app.config.get("OPEN311_RATE_LIMIT", "120 per minute")


def _rate_key() -> str:
    """Per api_key for filings, per address otherwise (the reads are public)."""
    key = (request.form.get("api_key") or "").strip() if request.method == "POST" else ""
    if key:
        return "open311-key:" + tokens.hash_secret(key)[:24]
    return f"open311-addr:{request.remote_addr}"


limiter.limit(_rate_limit, key_func=_rate_key)(bp)


def _format() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


def error_response(status: int, description: str):
    """The app's and the blueprint's errors under ``/open311/v2``, as GeoReport's list."""
    db.session.rollback()
    status = OPEN311_STATUS.get(status, status)
    return fmt_.errors(_format(), status, description)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    return error_response(exc.status, str(exc.message))


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError):
    messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
    field, problems = next(iter(messages.items()))
    first = problems[0] if isinstance(problems, list) else problems
    return error_response(400, f"{field}: {first}")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error_response(exc.code or 500, exc.description or exc.name)


def _jurisdiction() -> Agency:
    agency = agency_pages.by_code((request.values.get("jurisdiction_id") or "").strip())
    if agency is None:
        raise NotFound(_("jurisdiction_id was not provided or not found."))
    return agency


def _locale() -> str:
    return "en" if str(get_locale() or "ms").startswith("en") else "ms"


@bp.get(f"/discovery.{FMT}")
def discovery(fmt: str):
    return fmt_.render(fmt, "discovery", None, catalog.discovery(request.host_url + PREFIX[1:]))


@bp.get(f"/services.{FMT}")
def services(fmt: str):
    rows = catalog.services(_jurisdiction(), _locale())
    return fmt_.render(fmt, "services", "service", rows)


@bp.get(f"/services/<service_code>.{FMT}")
def service_definition(service_code: str, fmt: str):
    category = catalog.find(_jurisdiction(), service_code)
    if category is None:
        raise NotFound(_("service_code not found."))
    return fmt_.render(fmt, "service_definition", None, catalog.definition(category, _locale()))


@bp.post(f"/requests.{FMT}")
def create_request(fmt: str):
    agency = _jurisdiction()
    token = tokens.authenticate((request.form.get("api_key") or "").strip())
    filed = filing.file_request(
        token, agency, request.form.to_dict(), request.headers.get("Idempotency-Key")
    )
    # The reference at once when intake opened the ticket; the token always (GET tokens).
    row = {"service_request_id": filed.reference, "token": filed.token,
           "service_notice": filed.notice, "account_id": None}  # fmt: skip
    if filed.reference is None:
        del row["service_request_id"]
    response = fmt_.render(fmt, "service_requests", "request", [row], 201)
    if filed.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get(f"/requests.{FMT}")
def list_requests(fmt: str):
    agency = _jurisdiction()
    query = service_requests.parse_query(request.args)
    rows = service_requests.search(agency, query, _locale())
    return fmt_.render(fmt, "service_requests", "request", rows)


@bp.get(f"/requests/<reference>.{FMT}")
def get_request(reference: str, fmt: str):
    row = service_requests.one(_jurisdiction(), reference, _locale())
    return fmt_.render(fmt, "service_requests", "request", [row])


@bp.get(f"/tokens/<request_token>.{FMT}")
def get_token(request_token: str, fmt: str):
    row = filing.by_token(_jurisdiction(), request_token)
    return fmt_.render(fmt, "service_requests", "request", [row])
