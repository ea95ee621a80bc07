"""Channel accounts: each adapter's settings per agency (secrets encrypted at rest, health
recorded) in ``accounts``, and which adapter and agency serve an incoming account in ``lookup``.
"""
