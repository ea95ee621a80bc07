"""The yearly satisfaction study (issue #18): a sample of the year's complainants is invited
on their own channel (SMS through the fake Twilio: what the citizen received), answers on the
personal link once, and the results show the response rate, by unit and by category."""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models import OutboundMessage, Ticket
from aduan.models.quality import Study, StudyInvitation
from aduan.services.intake.pipeline import process_event
from aduan.services.quality import study
from aduan.services.sla.clock import local_zone
from tests.builders import gen_agency, gen_category, gen_officer, gen_unit, login
from tests.builders_quality import gen_checklist
from tests.services import intake_builders
from tests.services.intake_builders import sms_event
from workers import outbound_jobs

accounts = intake_builders.accounts
twilio = intake_builders.twilio_server
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _complaints(agency):
    """Two SMS complainants and one anonymous web ticket in the same year."""
    for n, sender in enumerate(("+60123456781", "+60123456782")):
        process_event(sms_event("Lampu jalan rosak.", f"SM{n}" + "a" * 31, sender=sender).id)
    tickets = db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()
    db.session.query(OutboundMessage).delete()  # the acknowledgements: not this test's
    db.session.commit()
    return tickets


def test_the_study_reaches_the_sample_by_sms_and_counts_the_answers(client, twilio):
    agency = gen_agency("JKR")
    unit = gen_unit(agency, name="Unit Jalan")
    agency.triage_unit_id = unit.id
    category = gen_category(agency)
    db.session.commit()
    first, second = _complaints(agency)
    first.category_id = category.id
    manager = gen_officer(agency, units=[unit], roles=("complaint_manager",))
    year = first.received_at.astimezone(local_zone()).year
    db.session.commit()
    login(client, manager)
    token = _TOKEN.search(client.get("/kualiti/kajian/baru").get_data(as_text=True)).group(1)
    checklist = gen_checklist(agency, name="Kajian Tahunan")
    db.session.commit()
    made = client.post(
        "/kualiti/kajian/baru",
        data={"csrf_token": token, "checklist_id": checklist.id, "year": year, "sample_size": 5},
    )
    assert made.status_code == 303
    row = db.session.scalar(db.select(Study))
    assert (
        client.post(f"/kualiti/kajian/{row.id}/hantar", data={"csrf_token": token}).status_code
        == 303
    )
    invitations = db.session.scalars(db.select(StudyInvitation)).all()
    assert len(invitations) == 2
    assert study.send(row) == 0  # sent again: nobody invited twice
    links = {}
    for out in db.session.scalars(db.select(OutboundMessage)).all():
        assert out.purpose == "quality_study" and out.channel == "sms"
        assert outbound_jobs.send_outbound(out.id) == "sent"
        received = twilio.last("/Messages.json").form
        assert received["To"] == out.to_handle
        assert "kajian kepuasan pelanggan" in received["Body"]
        links[received["To"]] = re.search(r"https://aduan.test(/a/JKR/kajian/\S+)",
                                          received["Body"]).group(1)  # fmt: skip
    assert set(links) == {"+60123456781", "+60123456782"}
    # The first complainant answers on the link the SMS carried; the second does not.
    path = links["+60123456781"]
    client.get("/logout")
    page = client.get(path).get_data(as_text=True)
    assert "Senyum" in page
    form = {"csrf_token": _TOKEN.search(page).group(1), "q1": "yes", "q2": "no", "q3": "5"}
    empty = client.post(path, data={"csrf_token": form["csrf_token"]})
    assert empty.status_code == 422
    done = client.post(path, data=form)
    assert done.status_code == 200 and "data-study-thanked" in done.get_data(as_text=True)
    again = client.post(path, data={**form, "q1": "no"})
    assert again.status_code == 200 and "data-study-thanked" in again.get_data(as_text=True)
    answered = db.session.scalar(db.select(StudyInvitation).where(
        StudyInvitation.answered_at.is_not(None)))  # fmt: skip
    assert answered.answers == {"q1": True, "q2": False, "q3": 5}
    result = study.results(row)
    assert (result.sent, result.answered, result.rate) == (2, 1, 50.0)
    assert result.by_unit == [("Unit Jalan", 1, round((100 + 0 + 100) / 3, 1))]
    assert [name for name, _n, _v in result.by_category] == [category.name_ms]
    login(client, manager)
    page = client.get(f"/kualiti/kajian/{row.id}").get_data(as_text=True)
    assert "50%" in page and "Unit Jalan" in page


def test_another_agencys_link_or_path_opens_nothing(client):
    a = gen_agency("MBA")
    ticket_unit = gen_unit(a)
    from tests.builders import gen_ticket

    ticket = gen_ticket(a, ticket_unit)
    row = Study(checklist_id=gen_checklist(a).id, year=2026, sample_size=1)
    db.session.add(row)
    db.session.flush()
    token = "t" * 32
    db.session.add(StudyInvitation(study_id=row.id, ticket_id=ticket.id,
                                   token_hash=study._digest(token)))  # fmt: skip
    gen_agency("MBB")
    db.session.commit()
    assert client.get(f"/a/MBA/kajian/{token}").status_code == 200
    assert client.get(f"/a/MBB/kajian/{token}").status_code == 404
    assert client.get("/a/MBA/kajian/salah").status_code == 404
