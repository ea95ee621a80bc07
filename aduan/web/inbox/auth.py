"""Officer sign-in and sign-out (Flask-Login, argon2, CSRF, per-IP and per-account limits)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from aduan.extensions import limiter
from aduan.services.auth import signin as auth_service
from aduan.web.auth_session import SESSION_VERSION_KEY
from aduan.web.language import _safe_next

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


def _login_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", "20 per minute;200 per hour")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    target = _safe_next(request.args.get("next") or request.form.get("next"))
    if target == "/":
        target = "/inbox"
    if form.validate_on_submit():
        officer = auth_service.authenticate(
            form.username.data, form.password.data, request.remote_addr
        )
        if officer is not None:
            _start_session(officer)
            return redirect(target)
        flash(_("Wrong username or password, or the account is locked for now."), "error")
        return render_template("inbox/login.html", form=form, next=target), 401
    return render_template("inbox/login.html", form=form, next=target)


def _start_session(officer) -> None:
    lang = session.get("lang")
    session.clear()  # a fresh session on sign-in (no fixation)
    if lang:
        session["lang"] = lang
    login_user(officer)
    session[SESSION_VERSION_KEY] = officer.session_version


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:  # a copied cookie must not outlive the sign-out
        auth_service.sign_out(current_user._get_current_object())
    logout_user()
    session.pop(SESSION_VERSION_KEY, None)
    flash(_("You have signed out."), "success")
    return redirect("/login")


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    auth_service.sign_out_everywhere(current_user._get_current_object())
    logout_user()
    session.pop(SESSION_VERSION_KEY, None)
    flash(_("You have signed out on every device."), "success")
    return redirect("/login")
