"""Child processes that the launcher alone controls.

Each child gets its own session, so a terminal's Ctrl-C reaches only the launcher, which then
stops the children in order (web, worker, then Redis). On Linux a child also asks the kernel to
send it SIGTERM if its parent dies, so nothing outlives a launcher that was killed outright.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys

_PR_SET_PDEATHSIG = 1


def _detach_and_follow_parent() -> None:  # runs in the child, between fork and exec
    import os

    os.setsid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(args: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(args, preexec_fn=_detach_and_follow_parent, **kwargs)  # noqa: PLW1509
