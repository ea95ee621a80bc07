"""The mystery shopper's form (``/a/<code>/mp/<token>``): a phone page reached by a
time-limited link, no account. The page keeps a filled form in the phone's storage and sends
it when the connection is back (``static/js/shopper.js``); the JSON endpoint stores a visit
once per ``submission_id`` the phone made. The endpoint is not CSRF-protected by a session
token — a form queued offline for hours would outlive one — but needs the link's secret and a
JSON body, which another site's page cannot send without the browser asking first (CORS)."""

from __future__ import annotations

from flask import abort, current_app, jsonify, render_template, request

from aduan.errors import ValidationFailed
from aduan.extensions import csrf, limiter
from aduan.services.quality import exercises
from aduan.web.public.agency_scope import PREFIX, page_agency
from aduan.web.public.blueprint import bp


def _limit() -> str:
    return current_app.config.get("QUALITY_SHOPPER_LIMIT", "30 per minute;300 per hour")


def _shopper(token: str):
    agency = page_agency()
    shopper = exercises.shopper_by_token(token, agency.id) if agency is not None else None
    if shopper is None:
        abort(404)
    return shopper


def shopper_form(token: str):
    shopper = _shopper(token)
    exercise = shopper.exercise
    return render_template("quality/shopper.html", shopper=shopper, exercise=exercise,
                           points=exercises.points_of(exercise),
                           items=exercise.checklist.items)  # fmt: skip


def shopper_submit(token: str):
    shopper = _shopper(token)
    payload = request.get_json(silent=True)
    if not request.is_json or not isinstance(payload, dict):
        return jsonify(errors={"_body": ["JSON object expected"]}), 415
    try:
        received = exercises.submit_visit(shopper, payload)
    except ValidationFailed as exc:
        return jsonify(errors={k: [str(m) for m in v] for k, v in exc.errors.items()}), 422
    return jsonify(visit=received.visit.id, created=received.created), (
        201 if received.created else 200
    )


def shopper_worker():
    """The service worker that keeps the agency's shopper pages for offline use."""
    if page_agency() is None:
        abort(404)
    response = current_app.send_static_file("js/shopper-sw.js")
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    return response


bp.add_url_rule(PREFIX + "/mp/sw.js", view_func=shopper_worker, methods=["GET"])
bp.add_url_rule(PREFIX + "/mp/<token>", view_func=shopper_form, methods=["GET"])
bp.add_url_rule(
    PREFIX + "/mp/<token>/hantar",
    view_func=csrf.exempt(limiter.limit(_limit)(shopper_submit)),
    methods=["POST"],
)
