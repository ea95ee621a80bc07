"""``/api/v1/tickets/{reference}/…``: the ticket page's remaining actions — classify, extend
the resolution deadline, unmerge — and the ticket's files (list, download, upload), each
through the service the page calls, within ``tickets.access``'s scope."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import select

from aduan.errors import NotFound, ValidationFailed
from aduan.extensions import db
from aduan.models import Attachment, Ticket
from aduan.schemas.tickets import AttachmentSchema, ClassifySchema, ExtendSchema, UnmergeSchema
from aduan.services.intake.attachments import store_officer_file
from aduan.services.tickets import access, actions, merging, workflow
from aduan.services.tickets.extending import extend_until
from aduan.web.api.blueprint import audience, bp, principal, requires
from aduan.web.api.tickets import _act, _dump, _expect, _load, body
from aduan.web.attachment_download import send_attachment

NOT_MERGED = "This ticket is not merged."
NO_FILE = "no such ticket or file"


@bp.post("/tickets/<reference>/classification")
@requires("write")
def classify(reference: str):
    data = body(ClassifySchema())
    ticket = _act(reference, "classify")
    _expect(ticket, data["version"])
    category = data.get("category_id", ticket.category_id)  # null: uncategorised
    actions.classify(ticket, principal(), data.get("type"), category, data.get("complexity"))
    workflow.commit()
    return _dump(ticket)


@bp.post("/tickets/<reference>/extension")
@requires("write")
def extend(reference: str):
    """Dipanjangkan with a new resolution date (close of office on ``new_date``) and the
    interim reply to the complainant, as the ticket page extends."""
    data = body(ExtendSchema())
    ticket = _act(reference, "extend")
    _expect(ticket, data["version"])
    extend_until(ticket, principal(), data["reason"], data["new_date"])
    workflow.commit()
    return _dump(ticket)


@bp.post("/tickets/<reference>/unmerge")
@requires("write")
def unmerge(reference: str):
    data = body(UnmergeSchema())
    ticket = _act(reference, "unmerge", merged_ok=True)
    _expect(ticket, data["version"])
    target = db.session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None
    if target is None:
        raise ValidationFailed(NOT_MERGED, errors={"reference": ["not merged"]})
    if not access.can_change(principal(), target):
        raise ValidationFailed(NOT_MERGED, errors={"reference": ["not merged"]})
    merging.unmerge(ticket, principal())
    workflow.commit()
    return _dump(ticket)


@bp.get("/tickets/<reference>/attachments")
@requires("read")
def list_attachments(reference: str):
    ticket = _load(reference, "view")
    workflow.commit()
    rows = db.session.scalars(
        select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)
    )
    return {"items": AttachmentSchema(view=audience()).dump(rows, many=True)}


@bp.get("/tickets/<reference>/attachments/<int:attachment_id>")
@requires("read")
def download_attachment(reference: str, attachment_id: int):
    """The file, if it is this ticket's (another ticket's id is 404, as a missing one)."""
    try:
        ticket = _load(reference, "download")
    except NotFound:
        raise NotFound(NO_FILE)  # the same answer as for a file that is not the ticket's
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.ticket_id != ticket.id:
        db.session.rollback()
        raise NotFound(NO_FILE)
    workflow.commit()
    return send_attachment(row)


@bp.post("/tickets/<reference>/attachments")
@requires("write")
def upload_attachment(reference: str):
    """A file kept on the ticket with an internal note (``note``, else its name): the same
    type allowlist and size cap as a complainant's files. It is not sent to anyone."""
    ticket = _act(reference, "attach")  # out of scope: 404 before the body is looked at
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        message = "send the file as the multipart field 'file'"
        raise ValidationFailed(message, errors={"file": ["required"]})
    note = (request.form.get("note") or "").strip()[:2000]
    limit = int(current_app.config["ATTACHMENT_MAX_BYTES"])
    data = upload.stream.read(limit + 1)
    message = actions.add_note(ticket, principal(), note or upload.filename[:255])
    db.session.flush()
    row = store_officer_file(ticket, message, upload.filename, upload.mimetype or "", data)
    workflow.commit()
    return AttachmentSchema(view=audience()).dump(row), 201
