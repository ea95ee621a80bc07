"""Guessing a reference's answer from many addresses (issue #12): wrong answers are counted
per reference, the answer is locked after five, and the complainant is told on their channel."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import OutboundMessage
from aduan.services.citizen import status as status_lookup
from tests.web.public.helpers import csrf, file_with_another_agency
from tests.web.public.test_status import WRONG, _check

LOCKED = "Terlalu banyak jawapan salah"
SITI = "+60123456789"


def _guess(client, token, reference, n: int):
    """Guess ``n`` from its own address, as a botnet does."""
    environ = {"REMOTE_ADDR": f"10.{n // 250}.{n % 250}.7"}
    return _check(client, token, reference, f"{n:04d}", **environ).get_data(as_text=True)


def _received(handle: str, purpose: str) -> list[str]:
    return list(
        db.session.scalars(
            db.select(OutboundMessage.body).where(
                OutboundMessage.to_handle == handle, OutboundMessage.purpose == purpose
            )
        )
    )


def test_guesses_from_many_addresses_lock_the_answer_and_tell_the_complainant(client):
    ours, theirs = file_with_another_agency(client)
    token = csrf(client, "/semak")
    pages = [_guess(client, token, ours.reference, n) for n in range(1, 13)]  # not 6789
    assert all(WRONG in page for page in pages[:4])
    assert all(LOCKED in page for page in pages[4:])
    right = _check(client, token, ours.reference, "6789", REMOTE_ADDR="192.0.2.1")
    assert right.status_code == 200 and LOCKED in right.get_data(as_text=True)
    assert client.get("/semak/status").status_code == 302  # not opened
    (notice,) = _received(SITI, "answer_locked")  # once per lock, not per guess
    assert ours.reference in notice and "kod sekali guna" in notice
    assert _check(client, token, theirs.reference, "4321").status_code == 302  # another agency's
    assert _received("+60198764321", "answer_locked") == []

    status_lookup.request_code(ours.reference)  # the complainant's own way in still works
    (sent,) = _received(SITI, "verification")
    code = sent.split(": ")[1][:6]
    data = {"csrf_token": token, "reference": ours.reference, "answer": "", "code": code}
    assert client.post("/semak", data=data).status_code == 302
    assert ours.reference in client.get("/semak/status").get_data(as_text=True)


def test_a_missing_reference_locks_alike_and_nobody_is_told(client):
    ours, _ = file_with_another_agency(client)
    token = csrf(client, "/semak")
    missing = "ADU-2026-AAAAAA"
    pages = [_guess(client, token, missing, n) for n in range(1, 8)]
    assert all(WRONG in page for page in pages[:4])
    assert all(LOCKED in page for page in pages[4:])  # says nothing about existence
    assert (
        db.session.scalar(
            db.select(db.func.count(OutboundMessage.id)).where(
                OutboundMessage.purpose == "answer_locked"
            )
        )
        == 0
    )
    assert _check(client, token, ours.reference, "6789").status_code == 302  # others unaffected
