"""Twilio Voice: a bilingual greeting, then a voicemail that becomes a complaint message.

Call flow:

1. The incoming-call webhook answers with ``answer_call(...)`` TwiML: ``<Say>`` in Malay and
   English, then ``<Record>``. ``split`` returns no event for it (nothing to store yet).
2. When the caller finishes, Twilio posts the ``<Record action>`` callback: the standard call
   parameters (``CallSid``, ``From``, ``To``) plus ``RecordingSid``, ``RecordingUrl`` and
   ``RecordingDuration``. That is the voicemail event (provider_id = RecordingSid); the web view
   answers it with ``thank_you()`` TwiML. The action callback is used rather than
   ``recordingStatusCallback`` because only it carries the caller's number.
3. With transcription on, ``transcribeCallback`` posts ``TranscriptionStatus`` (completed or
   failed) and ``TranscriptionText`` minutes later; it becomes a second message event
   (provider_id = ``<RecordingSid>:transcription``) with ``extra["transcription_of"]`` and
   ``extra["transcription_status"]``, so the core can join it to the voicemail. It carries the
   recording too (``RecordingUrl``): whichever half arrives first makes the ticket message.
   Twilio transcribes only recordings up to 120 s and in English: Malay is best effort.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from twilio.twiml.voice_response import VoiceResponse

from channels.base import (
    ChannelAdapter,
    ChannelError,
    ChannelManifest,
    InboundAttachment,
    InboundMessage,
    OutboundRequest,
    ParseError,
    RawEvent,
    RawRequest,
    SendResult,
    Setting,
    ThreadHints,
    Webhook,
)
from channels.phones import normalise_phone
from channels.registry import register
from channels.twilio_sms import (
    TWILIO_BODY_LIMIT,
    TWILIO_CREDENTIALS,
    check_twilio_account,
    form_of,
    verify_twilio_signature,
)

GREETING_MS = (
    "Selamat datang ke talian aduan. Sila nyatakan aduan anda selepas bunyi bip, "
    "kemudian tekan kekunci pagar atau letakkan telefon."
)
GREETING_EN = (
    "Welcome to the complaints line. Please leave your complaint after the beep, "
    "then press the hash key or hang up."
)
THANKS = "Terima kasih. Aduan anda telah direkodkan. Thank you, your complaint has been recorded."
MAX_RECORDING_SECONDS = 120  # Twilio transcribes recordings up to two minutes only
TRANSCRIPTION_OUTCOMES = ("completed", "failed")


@register
class TwilioVoiceAdapter(ChannelAdapter):
    """Voicemail complaints through Twilio Voice; voice cannot send replies.

    Account keys: ``account_sid`` and ``auth_token`` (signatures, and basic auth for fetching
    the recording), ``transcribe`` (ask Twilio for a transcription; see ``transcribes``),
    ``max_recording_seconds`` (default 120), ``greeting_ms`` / ``greeting_en``
    (optional overrides of the spoken greeting), ``say_voice_ms`` / ``say_voice_en`` (TTS voice
    names, e.g. "Google.ms-MY-Standard-A"; Twilio's default voice does not speak Malay).
    """

    type = "voice"
    media_hosts = ("api.twilio.com", "*.twiliocdn.com")
    display_name = "Voice mail (Twilio)"
    manifest = ChannelManifest(
        label_en="Voicemail",
        label_ms="Mel suara",
        identity="phone",
        credentials=TWILIO_CREDENTIALS,
        settings=(
            Setting("transcribe", "Ask Twilio for a transcription (true/false)"),
            Setting("max_recording_seconds", "Longest message", default="120"),
            Setting("greeting_ms", "Spoken greeting in Bahasa Malaysia"),
            Setting("greeting_en", "Spoken greeting in English"),
            Setting("say_voice_ms", "TTS voice for Bahasa Malaysia"),
            Setting("say_voice_en", "TTS voice for English"),
        ),
        webhooks=(
            Webhook("/twilio/voice", "voice", body_limit=TWILIO_BODY_LIMIT),
            Webhook("/twilio/voice/recording", "voice", body_limit=TWILIO_BODY_LIMIT),
        ),
        reply_via="sms",
    )

    def verify(self, request: RawRequest) -> bool:
        """True when ``X-Twilio-Signature`` matches this account's auth token."""
        return verify_twilio_signature(self.account.get("auth_token", ""), request)

    def check_connection(self) -> str:
        """Fetch the Twilio account itself: its name when the SID and token are right."""
        return check_twilio_account(self.account)

    def transcribes(self) -> bool:
        """``transcribe`` is on: true, 1, yes or ya (an admin types it), or a JSON true."""
        value = self.account.get("transcribe")
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "ya", "on")
        return bool(value)

    def answer_call(self, recording_url: str, transcription_url: str | None = None) -> str:
        """TwiML for an incoming call: greet in BM and EN, then record a voicemail."""
        response = VoiceResponse()
        response.say(self.account.get("greeting_ms", GREETING_MS), **self._voice("ms"))
        response.say(self.account.get("greeting_en", GREETING_EN), **self._voice("en"))
        record: dict[str, Any] = {
            "action": recording_url,
            "method": "POST",
            "max_length": self.account.get("max_recording_seconds", MAX_RECORDING_SECONDS),
            "finish_on_key": "#",
            "play_beep": True,
        }
        if transcription_url:
            record.update(transcribe=True, transcribe_callback=transcription_url)
        response.record(**record)
        return str(response)

    def thank_you(self) -> str:
        """TwiML that answers the recording callback: thank the caller and hang up."""
        response = VoiceResponse()
        response.say(THANKS, **self._voice("ms"))
        response.hangup()
        return str(response)

    def _voice(self, lang: str) -> dict[str, str]:
        # Twilio's basic voices speak no Malay: a Google/Polly voice is set per account.
        attrs = {"language": {"ms": "ms-MY", "en": "en-GB"}[lang]}
        if self.account.get(f"say_voice_{lang}"):
            attrs["voice"] = self.account[f"say_voice_{lang}"]
        return attrs

    def split(self, request: RawRequest) -> list[RawEvent]:
        """The voicemail (action) and transcription callbacks are events; the call itself is not."""
        form = dict(form_of(request))
        recording_sid = form.get("RecordingSid")
        if not recording_sid or not form.get("RecordingUrl"):
            if not form.get("CallSid"):
                raise ParseError("twilio voice webhook without CallSid")
            return []  # the incoming call, or a callback without a recording
        if "TranscriptionStatus" in form or "TranscriptionText" in form:
            if form.get("TranscriptionStatus", "completed") not in TRANSCRIPTION_OUTCOMES:
                return []  # not an outcome (Twilio sends none other today)
            transcription = f"{recording_sid}:transcription"
            return [RawEvent(self.type, "message", transcription, form, sender=form.get("From"))]
        if form.get("RecordingDuration", "1") == "0":
            return []  # the caller hung up before speaking
        return [RawEvent(self.type, "message", recording_sid, form, sender=form.get("From"))]

    def parse(self, event: RawEvent) -> list[InboundMessage]:
        """A voicemail (the recording as an attachment) or its transcription: the text (empty
        when it failed), the same recording, ``transcription_of`` and ``transcription_status``."""
        form = event.payload
        if not form.get("From") or not form.get("RecordingUrl"):
            raise ParseError("twilio recording callback without From or RecordingUrl")
        extra = {key: form[key] for key in ("CallSid", "From", "RecordingDuration") if key in form}
        auth = (self.account.get("account_sid", ""), self.account.get("auth_token", ""))
        recording = InboundAttachment(
            filename=f"{form['RecordingSid']}.wav",
            content_type="audio/wav",
            url=form["RecordingUrl"],  # Twilio serves WAV at the bare URL
            auth=auth,
        )
        text = ""
        if event.provider_id.endswith(":transcription"):
            status = form.get("TranscriptionStatus", "completed")
            extra.update(transcription_of=form["RecordingSid"], transcription_status=status)
            text = form.get("TranscriptionText", "") if status == "completed" else ""
        message = InboundMessage(
            channel=self.type,
            provider_id=event.provider_id,
            sender_handle=normalise_phone(form["From"]),
            text=text,
            received_at=dt.datetime.now(dt.UTC),
            attachments=(recording,),
            hints=ThreadHints(conversation_id=form.get("CallSid")),
            extra=extra,
        )
        return [message]

    def send(self, message: OutboundRequest) -> SendResult:
        """Voice has no outbound messages: the core replies on another channel."""
        raise ChannelError(
            "voice channel cannot send messages", retryable=False, code="unsupported"
        )
