"""Thin views: validate, call a service, render. Rules live in the services."""

from __future__ import annotations

import hashlib
import time
import uuid

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from aduan.errors import ValidationFailed
from aduan.extensions import db, limiter
from aduan.languages import citizen_language
from aduan.models import Ticket
from aduan.services.admin import agency_logo as admin_logo
from aduan.services.citizen import (
    agency_pages,
    charter,
    code_requests,
    merged_replies,
    survey,
)
from aduan.services.citizen import lookup as lookup_service
from aduan.services.citizen import status as status_lookup
from aduan.services.intake import placement as threading
from aduan.services.intake import web_form
from aduan.services.storage.base import BlobMissing
from aduan.services.storage.selection import attachment_store
from aduan.web.public.agency_scope import page_agency, public_route
from aduan.web.public.blueprint import bp
from aduan.web.public.forms import (
    CodeRequestForm,
    ComplaintForm,
    LookupForm,
    ObjectionForm,
    ReplyForm,
    SurveyForm,
)
from aduan.web.public.uploads import UploadRefused, read_uploads

ACCESS_SECONDS = 15 * 60
GENERIC_REFUSAL = 400
LOCKED = _l(
    "Too many wrong answers have been given for this reference. For your safety, check it with "
    "a one-time code: ask for one below and we send it to the contact details of the complaint."
)


def _locale() -> str:
    return citizen_language(str(get_locale() or "ms"))


def _form_limit() -> str:
    return current_app.config.get("PUBLIC_FORM_LIMIT", "5 per 10 minutes;20 per day")


def _contact_limit() -> str:
    return current_app.config.get("PUBLIC_CONTACT_LIMIT", "5 per day")


def _lookup_limit() -> str:
    return current_app.config.get("PUBLIC_LOOKUP_LIMIT", "10 per minute;50 per hour")


def _contact_key() -> str:
    contact = (request.form.get("email") or request.form.get("phone") or "").strip().lower()
    digits = "".join(ch for ch in contact if ch.isalnum() or ch in "@.")
    return "contact:" + hashlib.sha256(digits.encode()).hexdigest()


def _no_contact() -> bool:
    return not (request.form.get("email") or request.form.get("phone") or "").strip()


def _categories():
    return agency_pages.categories(agency_pages.filing_agency(page_agency()))


def _agency_id() -> int | None:
    """The page's agency, whose references alone its status page finds (None: any)."""
    agency = page_agency()
    return agency.id if agency is not None else None


@bp.get("/")
def landing():
    """The national landing page: the form for a citizen who does not know which agency to
    write to (routing places it), and every agency with links to its own pages. On an
    agency's own host name: that agency's form."""
    national = page_agency() is None
    agencies = [agency_pages.profile(a) for a in agency_pages.listed()] if national else []
    return _form_page(agencies=agencies)


@public_route("/aduan/baru", methods=["GET"])
def new_complaint():
    return _form_page()


def _form_page(**context):
    form = ComplaintForm()
    form.fill_choices(_categories(), _locale())
    form.form_id.data = uuid.uuid4().hex
    return render_template("public/form.html", form=form, **context)


bp.add_url_rule("/a/<agency_code>/", view_func=new_complaint)  # an agency's home: its form


@public_route("/aduan/baru", methods=["POST"])
@limiter.limit(_form_limit, methods=["POST"])
@limiter.limit(_contact_limit, key_func=_contact_key, exempt_when=_no_contact, methods=["POST"])
def submit_complaint():
    form = ComplaintForm()
    form.fill_choices(_categories(), _locale())
    if form.website.data:
        web_form.count_honeypot(current_app)
        return render_template("public/refused.html"), GENERIC_REFUSAL
    upload_error = None
    uploads = []
    valid = form.validate()
    try:
        uploads = read_uploads(request.files.getlist(form.attachments.name))
    except UploadRefused as exc:
        upload_error = str(exc)
        form.attachments.errors = [upload_error]
    if not valid or upload_error or not _is_uuid(form.form_id.data):
        form.form_id.data = form.form_id.data if _is_uuid(form.form_id.data) else uuid.uuid4().hex
        return render_template("public/form.html", form=form), 400
    filing = web_form.file_complaint(form.form_id.data, _filing(form, uploads), page_agency())
    return render_template("public/filed.html", filing=filing)


def _filing(form: ComplaintForm, uploads) -> web_form.ComplaintForm:
    email = (form.email.data or "").strip().lower() or None
    phone = form.phone.data or None
    kind, handle = ("email", email) if email else ("phone", phone) if phone else (None, None)
    fields = {
        "type": form.type.data,
        "category_id": form.category.data,
        "state_code": form.state.data,
        "district": form.district.data or None,
        "priority_group": form.priority_group.data or None,
        "latitude": form.latitude.data,
        "longitude": form.longitude.data,
    }
    return web_form.ComplaintForm(
        text=form.description.data.strip(),
        language=_locale(),
        contact_kind=kind,
        contact_handle=handle,
        phone=phone,
        sender_name=(form.name.data or "").strip() or None,
        fields=fields,
        uploads=uploads,
    )


def _is_uuid(value: str | None) -> bool:
    try:
        return uuid.UUID(value or "").hex == value
    except ValueError:
        return False


@public_route("/semak", methods=["GET"])
def lookup():
    form = LookupForm(reference=request.args.get("ref", ""))
    return render_template("public/lookup.html", form=form, code_form=CodeRequestForm())


