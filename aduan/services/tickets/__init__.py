"""A ticket's life: opening it (``opening``, ``references``), the only door for status
(``workflow``), routing to a unit and the duty roster (``routing``, ``roster``), its deadlines
through the SLA clock (``deadlines``, ``extending``), merging, and who may see and change it
(``access``, the one scope rule), and each officer's kept open-ticket count (``loads``).
"""
