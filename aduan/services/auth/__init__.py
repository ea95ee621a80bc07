"""Officers signing in: password hashing (``passwords``) and the sign-in check with failure
counting and lock-out (``signin``).
"""
