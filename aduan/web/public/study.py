"""The satisfaction study's questionnaire, reached by a complainant's personal link
(``/a/<code>/kajian/<token>``): answered once, no login, CSRF, rate-limited."""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from aduan.errors import ValidationFailed
from aduan.extensions import limiter
from aduan.services.quality import study
from aduan.web.public.agency_scope import PREFIX, page_agency
from aduan.web.public.blueprint import bp


def _limit() -> str:
    return current_app.config.get("QUALITY_STUDY_LIMIT", "10 per minute;60 per hour")


def study_form(token: str):
    agency = page_agency()
    invitation = study.invitation_by_token(token, agency.id) if agency is not None else None
    if invitation is None:
        abort(404)
    context = {"invitation": invitation, "items": invitation.study.checklist.items,
               "values": {}, "errors": {}}  # fmt: skip
    if request.method == "POST" and invitation.answered_at is None:
        try:
            study.answer(invitation, request.form)
        except ValidationFailed as exc:
            context.update(values=request.form, errors=exc.errors)
            return render_template("quality/study_form.html", **context), 422
        return render_template("quality/study_form.html", thanked=True, **context)
    return render_template("quality/study_form.html", **context)


bp.add_url_rule(
    PREFIX + "/kajian/<token>",
    view_func=limiter.limit(_limit, methods=["POST"])(study_form),
    methods=["GET", "POST"],
)
