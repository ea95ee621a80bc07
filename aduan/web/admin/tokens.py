"""Admin page for the agency's API tokens: create (the secret shown once, an optional expiry
date), list with the last-used time and a warning before expiry, rotate, revoke. The one
write path is ``services.api_tokens.tokens``."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models.api import SCOPES
from aduan.models.base import utcnow
from aduan.services.api_tokens import tokens
from aduan.web.admin.blueprint import bp
from aduan.web.admin.org import _me
from aduan.web.auth_session import roles_required


def _page(errors: dict | None = None, secret: str | None = None, status: int = 200):
    rows = tokens.list_for(current_user.agency_id)
    page = render_template("admin/api_tokens.html", rows=rows, scopes=SCOPES,
                           errors=errors or {}, secret=secret, values=request.form,
                           expiring=tokens.expiring(rows), now=utcnow(),
                           grace_hours=tokens.ROTATION_GRACE // dt.timedelta(hours=1))  # fmt: skip
    return page, status


@bp.get("/api-tokens")
@roles_required("admin")
def api_tokens():
    return _page()


@bp.post("/api-tokens")
@roles_required("admin")
def api_token_create():
    try:
        _token, secret = tokens.create(_me(), request.form)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(exc.errors, status=422)
    db.session.commit()
    return _page(secret=secret, status=201)


@bp.post("/api-tokens/<int:token_id>/revoke")
@roles_required("admin")
def api_token_revoke(token_id: int):
    tokens.revoke(_me(), token_id)
    db.session.commit()
    flash(_("Token revoked: it is refused from now on."), "success")
    return redirect(url_for("admin.api_tokens"), code=303)


@bp.post("/api-tokens/<int:token_id>/rotate")
@roles_required("admin")
def api_token_rotate(token_id: int):
    try:
        _token, secret = tokens.rotate(_me(), token_id)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(exc.errors, status=422)
    db.session.commit()
    return _page(secret=secret)
