"""Agency settings for WhatsApp: the templates in BM and EN, and how long a held message waits."""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models import Agency
from tests.web.admin.helpers import post, setup

AGENCY_FORM = {
    "name": "Majlis Baharu",
    "office_open": "08:30",
    "office_close": "16:30",
    "thread_window_days": "5",
}


def saved_settings(agency_id: int) -> dict:
    agency = db.session.get(Agency, agency_id)
    db.session.refresh(agency)
    return agency.settings


def test_whatsapp_templates_in_both_languages_are_saved(client):
    s = setup(client)
    page = client.get("/admin/agency").get_data(as_text=True)
    for name in ("whatsapp_notice_template", "whatsapp_notice_template_en",
                 "whatsapp_cloud_ack_template", "whatsapp_cloud_ack_template_en"):  # fmt: skip
        assert f'name="{name}"' in page
    assert "Templat WhatsApp mesej baharu (BI)" in page  # labelled per language, in BM
    data = {
        **AGENCY_FORM,
        "whatsapp_notice_template": "HXms",
        "whatsapp_notice_template_en": "HXen",
        "whatsapp_cloud_ack_template_en": "aduan_received",
    }
    assert post(client, "/admin/agency", data).status_code == 303
    settings = saved_settings(s.agency.id)
    assert settings["whatsapp_notice_template"] == "HXms"
    assert settings["whatsapp_notice_template_en"] == "HXen"
    assert settings["whatsapp_cloud_ack_template_en"] == "aduan_received"
    assert not settings["whatsapp_cloud_ack_template"]  # blank: the EN one stands in
    assert 'value="HXen"' in client.get("/admin/agency").get_data(as_text=True)


def test_the_expiry_of_held_messages_is_a_setting_with_a_default(client):
    s = setup(client)
    page = client.get("/admin/agency").get_data(as_text=True)
    assert 'name="whatsapp_held_expiry_days"' in page and 'value="3"' in page  # the default
    assert post(client, "/admin/agency", AGENCY_FORM).status_code == 303  # left blank
    assert saved_settings(s.agency.id)["whatsapp_held_expiry_days"] == 3

    data = {**AGENCY_FORM, "whatsapp_held_expiry_days": "5"}
    assert post(client, "/admin/agency", data).status_code == 303
    assert saved_settings(s.agency.id)["whatsapp_held_expiry_days"] == 5
    assert 'value="5"' in client.get("/admin/agency").get_data(as_text=True)

    bad = post(client, "/admin/agency", {**data, "whatsapp_held_expiry_days": "0"})
    assert bad.status_code == 422
    assert 'id="whatsapp_held_expiry_days-error"' in bad.get_data(as_text=True)


def test_a_template_saved_before_the_100_character_limit_is_named_with_its_length(client):
    s = setup(client)
    long_name = "aduan_" + "x" * 144  # 150 characters, accepted when the limit was 200
    s.agency.settings = {**s.agency.settings, "whatsapp_cloud_notice_template": long_name}
    db.session.commit()
    data = {**AGENCY_FORM, "name": "Nama Baharu", "whatsapp_cloud_notice_template": long_name}
    page = post(client, "/admin/agency", data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    errors = re.findall(r'<p class="field-error" id="([^"]+)-error">([^<]*)</p>', html)
    assert [name for name, _ in errors] == ["whatsapp_cloud_notice_template"]  # that one alone
    message = errors[0][1]
    assert "100" in message and "150" in message  # the limit, and how long it is
    assert long_name in html  # shown as it is, nothing cut off
    db.session.expire_all()
    assert db.session.get(Agency, s.agency.id).name != "Nama Baharu"

    data["whatsapp_cloud_notice_template"] = "aduan_mesej_baharu"
    assert post(client, "/admin/agency", data).status_code == 303
    assert db.session.get(Agency, s.agency.id).name == "Nama Baharu"