@public_route("/semak", methods=["POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def check():
    form = LookupForm()
    if not form.validate():
        return render_template("public/lookup.html", form=form, code_form=CodeRequestForm()), 400
    found = lookup_service.open_status(
        form.reference.data, form.answer.data, form.code.data, _agency_id()
    )
    ticket, locked = found.ticket, found.locked
    if ticket is None:
        form.answer.errors = [
            LOCKED if locked else _("We could not verify these details. Check them and try again.")
        ]
        return render_template("public/lookup.html", form=form, code_form=CodeRequestForm())
    session["status_access"] = {"ticket_id": ticket.id, "until": time.time() + ACCESS_SECONDS}
    return redirect(url_for("public.status"))


@public_route("/semak/kod", methods=["POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def send_code():
    form = CodeRequestForm()
    if form.validate():
        code_requests.request(form.reference.data, _agency_id())  # looked up and sent by a job
    lookup_form = LookupForm(reference=form.reference.data or "")
    return render_template(
        "public/lookup.html",
        form=lookup_form,
        code_form=form,
        code_requested=True,
        codes_per_day=status_lookup.CODES_PER_DAY,
    )


def _verified_ticket() -> Ticket:
    access = session.get("status_access") or {}
    if not access or access.get("until", 0) < time.time():
        session.pop("status_access", None)
        abort(redirect(url_for("public.lookup")))
    ticket = db.session.get(Ticket, access["ticket_id"])
    if ticket is None or not agency_pages.owns(page_agency(), ticket.agency_id):
        abort(redirect(url_for("public.lookup")))
    return ticket


@public_route("/semak/status", methods=["GET"])
def status():
    ticket = _verified_ticket()
    return _render_status(ticket, landed_elsewhere=session.pop("status_reply_landed", None))


def _render_status(ticket: Ticket, code: int = 200, **forms):
    locale = _locale()
    reply_form = forms.get("reply_form") or ReplyForm(form_id=uuid.uuid4().hex)
    survey_row = survey.current(ticket)
    db.session.commit()
    return render_template(
        "public/status.html",
        info=status_lookup.public_status(ticket, locale),
        reply_form=reply_form,
        survey_row=survey_row,
        reply_opens_new=not threading.takes_messages(ticket),
        landed_elsewhere=forms.get("landed_elsewhere"),
        survey_refused=forms.get("survey_refused", False),
        survey_form=forms.get("survey_form") or SurveyForm(),
        objection_form=forms.get("objection_form") or ObjectionForm(),
    ), code


@public_route("/semak/balas", methods=["POST"])
def reply():
    ticket = _verified_ticket()
    form = ReplyForm()
    if not form.validate() or not _is_uuid(form.form_id.data):
        return _render_status(ticket, 400, reply_form=form)
    opens_new = not threading.takes_messages(ticket)  # else the ticket it was merged into
    landed = web_form.post_reply(ticket, form.form_id.data, form.text.data.strip(), _locale())
    if landed is not None and landed.id != ticket.id:  # told once, on the page it returns to
        # Another complainant's ticket is never named to this one (a merge is the agency's).
        own = opens_new or merged_replies.same_complainant(ticket, landed)
        session["status_reply_landed"] = {
            "reference": landed.reference if own else None,
            "new": opens_new,
        }
    return redirect(url_for("public.status"))


@public_route("/semak/tinjauan", methods=["POST"])
def rate():
    ticket = _verified_ticket()
    form = SurveyForm()
    if not form.validate():
        return _render_status(ticket, 400, survey_form=form)
    try:
        survey.rate(ticket, form.rating.data, form.comment.data)
    except ValidationFailed as exc:
        db.session.rollback()
        if exc.errors.get("rating") == ["answered"]:  # shown with the rating already given
            return _render_status(ticket, 409, survey_refused=True)
        form.rating.errors = [_("The survey for this complaint is closed.")]
        return _render_status(ticket, 400, survey_form=form)
    return redirect(url_for("public.status"))


@public_route("/semak/bantah", methods=["POST"])
def object_to_resolution():
    ticket = _verified_ticket()
    form = ObjectionForm()
    if not form.validate():
        return _render_status(ticket, 400, objection_form=form)
    try:
        survey.object_to_resolution(ticket, form.reason.data)
    except ValidationFailed:
        db.session.rollback()
        form.reason.errors = [_("The time to object has passed.")]
        return _render_status(ticket, 400, objection_form=form)
    return redirect(url_for("public.status"))


@public_route("/semak/keluar", methods=["POST"])
def sign_out():
    session.pop("status_access", None)
    return redirect(url_for("public.lookup"))


@public_route("/piagam", methods=["GET"])
def client_charter():
    agency = agency_pages.charter_agency(page_agency())
    rows = charter.standards(agency, _locale())
    return render_template("public/charter.html", agency=agency, rows=rows, windows=charter.WINDOWS)


@bp.app_template_filter("localdate")
def localdate(moment) -> str:
    """``3 Mac 2026, 17:00`` in the page's language and the configured time zone."""
    from aduan.services.outbox.replies import format_local

    return format_local(moment, _locale())


@bp.app_template_filter("percent")
def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


@public_route("/logo", methods=["GET"])
def agency_logo():
    """The agency's logo (its pages' header); 404 on a national page or without one."""
    agency = page_agency()
    logo = admin_logo.logo_of(agency) if agency is not None else None
    if logo is None:
        abort(404)
    sha256, content_type = logo
    try:
        data = attachment_store().open(sha256).read()
    except BlobMissing:
        abort(404)
    response = current_app.response_class(data, mimetype=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
