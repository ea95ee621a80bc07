"""Channel accounts stay inside their agency: another agency cannot claim, shadow or switch
off the deployment's own accounts (key ``default``, configured by the environment), nor take a
key another agency uses, nor see or edit another agency's accounts."""

import pytest

from aduan.extensions import db
from aduan.models import ChannelAccount, Ticket
from aduan.services.admin import channels as admin_channels
from aduan.services.channel_config import accounts
from aduan.services.channel_config.lookup import agency_for
from tests.builders import gen_agency, gen_officer, gen_unit, login
from tests.web.admin.helpers import post
from tests.web.public.helpers import complaint, csrf, setup_agency

ENVIRONMENT = {
    "TWILIO_ACCOUNT_SID": "AC-agency-a",
    "TWILIO_AUTH_TOKEN": "twilio-secret-of-a",
    "TWILIO_SMS_NUMBER": "+60300000001",
    "SMTP_URL": "smtp://a:pw-of-a@mail.a.test",
}


def _agency_b_admin(client):
    agency_b = gen_agency(code="B")
    admin_b = gen_officer(agency_b, units=[gen_unit(agency_b)], roles=("admin",))
    db.session.commit()
    login(client, admin_b)
    return agency_b


def _file_on_the_public_form(client, category):
    response = client.post("/aduan/baru", data=complaint(csrf(client), category))
    assert response.status_code == 200, response.get_data(as_text=True)
    return db.session.scalars(db.select(Ticket).order_by(Ticket.id.desc())).first()


@pytest.mark.parametrize("channel", admin_channels.channels())
def test_another_agency_cannot_create_the_default_account_of_any_channel(client, channel):
    agency_a, _ = setup_agency()  # the first agency: the default one
    _agency_b_admin(client)
    response = post(
        client, f"/admin/channels/new/{channel}?lang=ms", {"account_key": "default", "active": "1"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="account_key-error"' in html
    assert "akaun sistem ini sendiri" in html  # a clear reason, in Bahasa Malaysia
    assert db.session.scalar(db.select(db.func.count(ChannelAccount.id))) == 0


def test_public_form_complaints_stay_with_the_default_agency(client):
    agency_a, category = setup_agency()
    _agency_b_admin(client)
    post(client, "/admin/channels/new/web", {"account_key": "default", "active": "1"})
    ticket = _file_on_the_public_form(client, category)
    assert ticket.agency_id == agency_a.id


def test_a_default_row_of_another_agency_neither_captures_nor_stops_intake(client):
    """Rows made before the rule: they are ignored, whatever they say."""
    agency_a, category = setup_agency()
    agency_b = gen_agency(code="B")
    for channel in ("web", "sms", "telegram"):
        row = ChannelAccount(channel=channel, account_key="default", settings={}, poll_state={})
        row.agency_id, row.active = agency_b.id, False
        db.session.add(row)
    db.session.commit()
    assert agency_for("sms", "default").id == agency_a.id
    ticket = _file_on_the_public_form(client, category)  # no "web/default is inactive"
    assert ticket is not None and ticket.agency_id == agency_a.id


def test_environment_secrets_are_never_merged_under_another_agencys_row(app_ctx):
    gen_agency(code="A")
    agency_b = gen_agency(code="B")
    app_ctx.config.update(ENVIRONMENT)
    try:
        db.session.add(ChannelAccount(channel="sms", account_key="default", agency_id=agency_b.id,
                                      settings=accounts.encrypt_settings({"sms_number": "+6011"}),
                                      poll_state={}, active=True))  # fmt: skip
        db.session.commit()
        settings = accounts.account_settings("sms", "default")
        assert settings["sms_number"] == "+60300000001"  # A's own number, not B's row
        assert accounts.serving_account("sms") is None
    finally:
        for name in ENVIRONMENT:
            app_ctx.config.pop(name)


def test_a_key_another_agency_uses_on_any_channel_is_refused(client):
    agency_a, _ = setup_agency()
    db.session.refresh(agency_a)
    accounts.save_account(agency_a, "sms", {"account_sid": "AC1"}, key="mbpj")
    db.session.commit()
    _agency_b_admin(client)
    for channel in ("sms", "whatsapp"):
        response = post(client, f"/admin/channels/new/{channel}?lang=ms", {"account_key": "mbpj"})
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and "Agensi lain menggunakan kunci ini" in html
    response = post(client, "/admin/channels/new/sms", {"account_key": "agency-1"})
    assert response.status_code == 422
    rows = db.session.scalars(db.select(ChannelAccount.agency_id)).all()
    assert rows == [agency_a.id]


def test_the_default_agency_may_keep_its_own_default_account(client):
    agency_a, _ = setup_agency()
    admin_a = gen_officer(agency_a, roles=("admin",))
    gen_agency(code="B")
    db.session.commit()
    login(client, admin_a)
    response = post(
        client, "/admin/channels/new/telegram", {"account_key": "default", "active": "1"}
    )
    assert response.status_code == 303
    row = db.session.scalar(db.select(ChannelAccount))
    assert (row.agency_id, row.account_key) == (agency_a.id, "default")


def test_an_admin_sees_and_edits_only_their_agencys_accounts(client):
    agency_a, _ = setup_agency()
    db.session.refresh(agency_a)
    row = accounts.save_account(agency_a, "telegram", {"bot_token": "1:" + "a" * 30}, key="kl")
    db.session.commit()
    _agency_b_admin(client)
    assert client.get(f"/admin/channels/{row.id}").status_code == 404
    assert client.post(f"/admin/channels/{row.id}", data={"active": ""}).status_code in (400, 404)
    assert "kl" not in [
        a["account_key"] for a in client.get("/api/admin/channel-accounts").json["items"]
    ]
    db.session.refresh(row)
    assert row.active is True


def test_save_account_never_moves_another_agencys_row(app_ctx):
    agency_a, agency_b = gen_agency(), gen_agency()
    db.session.refresh(agency_a)
    accounts.save_account(agency_a, "telegram", {"bot_token": "1:a"}, key="kl")
    db.session.refresh(agency_b)
    with pytest.raises(accounts.AccountTaken):
        accounts.save_account(agency_b, "telegram", {"bot_token": "1:b"}, key="kl")
