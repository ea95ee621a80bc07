"""A citizen uploads ``evil.html`` that is really a PNG; the officer's download is named and
typed as what it is (``.png``, image/png), never as the HTML its name claims (issue #12)."""

from aduan.extensions import db
from aduan.models import Attachment, Ticket, Unit
from aduan.services.intake.attachments import download_name, save_bytes
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit
from tests.web.inbox.helpers import signed_in
from tests.web.public.helpers import PNG, complaint, csrf, setup_agency, with_file


def _file_complaint(citizen, category, name):
    data = with_file(complaint(csrf(citizen), category), PNG, name=name)
    response = citizen.post("/aduan/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    return db.session.scalar(db.select(Ticket))


def test_an_html_named_png_downloads_as_png(make_client, db):
    agency, category = setup_agency()
    other = gen_agency()
    triage = db.session.get(Unit, agency.triage_unit_id)
    officer = gen_officer(agency, [triage], roles=("complaint_manager",))
    stranger = gen_officer(other, [gen_unit(other)], roles=("complaint_manager",))
    db.session.commit()
    ticket = _file_complaint(make_client(), category, "evil.html")
    (row,) = db.session.scalars(db.select(Attachment).where(Attachment.ticket_id == ticket.id))
    reader = signed_in(make_client(), officer)
    response = reader.get(f"/inbox/attachments/{row.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "evil.png" in disposition
    assert ".html" not in disposition
    assert response.data == PNG
    outsider = signed_in(make_client(), stranger)  # another agency's manager: no such file
    assert outsider.get(f"/inbox/attachments/{row.id}").status_code == 404


def test_a_channel_attachment_is_named_by_its_served_type(make_client, db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit], roles=("complaint_manager",))
    ticket = gen_ticket(agency, unit)
    row = Attachment(ticket_id=ticket.id, sha256=save_bytes(b"<svg onload=alert(1)>"),
                     filename="peta.pdf.svg", content_type="image/svg+xml", size=21)  # fmt: skip
    db.session.add(row)
    db.session.commit()
    response = signed_in(make_client(), officer).get(f"/inbox/attachments/{row.id}")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "peta.pdf.txt" in response.headers["Content-Disposition"]


def test_download_names_follow_the_type():
    assert download_name("evil.html", "image/png") == "evil.png"
    assert download_name("foto.JPG", "image/jpeg") == "foto.jpg"
    assert download_name("../../etc/passwd", "application/pdf") == "passwd.pdf"
    assert download_name("", "application/x-unknown") == "attachment.bin"
    assert download_name("nota", "audio/ogg; codecs=opus") == "nota.ogg"
