"""Provider webhooks. Thin: build a RawRequest, call ``inbound.accept``, answer the provider.

CSRF-exempt: every request is verified by its provider signature instead. A route an adapter's
manifest declares is served by ``declared`` (answer ``{"ok": true}``) unless a view below
gives it the special answer its provider needs (TwiML, handshakes).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, request

from aduan.extensions import csrf, limiter
from aduan.services.intake import inbound
from channels.base import RawRequest, Webhook
from channels.registry import webhooks as declared_webhooks

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)


@limiter.request_filter
def _provider_webhook() -> bool:
    """Providers are not rate-limited per address (they send from a few addresses at any
    rate; every request is verified by its signature): skip the limiter's evaluation."""
    return request.blueprint == bp.name


EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def raw_request() -> RawRequest:
    """The request as the provider sent it, at the public URL it called (never request.url)."""
    url = current_app.config["PUBLIC_BASE_URL"] + request.path
    query = request.query_string.decode("latin-1")
    if query:
        url += "?" + query
    return RawRequest(
        method=request.method,
        url=url,
        headers=dict(request.headers),
        body=request.get_data(cache=True),
        form=request.form.to_dict() if request.mimetype.endswith("form-urlencoded") else {},
        query=request.args.to_dict(),
    )


def _accept(channel: str, account_key: str) -> inbound.Outcome:
    if (request.content_length or 0) > inbound.body_limit(channel):
        abort(413)
    outcome = inbound.accept(channel, account_key, raw_request())
    if outcome.status != 200:
        abort(outcome.status)
    return outcome


def _twiml(xml: str = EMPTY_TWIML) -> Response:
    return Response(xml, mimetype="text/xml")


def _key(route):
    """Register ``route`` with and without a trailing ``/<account_key>``."""
    return [route, route + "/<account_key>"]


def _route(rules, **options):
    def decorator(view):
        for rule in rules:
            bp.add_url_rule(rule, view_func=view, **options)
        return view

    return decorator


@_route(_key("/twilio/sms"), methods=["POST"])
def twilio_sms(account_key: str = "default"):
    _accept("sms", account_key)
    return _twiml()


@_route(_key("/twilio/whatsapp"), methods=["POST"])
def twilio_whatsapp(account_key: str = "default"):
    _accept("whatsapp", account_key)
    return _twiml()


@_route(_key("/twilio/status"), methods=["POST"])
def twilio_status(account_key: str = "default"):
    _accept("twilio_status", account_key)
    return _twiml()


@_route(_key("/twilio/voice"), methods=["POST"])
def twilio_voice(account_key: str = "default"):
    outcome = _accept("voice", account_key)
    recording = current_app.config["PUBLIC_BASE_URL"] + "/webhooks/twilio/voice/recording"
    if account_key != "default":
        recording += f"/{account_key}"
    transcription = recording if outcome.adapter.transcribes() else None
    return _twiml(outcome.adapter.answer_call(recording, transcription))


@_route(_key("/twilio/voice/recording"), methods=["POST"])
def twilio_voice_recording(account_key: str = "default"):
    outcome = _accept("voice", account_key)
    return _twiml(outcome.adapter.thank_you())


@_route(_key("/telegram"), methods=["POST"])
def telegram(account_key: str = "default"):
    _accept("telegram", account_key)
    return jsonify(ok=True)


@_route(_key("/meta"), methods=["GET", "POST"])
def meta(account_key: str = "default"):
    if request.method == "GET":
        challenge = inbound.meta_challenge(account_key, request.args.to_dict())
        if challenge is None:
            abort(403)
        return Response(challenge, mimetype="text/plain")
    _accept("meta", account_key)
    return jsonify(ok=True)


@_route(_key("/x"), methods=["GET", "POST"])
def x(account_key: str = "default"):
    if request.method == "GET":
        answer = inbound.x_crc(account_key, request.args.get("crc_token", ""))
        if answer is None:
            abort(403)
        return jsonify(answer)
    _accept("x", account_key)
    return jsonify(ok=True)


@bp.route("/<path:route>", methods=["GET", "POST"])
def declared(route: str):
    """Any other route an adapter's manifest declares (``Webhook``), with or without a
    trailing ``/<account_key>``: accept the POST, answer ``{"ok": true}``."""
    hook, account_key = _declared_hook("/" + route)
    if hook is None or request.method not in hook.methods:
        abort(404)
    if request.method != "POST":
        abort(405)  # a GET handshake needs a provider-specific view above
    _accept(hook.endpoint, account_key)
    return jsonify(ok=True)


def _declared_hook(path: str) -> tuple[Webhook | None, str]:
    hooks = declared_webhooks()
    if path in hooks:
        return hooks[path], "default"
    head, _, account_key = path.rpartition("/")
    return hooks.get(head), account_key
