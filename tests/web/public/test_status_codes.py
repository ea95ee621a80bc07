"""Asking for a one-time code (issue #12): one answer and the same work for every reference,
the code sent by a job, at most five a day to one complainant."""

from __future__ import annotations

import datetime as dt
import re

import time_machine

from aduan.extensions import db
from aduan.models import OutboundMessage
from aduan.queues import DEFAULT, get_queue
from tests.web.public.helpers import csrf, file_with_another_agency

SITI = "+60123456789"
SENT = "kami telah menghantar kod"
CAP = "Paling banyak 5 kod dihantar bagi satu aduan dalam sehari"


def _ask(client, token: str, reference: str) -> str:
    response = client.post("/semak/kod", data={"csrf_token": token, "reference": reference})
    assert response.status_code == 200
    return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))


def _run_jobs() -> list[tuple[str, tuple]]:
    queue = get_queue(DEFAULT)
    jobs = [job for job in queue.jobs if job.func_name.endswith("send_status_code")]
    for job in jobs:
        job.perform()
        queue.remove(job)
    return [(job.func_name.rpartition(".")[2], job.args) for job in jobs]


def _codes(handle: str) -> list[str]:
    return list(
        db.session.scalars(
            db.select(OutboundMessage.body).where(
                OutboundMessage.to_handle == handle, OutboundMessage.purpose == "verification"
            )
        )
    )


def test_known_and_unknown_references_get_the_same_answer_and_work(client):
    ours, theirs = file_with_another_agency(client)
    token = csrf(client, "/semak")
    known, unknown = _ask(client, token, ours.reference), _ask(client, token, "ADU-2026-AAAAAA")
    assert known == unknown and SENT in known and CAP in known
    assert _codes(SITI) == []  # nothing looked up or sent while answering
    jobs = _run_jobs()
    assert jobs == [
        ("send_status_code", (ours.reference,)),
        ("send_status_code", ("ADU-2026-AAAAAA",)),
    ]
    (sent,) = _codes(SITI)
    assert sent.startswith(f"Kod pengesahan untuk {ours.reference}: ")
    assert _codes("+60198764321") == []  # the other agency's complainant got nothing
    code = sent.split(": ")[1][:6]
    data = {"csrf_token": token, "reference": ours.reference, "answer": "", "code": code}
    assert client.post("/semak", data=data).status_code == 302


def test_at_most_five_codes_a_day_reach_one_complainant(client):
    ours, theirs = file_with_another_agency(client)
    token = csrf(client, "/semak")
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    pages = set()
    for n in range(6):  # spaced out: the 3-per-10-minutes limit is not what stops the sixth
        with time_machine.travel(start + dt.timedelta(minutes=20 * n), tick=False):
            pages.add(_ask(client, token, ours.reference))
            _run_jobs()
    assert len(pages) == 1  # the sixth answer is the same as the first
    codes = _codes(SITI)
    assert len(codes) == 5 and all(body.startswith("Kod pengesahan untuk") for body in codes)
    with time_machine.travel(start + dt.timedelta(days=1, minutes=1), tick=False):
        _ask(client, token, ours.reference)
        _run_jobs()
    assert len(_codes(SITI)) == 6  # a new day, a new code
    with time_machine.travel(start + dt.timedelta(days=1, minutes=2), tick=False):
        _ask(client, token, theirs.reference)
        _run_jobs()
    assert len(_codes("+60198764321")) == 1  # another agency's complainant has their own cap
