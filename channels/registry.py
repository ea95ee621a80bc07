"""Maps a channel type to its adapter class. One missing SDK disables one adapter, not the app.

Each adapter declares a ``ChannelManifest``; the questions the core asks about channels in
general (which settings are secret, which environment variables exist, which channels share
an identity) are answered here from those manifests, so a new channel is one adapter module
and one line in ``ADAPTER_MODULES``.
"""

from __future__ import annotations

import importlib
import logging

from channels.base import ChannelAdapter, ChannelManifest, Webhook

log = logging.getLogger(__name__)

_ADAPTERS: dict[str, type[ChannelAdapter]] = {}
_loaded = False

# Modules that register adapters when imported; loaded lazily by ``load_adapters``.
ADAPTER_MODULES: tuple[str, ...] = (
    "channels.web",
    "channels.email",
    "channels.twilio_sms",
    "channels.twilio_voice",
    "channels.telegram",
    "channels.meta",
    "channels.x",
    "channels.staff_entry",
    "channels.open311",
)


def register(adapter: type[ChannelAdapter]) -> type[ChannelAdapter]:
    """Class decorator: make ``adapter`` available under ``adapter.type``."""
    if not isinstance(getattr(adapter, "manifest", None), ChannelManifest):
        raise TypeError(f"adapter {adapter.__name__} declares no ChannelManifest")
    _ADAPTERS[adapter.type] = adapter
    return adapter


def unregister(channel_type: str) -> None:
    """Forget the adapter registered under ``channel_type`` (a plug-in switched off, tests)."""
    _ADAPTERS.pop(channel_type, None)


def load_adapters(modules: tuple[str, ...] | None = None) -> None:
    """Import the adapter modules (all of ``ADAPTER_MODULES`` by default) so they register."""
    global _loaded
    if modules is None:
        _loaded = True
    for name in modules if modules is not None else ADAPTER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # an optional SDK is missing: that adapter is off
            log.warning("channel adapter disabled module=%s error=%s", name, exc)


def get_adapter_class(channel_type: str) -> type[ChannelAdapter]:
    """The adapter class for ``channel_type``; LookupError when none is registered."""
    if not _loaded:  # one adapter imported directly must not hide the others
        load_adapters()
    try:
        return _ADAPTERS[channel_type]
    except KeyError:
        raise LookupError(f"no adapter for channel type {channel_type!r}") from None


def adapter_types() -> list[str]:
    """Every registered channel type, sorted by name."""
    return sorted(manifests())


def manifests() -> dict[str, ChannelManifest]:
    """Channel type → manifest, in ``ADAPTER_MODULES`` order, adapters registered later last."""
    if not _loaded:
        load_adapters()
    order = {name: i for i, name in enumerate(ADAPTER_MODULES)}
    ranked = sorted(_ADAPTERS.values(), key=lambda a: order.get(a.__module__, len(order)))
    return {adapter.type: adapter.manifest for adapter in ranked}


def manifest(channel_type: str) -> ChannelManifest:
    """The manifest of ``channel_type``; LookupError when no adapter is registered for it."""
    return get_adapter_class(channel_type).manifest


def channels_where(**flags: object) -> tuple[str, ...]:
    """The channel types whose manifest has each of ``flags`` (``replies=True``…), in order."""
    return tuple(
        channel
        for channel, m in manifests().items()
        if all(getattr(m, name) == value for name, value in flags.items())
    )


def secret_keys() -> frozenset[str]:
    """Every setting key that some channel declares secret (encrypted at rest, masked)."""
    return frozenset().union(*(m.secret_keys() for m in manifests().values()))


def environment_names() -> tuple[str, ...]:
    """Every environment variable (without ``ADUAN_``) that fills a default account."""
    names = (name for m in manifests().values() for name in m.environment().values())
    return tuple(dict.fromkeys(names))


def webhooks() -> dict[str, Webhook]:
    """Path → webhook for every route the registered adapters declare (shared ones once)."""
    return {hook.path: hook for m in manifests().values() for hook in m.webhooks}
