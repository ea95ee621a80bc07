"""Event webhooks out: an agency's URLs told of its tickets' events. Which TicketEvent kinds
become which webhook events, and the delivery rows made when the ticket's transaction commits
(``events``); the subscription's secret and URL rules (``subscriptions``); the signature
(``signing``); the SSRF-safe POST (``sending``); attempts, back-off and the re-drive of due rows
(``delivery``). Imports no other service: ``tickets.workflow.record_event`` is the one hook.
"""
