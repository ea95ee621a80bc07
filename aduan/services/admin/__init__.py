"""An agency admin's settings, each write validated, scoped to the admin's agency and audited:
agency, units, officers, roster, categories and SLA profiles, routing rules, office closures
(``closures``), canned responses and channel accounts (``common`` holds what they share); the
national calendar's overrides, which only a platform administrator writes (``holidays``, and
``platform_admins``: who holds that role); setting up an agency, the demo data and the health
report.
"""
