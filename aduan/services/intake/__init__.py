"""Intake: from a provider's request to a ticket message. Storing raw events durably
(``inbound``), draining them in slots (``drain``), the pipeline that parses, identifies, threads,
stores and acknowledges one event (``pipeline``, ``identities``, ``placement``), the web form and
counter entry as channels (``web_channel``, ``web_form``, ``counter_entry``), polled mail
(``mail_polling``), attachments, quarantine, and the per-process reference-data cache.
"""
