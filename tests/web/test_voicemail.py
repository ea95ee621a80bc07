"""Voicemail end to end: the incoming call, the recording callback and Twilio's transcription
callback, signed with twilio's RequestValidator, posted to the real webhook routes, ingested into
tickets; the recording is fetched from a fake Twilio."""

from __future__ import annotations

import pytest

from aduan.models import Agency, Attachment, InboundEvent, Message, Ticket, TicketEvent
from aduan.services.admin import channels as admin_channels
from aduan.services.channel_config.accounts import find_account, save_account
from aduan.services.intake.pipeline import process_event
from tests.builders import gen_agency, gen_officer, gen_unit
from tests.fakes.twilio import fake_twilio as make_fake_twilio
from tests.web.signing import BASE, CHANNEL_CONFIG, TWILIO_TOKEN, twilio_headers

CALL = "/webhooks/twilio/voice"
RECORDING = "/webhooks/twilio/voice/recording"
ACCOUNT_SID = CHANNEL_CONFIG["TWILIO_ACCOUNT_SID"]
CALLER = "+60123456789"
RECORDING_SID = "RE" + "4" * 32
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 24
SPOKEN = "Paip air pecah di Jalan Klang Lama sejak pagi tadi."


@pytest.fixture
def twilio():
    with make_fake_twilio() as server:
        server.recordings[RECORDING_SID] = WAV
        yield server


@pytest.fixture
def hooks(client, db, monkeypatch, twilio):
    for name, value in CHANNEL_CONFIG.items():
        monkeypatch.setitem(client.application.config, name, value)
    # The fake Twilio listens on loopback, which media fetches refuse unless trusted.
    trusted = (twilio.url.removeprefix("http://"),)
    monkeypatch.setitem(client.application.config, "MEDIA_FETCH_TRUSTED_HOSTS", trusted)
    agency = gen_agency("JBA")
    agency.triage_unit_id = gen_unit(agency).id
    settings = {"account_sid": ACCOUNT_SID, "auth_token": TWILIO_TOKEN, "transcribe": True}
    save_account(agency, "voice", settings)
    db.session.commit()
    return client


def call_form(twilio) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT_SID,
        "CallSid": "CA" + "3" * 32,
        "From": CALLER,
        "To": "+60300000000",
        "Direction": "inbound",
        "RecordingSid": RECORDING_SID,
        "RecordingUrl": f"{twilio.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/"
        + RECORDING_SID,
    }


def recording_form(twilio) -> dict[str, str]:
    return {**call_form(twilio), "CallStatus": "in-progress", "RecordingDuration": "14"}


def transcription_form(twilio, status: str = "completed") -> dict[str, str]:
    form = {**call_form(twilio), "CallStatus": "completed", "TranscriptionSid": "TR" + "5" * 32}
    form["TranscriptionStatus"] = status
    form["TranscriptionText"] = SPOKEN if status == "completed" else ""
    form["TranscriptionType"] = "fast"
    return form


def post(hooks, form: dict[str, str], path: str = RECORDING) -> int:
    """Post as Twilio would, then run the ingest for whatever was stored."""
    response = hooks.post(path, data=form, headers=twilio_headers(path, form))
    from aduan.extensions import db

    for event in db.session.scalars(
        db.select(InboundEvent).where(InboundEvent.processed_at.is_(None))
    ).all():
        process_event(event.id)
    return response.status_code


def only_ticket(db) -> Ticket:
    (ticket,) = db.session.scalars(db.select(Ticket)).all()
    return ticket


def voice_messages(db) -> list[Message]:
    return db.session.scalars(db.select(Message).where(Message.channel == "voice")).all()


def event_kinds(db, ticket) -> list[str]:
    return db.session.scalars(
        db.select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
    ).all()


def test_the_call_asks_twilio_to_transcribe_to_the_recording_route(hooks, db, twilio):
    form = {k: v for k, v in call_form(twilio).items() if not k.startswith("Recording")}
    response = hooks.post(CALL, data=form, headers=twilio_headers(CALL, form))
    assert response.status_code == 200
    assert f'transcribeCallback="{BASE}{RECORDING}"'.encode() in response.data


def test_transcription_after_the_recording_fills_the_same_voicemail(hooks, db, twilio):
    assert post(hooks, recording_form(twilio)) == 200
    ticket = only_ticket(db)
    (voicemail,) = voice_messages(db)
    assert (ticket.origin_channel, voicemail.body, ticket.description) == ("voice", "", "")
    (recording,) = db.session.scalars(db.select(Attachment)).all()
    assert recording.size == len(WAV) and recording.message_id == voicemail.id

    assert post(hooks, transcription_form(twilio)) == 200
    db.session.expire_all()
    assert only_ticket(db).id == ticket.id  # no second ticket
    (voicemail,) = voice_messages(db)  # no second message: the text joined the voicemail
    assert voicemail.body == SPOKEN
    ticket = only_ticket(db)
    assert ticket.description == SPOKEN and ticket.subject.startswith("Paip air pecah")
    assert "transcription_added" in event_kinds(db, ticket)
    assert len(db.session.scalars(db.select(Attachment)).all()) == 1


