"""Service quality beyond complaints (issue #18), measured from the customer's side.

- ``service_points``: counters, branches, hotlines and web services the public rates; their
  short links, kiosk keys and printable QR posters (``poster``).
- ``ratings``: the one-screen rating (1–5, comment, contact), its abuse rules, and the
  complaint opened from a low rating (``rating_tickets``).
- ``checklists``: questions by section (the 8S and the counter/telephone standards as a
  template), for mystery shopping and the satisfaction study.
- ``exercises``: mystery-shopping exercises, shoppers' time-limited links, their visits
  (de-duplicated by the phone's submission id); ``analysis`` and ``actions``: the findings
  per point and section, and the action plan tracked to done.
- ``study``: the yearly satisfaction study sent to a sample of the year's complainants.
- ``figures``: the numbers for reports — per agency, period, service point and month.
"""
