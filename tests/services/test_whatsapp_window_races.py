"""Two workers at once on one complainant's WhatsApp window: held replies sent together get one
notice template, and a reply decided while the complainant's message is being stored is not
left held. Each interleaving is forced: one transaction is paused at the racy point while the
other runs, and let go once the other finished or waits on a lock."""

from __future__ import annotations

import threading
import time

from aduan.extensions import db
from aduan.models import OutboundMessage
from aduan.services.intake import pipeline as intake
from aduan.services.outbox import delivery as outbound
from aduan.services.outbox import replies, whatsapp_window
from tests.builders import gen_officer
from tests.services import test_whatsapp_window as window
from tests.services.intake_builders import whatsapp_event
from tests.services.test_whatsapp_window import close_the_window, notices, whatsapp_ticket

accounts, agency, twilio = window.accounts, window.agency, window.twilio


class Pause:
    """Wraps ``func`` so its first call stops (after running) until ``go`` is set."""

    def __init__(self, func, before: bool = False):
        self.func, self.before = func, before
        self.reached, self.go = threading.Event(), threading.Event()

    def __call__(self, *args, **kwargs):
        first = not self.reached.is_set()
        if first and self.before:
            self._stop()
        result = self.func(*args, **kwargs)
        if first and not self.before:
            self._stop()
        return result

    def _stop(self) -> None:
        self.reached.set()
        assert self.go.wait(20), "never let go"


def in_thread(app, func, *args) -> tuple[threading.Thread, list]:
    errors: list = []

    def run():
        with app.app_context():
            try:
                func(*args)
            except Exception as exc:  # reported by the test
                errors.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


def finished_or_waiting(thread: threading.Thread, timeout: float = 10) -> None:
    """Until ``thread`` ended or some transaction waits on a lock (the one it takes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and thread.is_alive():
        with db.engine.connect() as conn:
            if conn.scalar(db.text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
                return
        time.sleep(0.02)


def test_two_held_replies_sent_at_once_get_one_notice(app_ctx, agency, twilio, monkeypatch):
    ticket = whatsapp_ticket()
    close_the_window()
    officer = gen_officer(agency)
    first = replies.queue_reply(ticket, officer, "Pasukan kami akan datang esok.")
    second = replies.queue_reply(ticket, officer, "Sila hantar gambar lokasi.")
    ids = [first.id, second.id]
    db.session.remove()

    pause = Pause(whatsapp_window._new_notice)  # the first notice made, not yet committed
    monkeypatch.setattr(whatsapp_window, "_new_notice", pause)
    one, errors_one = in_thread(app_ctx, outbound.deliver, ids[0])
    assert pause.reached.wait(20)
    two, errors_two = in_thread(app_ctx, outbound.deliver, ids[1])
    finished_or_waiting(two)
    pause.go.set()
    one.join(20), two.join(20)

    assert errors_one == errors_two == []
    assert {db.session.get(OutboundMessage, i).state for i in ids} == {"held"}
    assert len(notices()) == 1  # one paid template, not one per worker


def test_a_reply_held_while_the_complainant_writes_is_released(
    app_ctx, agency, twilio, monkeypatch
):
    ticket = whatsapp_ticket()
    close_the_window()
    reply = replies.queue_reply(ticket, gen_officer(agency), "Kontraktor dihantar hari ini.")
    reply_id, event_id = reply.id, whatsapp_event("Helo, ada berita?", "SM" + "9" * 32).id
    db.session.remove()

    # The complainant's message is stored (window reopened, held rows looked for), not committed.
    pause = Pause(intake.store_attachments)
    monkeypatch.setattr(intake, "store_attachments", pause)
    inbound, errors_in = in_thread(app_ctx, intake.process_event, event_id)
    assert pause.reached.wait(20)
    sender, errors_out = in_thread(app_ctx, outbound.deliver, reply_id)
    finished_or_waiting(sender)
    pause.go.set()
    inbound.join(20), sender.join(20)

    assert errors_in == errors_out == []
    row = db.session.get(OutboundMessage, reply_id)
    if row.state == "queued":  # released after it was held: its job sends it
        row = outbound.deliver(reply_id)
    assert row.state == "sent"
    assert twilio.last("/Messages.json").form["Body"] == "Kontraktor dihantar hari ini."
