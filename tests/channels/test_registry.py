import importlib
import sys

import pytest

from channels import registry
from channels.base import ChannelAdapter


def test_importing_one_adapter_first_does_not_hide_the_others(monkeypatch):
    registry.load_adapters()  # so that undoing the patches restores a full registry
    monkeypatch.setattr(registry, "_ADAPTERS", {})
    monkeypatch.setattr(registry, "_loaded", False)
    for name in registry.ADAPTER_MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    importlib.import_module("channels.email")  # a direct import registers only "email"
    assert set(registry._ADAPTERS) == {"email"}
    assert {"email", "sms", "whatsapp", "telegram", "messenger", "x"} <= set(
        registry.adapter_types()
    )


def test_every_adapter_declares_a_manifest_with_an_identity_and_a_label():
    for channel, manifest in registry.manifests().items():
        assert manifest.identity, channel
        assert manifest.label_en and manifest.label_ms, channel


def test_an_adapter_without_a_manifest_is_refused():
    class Bare(ChannelAdapter):
        type = "bare"

    with pytest.raises(TypeError):
        registry.register(Bare)
    assert "bare" not in registry.adapter_types()


def test_secrets_and_environment_names_come_from_the_manifests():
    assert {"auth_token", "bot_token", "app_secret", "imap_url"} <= registry.secret_keys()
    assert "account_sid" not in registry.secret_keys()
    assert registry.manifest("sms").environment()["auth_token"] == "TWILIO_AUTH_TOKEN"
    names = registry.environment_names()
    assert names.count("TWILIO_ACCOUNT_SID") == 1  # shared by SMS, WhatsApp and voice


def test_channels_where_answers_from_the_manifests_in_registry_order():
    assert registry.channels_where(session_window=True) == ("whatsapp", "whatsapp_cloud")
    assert registry.channels_where(bot="commands") == ("sms", "whatsapp", "whatsapp_cloud")
