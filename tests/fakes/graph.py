"""A fake Meta Graph API: WhatsApp Cloud ``/{phone_number_id}/messages``, ``/me/messages``
and media lookup/download.

Modes: "ok", "131047" (400, outside the WhatsApp window), "500", "ratelimit" (400, code 4),
"window_closed" (WhatsApp outside the 24-hour window: 131047 for anything but a template).
Media is served from ``server.media[media_id] = (bytes, mime_type)``.
"""

from __future__ import annotations

import uuid

from flask import Flask, abort, jsonify, request

from tests.fakes.server import FakeServer, current

_ERRORS = {
    "131047": (400, 131047, "Re-engagement message"),
    "ratelimit": (400, 4, "Application request limit reached"),
    "500": (500, 1, "An unknown error occurred"),
}


def _create_app(media: dict[str, tuple[bytes, str]]) -> Flask:
    app = Flask("fake_graph")

    @app.before_request
    def errors():
        mode = current().mode
        if mode == "window_closed":
            body = request.get_json(silent=True) or {}
            mode = "ok" if body.get("type") == "template" else "131047"
        if mode in _ERRORS and request.method == "POST":
            status, code, message = _ERRORS[mode]
            error = {"message": message, "type": "OAuthException", "code": code}
            return jsonify({"error": error}), status
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return jsonify({"error": {"message": "no token", "code": 190}}), 401
        return None

    @app.post("/<version>/me/messages")
    def send_messaging(version: str):
        recipient = (request.get_json() or {}).get("recipient", {}).get("id")
        return jsonify({"recipient_id": recipient, "message_id": "m_" + uuid.uuid4().hex})

    @app.post("/<version>/<phone_number_id>/messages")
    def send_whatsapp(version: str, phone_number_id: str):
        body = request.get_json() or {}
        to = body.get("to")  # a phone number; a business-scoped user id comes as ``recipient``
        contact = {"input": to, "wa_id": to} if to else {"input": body.get("recipient")}
        if not to:
            contact["user_id"] = body.get("recipient")
        return jsonify(
            {
                "messaging_product": "whatsapp",
                "contacts": [contact],
                "messages": [{"id": "wamid." + uuid.uuid4().hex}],
            }
        )

    @app.get("/<version>/<media_id>")
    def media_info(version: str, media_id: str):
        if media_id not in media:
            abort(404)
        data, mime_type = media[media_id]
        url = f"{current().url}/media-download/{media_id}"
        return jsonify({"url": url, "mime_type": mime_type, "file_size": len(data), "id": media_id})

    @app.get("/media-download/<media_id>")
    def media_download(media_id: str):
        data, mime_type = media[media_id]
        return data, 200, {"Content-Type": mime_type}

    return app


def fake_graph() -> FakeServer:
    """A not-yet-started fake Graph API; ``server.media`` maps media ids to (bytes, mime)."""
    media: dict[str, tuple[bytes, str]] = {}
    server = FakeServer(_create_app(media))
    server.media = media  # type: ignore[attr-defined]
    return server
