"""The agency a public page speaks for, from its path (``/a/<code>/…``) or its host name.

Every public page is served twice: at its national path (``/aduan/baru``, ``/semak``,
``/piagam``, as before agencies had pages) and under ``/a/<code>/``. The code is taken off the
URL values before the view runs and put back into every ``url_for`` of this blueprint, so
views and templates name endpoints alone and stay on the agency's pages. ``page_agency()`` is
the agency (None on a national page); an unknown code is a 404.
"""

from __future__ import annotations

from flask import abort, current_app, g, request

from aduan.models import Agency
from aduan.services.citizen import agency_pages
from aduan.web.public.blueprint import bp

PREFIX = "/a/<agency_code>"


def public_route(rule: str, **options):
    """Register the view at ``rule`` (national) and at ``/a/<code>`` + ``rule``."""

    def register(view):
        bp.add_url_rule(rule, view_func=view, defaults={"agency_code": None}, **options)
        bp.add_url_rule(PREFIX + rule, view_func=view, **options)
        return view

    return register


@bp.url_value_preprocessor
def _take_agency_code(endpoint, values) -> None:
    g.public_agency_code = (values or {}).pop("agency_code", None)


@bp.url_defaults
def _keep_agency_code(endpoint: str, values: dict) -> None:
    code = g.get("public_agency_code")
    expects = current_app.url_map.is_endpoint_expecting(endpoint, "agency_code")
    if code and "agency_code" not in values and expects:
        values["agency_code"] = code


@bp.before_request
def _find_agency() -> None:
    try:
        g.public_agency = agency_pages.page_agency(g.get("public_agency_code"), request.host)
    except LookupError:
        abort(404)


def page_agency() -> Agency | None:
    """The agency of this page; None on a national page."""
    return g.get("public_agency")


@bp.context_processor
def _agency_context() -> dict:
    agency = g.get("public_agency")
    return {"page_agency": agency_pages.profile(agency) if agency is not None else None}
