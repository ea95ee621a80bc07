"""A fake X API v2: ``POST /2/dm_conversations/with/{participant_id}/messages``.

Modes: "ok", "403" (not permitted), "429" (rate limited), "500".
"""

from __future__ import annotations

import uuid

from flask import Flask, jsonify, request

from tests.fakes.server import FakeServer, current


def _create_app() -> Flask:
    app = Flask("fake_x")

    @app.post("/2/dm_conversations/with/<participant_id>/messages")
    def send_dm(participant_id: str):
        mode = current().mode
        if mode in ("403", "429", "500"):
            return jsonify({"title": "error", "status": int(mode)}), int(mode)
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return jsonify({"title": "Unauthorized", "status": 401}), 401
        data = {"dm_conversation_id": f"1-{participant_id}", "dm_event_id": uuid.uuid4().hex[:19]}
        return jsonify({"data": data}), 201

    return app


def fake_x() -> FakeServer:
    """A not-yet-started fake X API."""
    return FakeServer(_create_app())
