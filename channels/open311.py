"""Open311 GeoReport v2 service requests as a channel (``open311``).

A city's app posts ``POST /open311/v2/requests`` with an API token of the agency as its
``api_key``; the view checks the token and the form and stores the filing as an InboundEvent
payload on the agency's own secret-free account (``agency-<id>``), as the web form stores
its own. Nothing reaches this adapter from outside (``verify`` always refuses), and the
payload is the web form's (``channels.web``): the text, the contact given, and ``fields``
(category, type, state, district, priority group, ``latitude``/``longitude`` and
``address``). Every service request is a request of its own: it always opens a new ticket,
never threads into the filer's open one.
"""

from __future__ import annotations

from channels.base import ChannelManifest
from channels.registry import register
from channels.web import FormFilingAdapter


@register
class Open311Adapter(FormFilingAdapter):
    type = "open311"
    display_name = "Open311 (GeoReport v2)"
    # Each agency's account is made by the filing itself (``agency-<id>``), not by an admin;
    # filers are identified by the e-mail or phone they give, answered by e-mail or SMS.
    manifest = ChannelManifest(
        label_en="Open311 app",
        label_ms="Aplikasi Open311",
        identity="open311",
        contact_details=True,
        configurable=False,
    )

    def more_fields(self, payload: dict) -> dict:
        """A service request never continues an earlier one."""
        return {"new_ticket": True}
