import importlib
import sys

from channels import registry


def test_importing_one_adapter_first_does_not_hide_the_others(monkeypatch):
    monkeypatch.setattr(registry, "_ADAPTERS", {})
    monkeypatch.setattr(registry, "_loaded", False)
    for name in registry.ADAPTER_MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    importlib.import_module("channels.email")  # a direct import registers only "email"
    assert set(registry._ADAPTERS) == {"email"}
    assert {"email", "sms", "whatsapp", "telegram", "messenger", "x"} <= set(
        registry.adapter_types()
    )
