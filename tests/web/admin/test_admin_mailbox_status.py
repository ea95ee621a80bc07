"""The mailbox configured by ``ADUAN_IMAP_URL`` (no account row): its last poll and last
failure are shown to the admins of the agency its mail goes to, never a password."""

from __future__ import annotations

import html as html_lib

import pytest

from aduan.extensions import db
from aduan.services.channel_config.accounts import save_account
from aduan.services.intake import mail_polling as mail_intake
from tests.builders import gen_agency, gen_officer, gen_unit, login
from tests.web.admin.helpers import setup


@pytest.fixture
def env_mailbox(app_ctx, monkeypatch):
    # A closed port: the poll fails as an unreachable or refusing server would.
    url = "imap://aduan:Rahsia-Peti-9911@127.0.0.1:1/INBOX"
    monkeypatch.setitem(app_ctx.config, "IMAP_URL", url)
    return url


def test_a_failing_environment_mailbox_is_shown_to_the_admins_of_its_agency(client, env_mailbox):
    s = setup(client)  # the first agency: the one ADUAN_IMAP_URL mail goes to
    assert "environment-mailbox" in client.get("/admin/channels").get_data(as_text=True)
    assert mail_intake.environment_status()["last_error"] is None

    assert mail_intake.poll_all() == {"default": 0}
    status = mail_intake.environment_status()
    assert status["last_error"] and status["last_error_at"] and status["last_success_at"] is None
    page = html_lib.unescape(client.get("/admin/channels").get_data(as_text=True))
    row = page[page.index('id="environment-mailbox"') :].split("</tr>")[0]
    assert "ADUAN_IMAP_URL" in row and status["last_error"] in row
    assert "Rahsia-Peti-9911" not in page  # the password in the URL is never shown

    # An admin of another agency does not see it: that mail is not theirs.
    other = gen_agency("LAIN")
    other_admin = gen_officer(other, units=[gen_unit(other, code="HQ2")], roles=("admin",))
    db.session.commit()
    login(client, other_admin)
    assert s.agency.id < other.id
    assert "environment-mailbox" not in client.get("/admin/channels").get_data(as_text=True)


def test_the_environment_mailbox_row_is_not_shown_when_an_account_row_replaces_it(
    client, env_mailbox
):
    s = setup(client)
    save_account(s.agency, "email", {"imap_url": env_mailbox})
    db.session.commit()
    assert "environment-mailbox" not in client.get("/admin/channels").get_data(as_text=True)


def test_a_successful_poll_of_the_environment_mailbox_is_recorded(client, env_mailbox, monkeypatch):
    setup(client)
    from channels.email import EmailAdapter

    monkeypatch.setattr(EmailAdapter, "poll", lambda self, state: ([], {"last_uid": 0}))
    assert mail_intake.poll_all() == {"default": 0}
    status = mail_intake.environment_status()
    assert status["last_success_at"] and status["last_error"] is None
    page = client.get("/admin/channels").get_data(as_text=True)
    assert status["last_success_at"] in page
