"""An agency admin's settings, each write validated, scoped to the admin's agency and audited:
agency, units, officers, roster, categories and SLA profiles, routing rules, holidays, canned
responses and channel accounts (``common`` holds what they share); setting up an agency, the demo
data and the health report.
"""
