"""``make run`` starts quietly (issue #17 item 9): the banner and the demo sign-ins appear only
when the server already answers — a browser opened at that moment signs in with a sign-in read
from the banner — and the worker's per-job lines go to instance/logs/worker.log, not the
console."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from playwright.sync_api import expect

BANNER = "Aduan is running on"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Console:
    """The launcher's output, collected by a thread (a pipe read line by line from the test
    itself could stall on what the text wrapper has already buffered)."""

    def __init__(self, proc):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc) -> None:
        for line in proc.stdout:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)

    def wait_for_banner(self, proc, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = self.text()
            if BANNER in text and text.count("=" * 68) >= 2:
                return text
            assert proc.poll() is None, text
            time.sleep(0.2)
        raise AssertionError("no banner:\n" + self.text())


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_the_banner_and_demo_sign_ins_come_when_the_server_listens_and_workers_log_to_a_file(
    page, tmp_path
):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
    env["ADUAN_INSTANCE_DIR"] = str(tmp_path)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aduan.devrun", "--port", str(port), "--demo-tickets", "10"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        output = Console(proc)
        console = output.wait_for_banner(proc, 300)
        assert _listening(port), "the banner came before the server listened"
        match = re.search(r"^\s+(pegawai)\s+(\S+)\s+\[officer\]", console, re.MULTILINE)
        assert match, console
        page.goto(f"http://127.0.0.1:{port}/login")
        page.fill("#username", match.group(1))
        page.fill("#password", match.group(2))
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/inbox$"))
        expect(page.locator("tr.ticket-row").first).to_be_visible()
        log_file = tmp_path / "logs" / "worker.log"
        assert f"Worker and scheduler log: {log_file}" in console
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "Worker" not in log_file.read_text():
            time.sleep(0.5)
        assert "Worker" in log_file.read_text()  # RQ's own lines, in the file
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    output.thread.join(timeout=10)
    console = output.text()
    assert "Traceback" not in console, console
    assert not re.search(r"Job OK|Successfully completed|default: ", console), console
    assert "Aduan stopped." in console
