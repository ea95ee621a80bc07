"""Officers' accounts: password hashing (``passwords``), the sign-in check with failure
counting and lock-out (``signin``), signed-in devices (``devices``), changing and resetting
one's own password (``own_password``) and two-factor sign-in with recovery codes
(``two_factor``).
"""