def test_transcription_before_the_recording_makes_one_ticket_with_both(hooks, db, twilio):
    assert post(hooks, transcription_form(twilio)) == 200
    ticket = only_ticket(db)
    (message,) = voice_messages(db)
    assert message.body == SPOKEN and ticket.description == SPOKEN
    (recording,) = db.session.scalars(db.select(Attachment)).all()  # from the callback's URL
    assert recording.message_id == message.id

    assert post(hooks, recording_form(twilio)) == 200  # the late recording callback
    db.session.expire_all()
    assert only_ticket(db).id == ticket.id
    assert len(voice_messages(db)) == 1
    assert len(db.session.scalars(db.select(Attachment)).all()) == 1


def test_a_failed_transcription_is_noted_on_the_voicemail_ticket(hooks, db, twilio):
    post(hooks, recording_form(twilio))
    assert post(hooks, transcription_form(twilio, status="failed")) == 200
    ticket = only_ticket(db)
    (voicemail,) = voice_messages(db)
    assert voicemail.body == "" and ticket.description == ""
    assert "transcription_failed" in event_kinds(db, ticket)


def test_a_failed_transcription_first_still_makes_the_ticket_with_the_recording(hooks, db, twilio):
    post(hooks, transcription_form(twilio, status="failed"))
    ticket = only_ticket(db)
    assert "transcription_failed" in event_kinds(db, ticket)
    assert len(db.session.scalars(db.select(Attachment)).all()) == 1
    post(hooks, recording_form(twilio))
    assert only_ticket(db).id == ticket.id and len(voice_messages(db)) == 1


def test_a_failed_transcription_first_on_an_open_voice_ticket_is_noted(hooks, db, twilio):
    post(hooks, recording_form(twilio))
    post(hooks, transcription_form(twilio))
    ticket = only_ticket(db)  # the caller's open voicemail ticket
    second = "RE" + "6" * 32
    twilio.recordings[second] = WAV
    url = recording_form(twilio)["RecordingUrl"].replace(RECORDING_SID, second)
    again = {"CallSid": "CA" + "7" * 32, "RecordingSid": second, "RecordingUrl": url}
    again["TranscriptionSid"] = "TR" + "8" * 32
    assert post(hooks, {**transcription_form(twilio, status="failed"), **again}) == 200
    db.session.expire_all()
    assert only_ticket(db).id == ticket.id  # the second call joins the open ticket…
    latest = max(voice_messages(db), key=lambda m: m.id)
    failed = db.session.scalars(
        db.select(TicketEvent).where(TicketEvent.kind == "transcription_failed")
    ).all()
    assert [e.data["message_id"] for e in failed] == [latest.id]  # …and says it has no text


def test_a_repeated_transcription_callback_is_stored_once(hooks, db, twilio):
    post(hooks, recording_form(twilio))
    post(hooks, transcription_form(twilio))
    assert post(hooks, transcription_form(twilio)) == 200
    assert len(db.session.scalars(db.select(InboundEvent)).all()) == 2
    assert only_ticket(db).description == SPOKEN  # not doubled


def test_a_forged_transcription_callback_is_refused(hooks, db, twilio):
    form = transcription_form(twilio)
    headers = twilio_headers(RECORDING, form, token="not-the-auth-token")
    assert hooks.post(RECORDING, data=form, headers=headers).status_code == 403
    tampered = {**form, "TranscriptionText": "Sila tutup aduan ini."}
    headers = twilio_headers(RECORDING, form)  # signed for the original text
    assert hooks.post(RECORDING, data=tampered, headers=headers).status_code == 403
    assert db.session.scalars(db.select(InboundEvent)).all() == []


@pytest.mark.parametrize(("typed", "asked"), [("ya", True), ("true", True), ("false", False)])
def test_an_admin_switches_transcription_on_in_the_voice_account(hooks, db, twilio, typed, asked):
    row = find_account("voice")
    assert "transcribe" in admin_channels.setting_keys("voice", None)  # a field on a new account
    admin = gen_officer(db.session.get(Agency, row.agency_id), roles=("admin",))
    form = {"s_account_sid": ACCOUNT_SID, "s_transcribe": typed, "active": "y"}
    admin_channels.save(admin, form, "voice", row)
    db.session.commit()
    form = {k: v for k, v in call_form(twilio).items() if not k.startswith("Recording")}
    response = hooks.post(CALL, data=form, headers=twilio_headers(CALL, form))
    assert (b"transcribeCallback=" in response.data) is asked
