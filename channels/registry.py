"""Maps a channel type to its adapter class. One missing SDK disables one adapter, not the app."""

from __future__ import annotations

import importlib
import logging

from channels.base import ChannelAdapter

log = logging.getLogger(__name__)

_ADAPTERS: dict[str, type[ChannelAdapter]] = {}
_loaded = False

# Modules that register adapters when imported; loaded lazily by ``load_adapters``.
ADAPTER_MODULES: tuple[str, ...] = (
    "channels.email",
    "channels.twilio_sms",
    "channels.twilio_voice",
    "channels.telegram",
    "channels.meta",
    "channels.x",
    "channels.staff_entry",
    "channels.web",
)


def register(adapter: type[ChannelAdapter]) -> type[ChannelAdapter]:
    """Class decorator: make ``adapter`` available under ``adapter.type``."""
    _ADAPTERS[adapter.type] = adapter
    return adapter


def load_adapters(modules: tuple[str, ...] | None = None) -> None:
    global _loaded
    if modules is None:
        _loaded = True
    for name in modules if modules is not None else ADAPTER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # an optional SDK is missing: that adapter is off
            log.warning("channel adapter disabled module=%s error=%s", name, exc)


def get_adapter_class(channel_type: str) -> type[ChannelAdapter]:
    if not _loaded:  # one adapter imported directly must not hide the others
        load_adapters()
    try:
        return _ADAPTERS[channel_type]
    except KeyError:
        raise LookupError(f"no adapter for channel type {channel_type!r}") from None


def adapter_types() -> list[str]:
    if not _loaded:
        load_adapters()
    return sorted(_ADAPTERS)
