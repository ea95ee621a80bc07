"""An officer's own account: change the password, set up two-factor sign-in (TOTP, QR code
drawn here) and recovery codes, and the browsers signed in with this account (revoke any)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from aduan.models import Officer
from aduan.services.auth import devices, own_password, two_factor
from aduan.web.auth_session import DEVICE_KEY, SESSION_VERSION_KEY
from aduan.web.inbox.password_texts import refusal
from aduan.web.language import _safe_next
from aduan.web.qr import qr_svg

bp = Blueprint("account", __name__, url_prefix="/account")
ENROL_SECRET = "two_factor_enrol_secret"  # noqa: S105 (a session key)


def _me() -> Officer:
    return current_user._get_current_object()


@bp.context_processor
def layout_context() -> dict:
    """What ``inbox/layout.html`` expects (queue names, unread count)."""
    if not current_user.is_authenticated:
        return {}
    from aduan.services.inbox.notifications import unread_count
    from aduan.services.inbox.queries import QUEUES

    return {"queue_names": QUEUES, "unread_notifications": unread_count(current_user)}


@bp.get("")
@login_required
def overview():
    return _overview({})


def _overview(errors: dict, status: int = 200):
    me = _me()
    current = devices.current(me.id, session.get(DEVICE_KEY))
    return render_template(
        "inbox/account.html",
        errors=errors,
        sessions=devices.list_open(me),
        current_id=current.id if current else None,
        enrolled=two_factor.is_enrolled(me),
        required=two_factor.required_for(me),
        remaining=two_factor.remaining_recovery_codes(me) if two_factor.is_enrolled(me) else 0,
    ), status


@bp.post("/password")
@login_required
def change_password():
    form = request.form
    try:
        own_password.change(
            _me(), form.get("current"), form.get("password"), form.get("confirm"),
            keep_key=session.get(DEVICE_KEY),
        )  # fmt: skip
    except own_password.PasswordRefused as refused:
        field = "current" if refused.code == "current" else "password"
        return _overview({field: [refusal(refused.code)]}, 422)
    session[SESSION_VERSION_KEY] = _me().session_version
    flash(_("Your password is changed. Your other devices are signed out."), "success")
    return redirect(url_for("account.overview"))


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    """Scan the QR code (or type the key), then confirm with a code from the app."""
    me = _me()
    target = _safe_next(request.args.get("next"))
    if two_factor.is_enrolled(me):
        return redirect(url_for("account.overview"))
    secret = session.get(ENROL_SECRET) or two_factor.new_secret()
    session[ENROL_SECRET] = secret
    if request.method == "POST":
        codes = two_factor.enrol(me, secret, request.form.get("code", ""))
        if codes:
            session.pop(ENROL_SECRET, None)
            flash(_("Two-factor sign-in is on."), "success")
            return render_template("inbox/recovery_codes.html", codes=codes, next=target)
        flash(_("That code is not right. Check the time on your phone and try the next code."),
              "error")  # fmt: skip
    uri = two_factor.provisioning_uri(me, secret)
    return render_template(
        "inbox/two_factor_setup.html", qr=qr_svg(uri), secret=secret,
        required=two_factor.required_for(me), next=target,
    ), 200 if request.method == "GET" else 422  # fmt: skip


@bp.post("/two-factor/recovery-codes")
@login_required
def recovery_codes():
    """New recovery codes (the old ones stop working), after a code from the app."""
    me = _me()
    if not two_factor.verify(me, request.form.get("code", "")):
        flash(_("That code is not right, or it was used already. Try the next code."), "error")
        return redirect(url_for("account.overview"))
    codes = two_factor.regenerate_recovery_codes(me)
    return render_template("inbox/recovery_codes.html", codes=codes, next="/account")


@bp.post("/two-factor/disable")
@login_required
def two_factor_disable():
    me = _me()
    if two_factor.required_for(me):
        flash(_("Administrators must keep two-factor sign-in on."), "error")
    elif not two_factor.verify(me, request.form.get("code", "")):
        flash(_("That code is not right, or it was used already. Try the next code."), "error")
    else:
        two_factor.disable(me)
        flash(_("Two-factor sign-in is off."), "success")
    return redirect(url_for("account.overview"))


@bp.post("/devices/<int:session_id>/revoke")
@login_required
def revoke_device(session_id: int):
    """Sign one of the officer's own browsers out (another officer's is not found)."""
    if not devices.revoke(_me(), session_id):
        abort(404)
    flash(_("That device is signed out."), "success")
    return redirect(url_for("account.overview"))
