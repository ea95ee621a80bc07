"""Officer sign-in and sign-out (Flask-Login, argon2, CSRF, per-IP and per-account limits),
the second step for officers with two-factor sign-in, and the password reset by e-mail."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from aduan.extensions import db, limiter
from aduan.models import Officer
from aduan.services.auth import devices, own_password, two_factor
from aduan.services.auth import signin as auth_service
from aduan.web.auth_session import DEVICE_KEY, SESSION_VERSION_KEY
from aduan.web.inbox.password_texts import refusal
from aduan.web.language import _safe_next

bp = Blueprint("auth", __name__)
PENDING = "two_factor_pending"
PENDING_SECONDS = 300
PENDING_TRIES = 5


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


def _login_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", "20 per minute;200 per hour")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    target = _target(request.args.get("next") or request.form.get("next"))
    if form.validate_on_submit():
        officer = auth_service.authenticate(
            form.username.data, form.password.data, request.remote_addr
        )
        if officer is not None and two_factor.is_enrolled(officer):
            _await_second_factor(officer, target)
            return redirect(url_for("auth.second_factor"))
        if officer is not None:
            _start_session(officer)
            return redirect(target)
        flash(_("Wrong username or password, or the account is locked for now."), "error")
        return render_template("inbox/login.html", form=form, next=target), 401
    return render_template("inbox/login.html", form=form, next=target)


def _target(raw: str | None) -> str:
    target = _safe_next(raw)
    return "/inbox" if target == "/" else target


def _await_second_factor(officer: Officer, target: str) -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[PENDING] = {"officer_id": officer.id, "version": officer.session_version,
                        "since": int(time.time()), "next": target, "tries": 0}  # fmt: skip


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def second_factor():
    """The code from the officer's authenticator app, or one of their recovery codes."""
    pending = session.get(PENDING)
    officer = _pending_officer(pending)
    if officer is None:
        session.pop(PENDING, None)
        flash(_("Sign in again, please."), "error")
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("inbox/login_two_factor.html")
    if two_factor.verify(officer, request.form.get("code", "")):
        _start_session(officer)
        return redirect(_target(pending.get("next")))
    pending["tries"] += 1
    session[PENDING] = pending
    if pending["tries"] >= PENDING_TRIES:
        session.pop(PENDING, None)
        flash(_("Too many wrong codes. Sign in again, please."), "error")
        return redirect(url_for("auth.login"))
    flash(_("That code is not right, or it was used already. Try the next code."), "error")
    return render_template("inbox/login_two_factor.html"), 401


def _pending_officer(pending) -> Officer | None:
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None
    officer = db.session.get(Officer, pending.get("officer_id"))
    if officer is None or not officer.active or officer.session_version != pending.get("version"):
        return None
    return officer


def _start_session(officer) -> None:
    lang = session.get("lang")
    session.clear()  # a fresh session on sign-in (no fixation)
    if lang:
        session["lang"] = lang
    key = devices.open_session(officer, request.user_agent.string, request.remote_addr)
    db.session.commit()
    login_user(officer)
    session[SESSION_VERSION_KEY] = officer.session_version
    session[DEVICE_KEY] = key


@bp.route("/login/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_request():
    """Ask for a reset link: one answer whatever was typed (nothing tells who exists)."""
    if request.method == "POST":
        own_password.request_reset(request.form.get("identifier", ""))
        flash(_("If that is the username or e-mail address of an active account, a link to "
                "choose a new password is on its way to the account's e-mail address. "
                "It works once, within 30 minutes."), "success")  # fmt: skip
        return redirect(url_for("auth.reset_request"))
    return render_template("inbox/reset_request.html")


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    """Choose a new password with the link from the e-mail."""
    if not own_password.reset_is_valid(token):
        return render_template("inbox/reset_password.html", valid=False), 404
    if request.method == "GET":
        return render_template("inbox/reset_password.html", valid=True, errors={})
    try:
        own_password.reset(token, request.form.get("password"), request.form.get("confirm"))
    except own_password.PasswordRefused as refused:
        errors = {"password": [refusal(refused.code)]}
        return render_template("inbox/reset_password.html", valid=True, errors=errors), 422
    flash(_("Your password is changed. Sign in with it now."), "success")
    return redirect(url_for("auth.login"))


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:  # a copied cookie must not outlive the sign-out
        auth_service.sign_out(current_user._get_current_object(), session.get(DEVICE_KEY))
    logout_user()
    session.pop(SESSION_VERSION_KEY, None)
    session.pop(DEVICE_KEY, None)
    flash(_("You have signed out."), "success")
    return redirect("/login")


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    auth_service.sign_out_everywhere(current_user._get_current_object())
    logout_user()
    session.pop(SESSION_VERSION_KEY, None)
    session.pop(DEVICE_KEY, None)
    flash(_("You have signed out on every device."), "success")
    return redirect("/login")
