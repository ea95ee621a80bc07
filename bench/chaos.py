"""Chaos benchmark (issue #13): signed webhooks on every channel while processes die.

Everything runs on this machine, on servers of its own: a PostgreSQL cluster (initdb into a
temporary folder, its own port), a redis-server (its own port, no persistence: a restart
loses every queue and key), and the production processes as README's "Running at scale"
starts them — gunicorn (3 gthread workers × 4 threads), ``flask --app wsgi worker
--with-scheduler`` × 2 and ``flask --app wsgi scheduler`` — under a small supervisor that
restarts a process 2 s after it dies (deploy/'s ``RestartSec=2``). Outbound replies go to the
test suite's fake Twilio, Telegram and Graph servers on 127.0.0.1 (nothing leaves the machine).

The sender: N messages (default 10,000; ``--quick`` 1,000) from many senders (3,000; quick
300) over SMS, WhatsApp (Twilio), WhatsApp (Meta Cloud API), Telegram and Messenger, each
signed as its provider signs. A sender's next message leaves only once the previous one was
answered 2xx (providers keep a chat's order). Every non-2xx answer or connection error is
retried with exponential backoff (0.5 s doubling to 15 s, at most 10 attempts). 20% of the
messages are delivered twice: half of them concurrently (both copies at once), half later
(``--later-after`` seconds after the original; in quick mode after the faults).

Phases, one clock:
  A  no faults                      (30 s; quick 10 s)
  B  a worker SIGKILLed every ~10 s  (quick 30 s; full: as long as the offered rate needs to
     send the N messages by the end of C — 280 s at the full run's 30 msg/s), restarted by
     the supervisor
  C  kills go on; Redis stopped for 10 s and started empty; PostgreSQL stopped (fast) and
     started 5 s later
then: wait for quiet (every event processed or quarantined, no outbound row due and queued,
RQ queues empty), send the later duplicates, wait for quiet again, and check the database.
The sender offers each phase's share of the messages at an even rate, but never more than
``--max-ahead`` unprocessed events ahead of the workers, so both A and B run close to what the
workers can process and the B/A throughput ratio compares like with like.

The offered rate: quick, N / the phases (15.9/s); full, ``FULL_RATE`` (30 msg/s), below what
two workers clear on the 2-core reference machine with no fault (about 40/s, phase A of a run
offered more). Offered more than that, the workers fall behind from the start and "time to
quiet after the last fault" measures the backlog the sender built, not the recovery; the
capacity itself is ``bench/ingest.py``'s to measure. ``--rate 88.5`` (with ``--kill-seconds
60``) reproduces the earlier overload run.

Usage: .venv/bin/python bench/chaos.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import base64
import collections
import concurrent.futures as cf
import contextlib
import dataclasses
import datetime as dt
import glob
import hashlib
import hmac
import http.client
import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg
import redis
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, free_port, wait_for  # noqa: E402

# Channel secrets, as bench/ingest.py sets the Twilio ones (the environment's default accounts).
TWILIO_SID = "AC" + "c" * 32
TWILIO_TOKEN = "chaos-twilio-token-0123456789abcdef"
SMS_NUMBER = "+60300000000"
WA_NUMBER = "whatsapp:+60300000001"
META_SECRET = "chaos-meta-app-secret"
META_PHONE_ID = "109876500001"
PAGE_ID = "112233000001"
TG_TOKEN = "123456:CHAOS-token"
TG_SECRET = "chaos-tg-secret"
CHANNELS = ("sms", "whatsapp", "whatsapp_cloud", "telegram", "messenger")
TEXTS = [
    "Lampu jalan rosak di Jalan Kenanga 3 sejak minggu lepas, kawasan gelap",
    "Sampah tidak dikutip selama 5 hari di Taman Sri Muda",
    "The streetlight in front of house 12, Jalan Mawar is out",
    "Longkang tersumbat depan sekolah, air bertakung bila hujan",
    "Jalan berlubang besar di simpang Persiaran Bayu",
]
MAX_ATTEMPTS = 10
# The full run's offered rate (see the module docstring).
FULL_RATE = 30.0


# --------------------------------------------------------------------------- servers


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and postgres refuse root: run them as the postgres user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb into ``root``), on ``port`` of 127.0.0.1."""

    def __init__(self, root: Path, port: int):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            raise SystemExit("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
        self.bin = Path(bins[-1])
        self.root, self.port = root, port
        self.data, self.sock, self.log = root / "pgdata", root / "pgsock", root / "postgres.log"
        self.url = f"postgresql://postgres@127.0.0.1:{port}/aduan_chaos"

    def _run(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bin / args[0]), *args[1:]]), check=True,
                       capture_output=True, cwd="/")  # fmt: skip

    def init(self) -> None:
        for path in (self.data, self.sock):
            path.mkdir()
        self.log.touch()
        if os.geteuid() == 0:
            for path in (self.data, self.sock, self.log):
                shutil.chown(path, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync")  # fmt: skip
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                       f"unix_socket_directories = '{self.sock}'\nmax_connections = 200\n")  # fmt: skip
        self.start()
        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE aduan_chaos")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()


class PrivateRedis:
    """A redis-server of our own, no persistence: a restart comes back empty."""

    def __init__(self, root: Path, port: int):
        self.root, self.port, self.proc = root, port, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        log = open(self.root / "redis.log", "a")  # noqa: SIM115 - the server keeps it
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root), "--maxmemory-policy", "noeviction"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


class Supervised:
    """One process under a supervisor: restarted ``restart_after`` s after it dies (as
    systemd's Restart=always, RestartSec=2). Each start is its own process group, so a kill
    takes the RQ worker's scheduler child with it, as systemd's cgroup would."""

    def __init__(self, name: str, args: list[str], env: dict, logdir: Path, restart_after=2.0):
        self.name, self.args, self.env, self.logdir = name, args, env, logdir
        self.restart_after, self.restarts, self.proc = restart_after, 0, None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> Supervised:
        self._spawn()
        self._thread.start()
        return self

    def _spawn(self) -> None:
        log = open(self.logdir / f"{self.name}.log", "a")  # noqa: SIM115 - the child keeps it
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip

    def _watch(self) -> None:
        while not self._stopping.is_set():
            if self.proc.poll() is not None:
                if self._stopping.wait(self.restart_after):
                    return
                with self._lock:
                    self.restarts += 1
                    self._spawn()
            time.sleep(0.1)

    def kill(self) -> None:
        with self._lock, contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                    self.proc.wait(timeout=wait)
                    break
                except ProcessLookupError:
                    break
                except subprocess.TimeoutExpired:
                    continue


# --------------------------------------------------------------------------- messages


@dataclasses.dataclass
class Msg:
    index: int
    sender: int
    k: int  # the sender's k-th message, from 0
    channel: str
    provider_id: str
    text: str
    path: str
    body: bytes
    headers: dict
    dup: str = ""  # "" | "now" | "later"
    accepted_at: float | None = None
    gave_up: bool = False


def _handle(channel: str, sender: int) -> str:
    """Disjoint number ranges per channel: one phone on two channels would be one person."""
    prefix = {"sms": "+6012", "whatsapp": "+6013", "whatsapp_cloud": "+6014"}.get(channel)
    if prefix:
        return f"{prefix}{1_000_000 + sender:07d}"
    return str(700_000_000 + sender) if channel == "telegram" else str(24_680_000_000 + sender)


def build_request(base: str, channel: str, sender: int, n: int, text: str):
    """(path, body, headers, provider id) signed as the provider signs it."""
    handle = _handle(channel, sender)
    now = int(time.time())
    if channel in ("sms", "whatsapp"):
        sid = "SM" + hashlib.md5(f"chaos-{n}".encode()).hexdigest()  # noqa: S324 - an id
        form = {"MessageSid": sid, "AccountSid": TWILIO_SID, "Body": text, "NumMedia": "0"}
        if channel == "sms":
            path = "/webhooks/twilio/sms"
            form.update(From=handle, To=SMS_NUMBER)
        else:
            path = "/webhooks/twilio/whatsapp"
            form.update(From="whatsapp:" + handle, To=WA_NUMBER, WaId=handle[1:],
                        ProfileName=f"Pengadu {sender}")  # fmt: skip
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(base + path, form)
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": signature}  # fmt: skip
        return path, urllib.parse.urlencode(form).encode(), headers, sid
    if channel == "telegram":
        update_id = 500_000_000 + n
        data = {"update_id": update_id, "message": {
            "message_id": n + 1, "date": now, "text": text,
            "from": {"id": int(handle), "is_bot": False, "first_name": f"Pengadu {sender}"},
            "chat": {"id": int(handle), "type": "private", "first_name": f"Pengadu {sender}"},
        }}  # fmt: skip
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
        return "/webhooks/telegram", json.dumps(data).encode(), headers, str(update_id)
    if channel == "whatsapp_cloud":
        wamid = "wamid.CHAOS" + base64.b32encode(n.to_bytes(5, "big")).decode()
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "60300000002", "phone_number_id": META_PHONE_ID},
            "contacts": [{"profile": {"name": f"Pengadu {sender}"}, "wa_id": handle[1:]}],
            "messages": [{"from": handle[1:], "id": wamid, "timestamp": str(now), "type": "text",
                          "text": {"body": text}}],
        }  # fmt: skip
        data = {"object": "whatsapp_business_account",
                "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip
        provider_id = wamid
    else:  # messenger
        mid = f"m_chaos{n}"
        data = {"object": "page", "entry": [{"id": PAGE_ID, "time": now * 1000, "messaging": [{
            "sender": {"id": handle}, "recipient": {"id": PAGE_ID}, "timestamp": now * 1000,
            "message": {"mid": mid, "text": text},
        }]}]}  # fmt: skip
        provider_id = mid
    body = json.dumps(data).encode()
    digest = hmac.new(META_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + digest}
    return "/webhooks/meta", body, headers, provider_id


def plan_messages(base: str, count: int, senders: int, seed: int) -> list[Msg]:
    """``count`` messages from ``senders`` senders (each at least one) in send order; 10% to
    be delivered twice at once, 10% twice later."""
    rng = random.Random(seed)
    senders = min(senders, count)
    owners = list(range(senders)) + [rng.randrange(senders) for _ in range(count - senders)]
    rng.shuffle(owners)
    seen: collections.Counter = collections.Counter()
    out = []
    for n, sender in enumerate(owners):
        k = seen[sender]
        seen[sender] += 1
        channel = CHANNELS[sender % len(CHANNELS)]
        text = f"{TEXTS[(sender + k) % len(TEXTS)]} (rujukan pengadu {sender}, mesej {k + 1})"
        path, body, headers, pid = build_request(base, channel, sender, n, text)
        out.append(Msg(n, sender, k, channel, pid, text, path, body, headers))
    picked = rng.sample(range(count), count // 5)
    for i, index in enumerate(picked):
        out[index].dup = "now" if i % 2 == 0 else "later"
    return out


# --------------------------------------------------------------------------- the sender


class Sender:
    """Posts messages with provider-style retries; one kept-alive connection per thread."""

    def __init__(self, base: str):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.local = threading.local()
        self.lock = threading.Lock()
        self.requests = 0
        self.statuses: collections.Counter = collections.Counter()
        self.retried_messages = 0
        self.gave_up: list[Msg] = []

    def _post_once(self, msg: Msg) -> int:
        """The answer's status, or 0 for a connection error. A kept-alive connection the
        server closed while idle (gunicorn's keepalive is 2 s) is reopened at once, once,
        as an HTTP client does: that is not a failed delivery."""
        for fresh in (False, True):
            conn = getattr(self.local, "conn", None)
            reused = conn is not None and not fresh
            if conn is None or fresh:
                conn = self.local.conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=30
                )
            try:
                conn.request("POST", msg.path, msg.body, msg.headers)
                response = conn.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if not reused:
                    return 0
        return 0

    def post(self, msg: Msg) -> bool:
        """Deliver once, retrying every non-2xx; False after MAX_ATTEMPTS."""
        for attempt in range(MAX_ATTEMPTS):
            status = self._post_once(msg)
            with self.lock:
                self.requests += 1
                self.statuses[status] += 1
                if attempt == 1:
                    self.retried_messages += 1
            if 200 <= status < 300:
                return True
            time.sleep(min(15.0, 0.5 * 2**attempt) * random.uniform(0.8, 1.2))
        with self.lock:
            self.gave_up.append(msg)
        return False


class Dispatcher(threading.Thread):
    """Sends the planned messages in order, per sender one at a time, paced per phase."""

    def __init__(self, sender: Sender, msgs: list[Msg], monitor, max_ahead: int, threads=24):
        super().__init__(daemon=True)
        self.sender, self.monitor, self.max_ahead = sender, monitor, max_ahead
        self.queue = collections.deque(msgs)
        self.busy: set[int] = set()
        self.busy_lock = threading.Lock()
        self.pool = cf.ThreadPoolExecutor(threads)
        self.dup_pool = cf.ThreadPoolExecutor(threads)
        self.phases: list[tuple[float, float, int]] = []  # (start, end, budget)
        self.later: list[Msg] = []
        self.last_sent_at = 0.0
        self.done = threading.Event()

    def _deliver(self, msg: Msg) -> None:
        try:
            if msg.dup == "now":  # the same request twice at the same moment
                twin = self.dup_pool.submit(self.sender.post, msg)
                ok = self.sender.post(msg)
                ok = twin.result() and ok
            else:
                ok = self.sender.post(msg)
            if ok:
                msg.accepted_at = time.time()
                if msg.dup == "later":
                    self.later.append(msg)
            else:
                msg.gave_up = True
        finally:
            with self.busy_lock:
                self.busy.discard(msg.sender)
            self.last_sent_at = time.time()

    def _next(self) -> Msg | None:
        with self.busy_lock:
            for i, msg in enumerate(self.queue):
                if i > 500:
                    return None
                if msg.sender not in self.busy:
                    del self.queue[i]
                    self.busy.add(msg.sender)
                    return msg
        return None

    def run(self) -> None:
        futures = []
        carry = 0
        for number, (start, end, budget) in enumerate(self.phases):
            last = number == len(self.phases) - 1
            budget += carry
            rate = budget / (end - start)
            sent = 0
            while sent < budget and self.queue:
                now = time.time()
                if now >= end and not last:
                    break
                if now < start + sent / rate or self.monitor.pending >= self.max_ahead:
                    time.sleep(0.01)
                    continue
                msg = self._next()
                if msg is None:
                    time.sleep(0.005)
                    continue
                futures.append(self.pool.submit(self._deliver, msg))
                sent += 1
            carry = budget - sent
            while time.time() < end:
                time.sleep(0.05)
        while self.queue:  # whatever the pacing left, as fast as the order allows
            msg = self._next()
            if msg is None:
                time.sleep(0.005)
                continue
            futures.append(self.pool.submit(self._deliver, msg))
        cf.wait(futures)
        self.done.set()


# --------------------------------------------------------------------------- observation


class Monitor(threading.Thread):
    """Unprocessed events every 0.25 s (the sender's throttle); rides out PostgreSQL going."""

    def __init__(self, db_url: str):
        super().__init__(daemon=True)
        self.db_url, self.pending, self.stop = db_url, 0, threading.Event()

    def run(self) -> None:
        conn = None
        while not self.stop.is_set():
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.db_url, autocommit=True, connect_timeout=2)
                self.pending = conn.execute(
                    "SELECT count(*) FROM inbound_events"
                    " WHERE processed_at IS NULL AND quarantined_at IS NULL"
                ).fetchone()[0]
            except psycopg.Error:
                conn = None
            self.stop.wait(0.25)


def state(db_url: str, redis_url: str) -> dict | None:
    """What quiet needs: pending events, outbound rows due and queued, RQ queue lengths."""
    try:
        with psycopg.connect(db_url, autocommit=True, connect_timeout=2) as conn:
            pending = conn.execute(
                "SELECT count(*) FROM inbound_events"
                " WHERE processed_at IS NULL AND quarantined_at IS NULL"
            ).fetchone()[0]
            due = conn.execute(
                "SELECT count(*) FROM outbound_messages WHERE state = 'queued'"
                " AND (next_attempt_at IS NULL OR next_attempt_at <= now())"
            ).fetchone()[0]
        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        queued = sum(client.llen(key) for key in client.scan_iter("rq:queue:*"))
    except (psycopg.Error, redis.RedisError):
        return None
    return {"pending_events": pending, "outbound_due_queued": due, "rq_queued": queued}


def wait_quiet(db_url: str, redis_url: str, timeout: float):
    """(quiet time or None, the last state, when each condition was last not met)."""
    deadline = time.time() + timeout
    last, busy_until = None, {}
    while time.time() < deadline:
        last = state(db_url, redis_url)
        if last is not None and not any(last.values()):
            return time.time(), last, busy_until
        for key, value in (last or {"unreachable": 1}).items():
            if value:
                busy_until[key] = time.time()
        time.sleep(0.5)
    return None, last, busy_until


def processed_rate(db_url: str, start: float, end: float) -> float:
    with psycopg.connect(db_url, autocommit=True) as conn:
        count = conn.execute(
            "SELECT count(*) FROM inbound_events WHERE processed_at >= %s AND processed_at < %s",
            (dt.datetime.fromtimestamp(start, dt.UTC), dt.datetime.fromtimestamp(end, dt.UTC)),
        ).fetchone()[0]
    return count / (end - start)


def verify(db_url: str, msgs: list[Msg]) -> dict:
    """Lost, doubled, split and out-of-order, from the stored rows."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        stored: dict[str, list[int]] = collections.defaultdict(list)
        for pid, ticket in conn.execute(
            "SELECT provider_id, ticket_id FROM messages WHERE direction = 'in'"
        ):
            stored[pid].append(ticket)
        descriptions = dict(conn.execute("SELECT id, description FROM tickets"))
        acked = conn.execute(
            "SELECT count(DISTINCT ticket_id) FROM outbound_messages"
            " WHERE purpose = 'acknowledgement'"
        ).fetchone()[0]
        ack_states = dict(conn.execute(
            "SELECT state, count(*) FROM outbound_messages"
            " WHERE purpose = 'acknowledgement' GROUP BY state"
        ).fetchall())  # fmt: skip
        outbound_states = dict(
            conn.execute("SELECT state, count(*) FROM outbound_messages GROUP BY state").fetchall()
        )
        stranded = conn.execute(
            "SELECT count(*) FROM inbound_events WHERE processed_at IS NULL"
            " AND quarantined_at IS NULL"
        ).fetchone()[0]
        quarantined = conn.execute(
            "SELECT count(*) FROM inbound_events WHERE quarantined_at IS NOT NULL"
        ).fetchone()[0]
        retried_events = conn.execute(
            "SELECT count(*) FROM inbound_events WHERE processed_at IS NOT NULL AND attempts > 1"
        ).fetchone()[0]
        latencies = [
            row[0]
            for row in conn.execute(
                "SELECT extract(epoch FROM processed_at - received_at) FROM inbound_events"
                " WHERE processed_at IS NOT NULL ORDER BY 1"
            )
        ]
        ack_latencies = [
            float(row[0])
            for row in conn.execute(
                "SELECT extract(epoch FROM sent_at - created_at) FROM outbound_messages"
                " WHERE purpose = 'acknowledgement' AND sent_at IS NOT NULL ORDER BY 1"
            )
        ]
        slowest = conn.execute(
            "SELECT id, channel, extract(epoch FROM received_at), extract(epoch FROM processed_at),"
            " attempts, order_slot % 2 FROM inbound_events WHERE processed_at IS NOT NULL"
            " ORDER BY processed_at - received_at DESC LIMIT 8"
        ).fetchall()
        events = conn.execute("SELECT count(*) FROM inbound_events").fetchone()[0]
        outbound_stuck = conn.execute(
            "SELECT count(*) FROM outbound_messages WHERE state = 'queued'"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= now())"
        ).fetchone()[0]
    lost = [m for m in msgs if not m.gave_up and m.provider_id not in stored]
    doubled = [m for m in msgs if len(stored.get(m.provider_id, [])) > 1]
    by_sender: dict[int, list[Msg]] = collections.defaultdict(list)
    for m in msgs:
        by_sender[m.sender].append(m)
    split, out_of_order, tickets = [], [], set()
    for sender, own in by_sender.items():
        own.sort(key=lambda m: m.k)
        theirs = {t for m in own for t in stored.get(m.provider_id, [])}
        tickets |= theirs
        if len(theirs) > 1:
            split.append(sender)
        first = stored.get(own[0].provider_id)
        if first and (descriptions.get(first[0]) or "").strip() != own[0].text.strip():
            out_of_order.append(sender)
    return {
        "events": events,
        "tickets": len(descriptions),
        "tickets_of_senders": len(tickets),
        "acknowledged": acked,
        "ack_states": ack_states,
        "outbound_states": outbound_states,
        "lost": len(lost),
        "lost_ids": [m.provider_id for m in lost[:20]],
        "doubled": len(doubled),
        "doubled_ids": [m.provider_id for m in doubled[:20]],
        "senders_split_over_tickets": len(split),
        "split_senders": split[:20],
        "out_of_order_openings": len(out_of_order),
        "out_of_order_senders": out_of_order[:20],
        "stranded_events": stranded,
        "outbound_due_but_queued": outbound_stuck,
        "quarantined_events": quarantined,
        "events_processed_after_a_failed_attempt": retried_events,
        "event_latency_s": {
            "p50": round(float(latencies[len(latencies) // 2]), 1) if latencies else None,
            "p99": round(float(latencies[int(len(latencies) * 0.99)]), 1) if latencies else None,
            "max": round(float(latencies[-1]), 1) if latencies else None,
            "over_30s": sum(1 for v in latencies if v > 30),
        },
        "ack_send_latency_s": {
            "p50": round(ack_latencies[len(ack_latencies) // 2], 1) if ack_latencies else None,
            "max": round(ack_latencies[-1], 1) if ack_latencies else None,
            "over_30s": sum(1 for v in ack_latencies if v > 30),
        },
        "slowest_events": [
            {
                "id": i,
                "channel": c,
                "received": float(r),
                "processed": float(p),
                "attempts": a,
                "slot": sl,
            }
            for i, c, r, p, a, sl in slowest
        ],
    }


# --------------------------------------------------------------------------- the run


def save_accounts(env: dict, urls: dict) -> None:
    """The default agency's accounts point replies at the fakes (secrets from the env)."""
    script = f"""
from aduan import create_app
from aduan.extensions import db
from aduan.models import Agency
from aduan.services.channel_config.accounts import default_agency_id, save_account
app = create_app()
with app.app_context():
    agency = db.session.get(Agency, default_agency_id())
    save_account(agency, "sms", {{"api_base_url": {urls["twilio"]!r}}})
    save_account(agency, "whatsapp", {{"api_base_url": {urls["twilio"]!r}}})
    save_account(agency, "telegram", {{"api_base_url": {urls["telegram"]!r}}})
    save_account(agency, "whatsapp_cloud", {{"graph_base_url": {urls["graph"]!r},
                 "phone_number_id": {META_PHONE_ID!r}}})
    save_account(agency, "messenger", {{"graph_base_url": {urls["graph"]!r}}})
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)


def _log(t0: float, text: str) -> None:
    print(f"[{time.time() - t0:7.1f}s] {text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1,000 messages, shorter phases")
    parser.add_argument("--messages", type=int)
    parser.add_argument("--senders", type=int)
    parser.add_argument("--no-fault-seconds", type=float)
    parser.add_argument("--kill-seconds", type=float)
    parser.add_argument("--kill-every", type=float, default=10.0)
    parser.add_argument("--max-kills", type=int, help="stop killing after this many")
    parser.add_argument("--redis-down", type=float, default=10.0)
    parser.add_argument("--pg-down", type=float, default=5.0)
    parser.add_argument("--no-redis-restart", action="store_true")
    parser.add_argument("--no-pg-restart", action="store_true")
    parser.add_argument("--later-after", type=float, help="seconds after the original")
    parser.add_argument("--max-ahead", type=int, default=300)
    parser.add_argument(
        "--rate", type=float, help=f"offered messages/s (quick: N / phases; full: {FULL_RATE})"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--quiet-timeout", type=float, default=600)
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    quick = args.quick
    count = args.messages or (1000 if quick else 10_000)
    senders = args.senders or (300 if quick else 3000)
    a_seconds = args.no_fault_seconds or (10.0 if quick else 30.0)
    rate_wanted = args.rate or (None if quick else FULL_RATE)
    b_seconds = args.kill_seconds or 30.0
    if not args.kill_seconds and rate_wanted:  # B lasts until C's share is what is left
        c_seconds = (2 + (0 if args.no_redis_restart else args.redis_down) + 5
                     + (0 if args.no_pg_restart else args.pg_down) + 1)  # fmt: skip  # see below
        b_seconds = max(b_seconds, count / rate_wanted - a_seconds - c_seconds)
    later_after = args.later_after if args.later_after is not None else (0 if quick else 120)

    root = Path(tempfile.mkdtemp(prefix="aduan-chaos-"))
    root.chmod(0o755)  # the postgres user walks into it
    logs = root / "logs"
    logs.mkdir()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the fakes' access log
    from tests.fakes.graph import fake_graph
    from tests.fakes.telegram import fake_telegram
    from tests.fakes.twilio import fake_twilio

    # The fakes take their ports first: a port picked by free_port() and released could
    # otherwise be handed to a fake a moment later (redis-server then found it taken).
    fakes = contextlib.ExitStack()
    twilio = fakes.enter_context(fake_twilio())
    telegram = fakes.enter_context(fake_telegram())
    graph = fakes.enter_context(fake_graph())
    pg = PrivatePostgres(root, free_port())
    rds = PrivateRedis(root, free_port())
    web_port = free_port()
    while len({pg.port, rds.port, web_port}) < 3:
        rds.port, web_port = free_port(), free_port()
        rds.url = f"redis://127.0.0.1:{rds.port}/0"
    base = f"http://127.0.0.1:{web_port}"
    env = {
        **os.environ, "ADUAN_ENV": "development", "ADUAN_DATABASE_URL": pg.url,
        "ADUAN_REDIS_URL": rds.url, "ADUAN_SECRET_KEY": "bench-chaos-secret-key",
        "ADUAN_PUBLIC_BASE_URL": base, "ADUAN_INSTANCE_DIR": str(root / "instance"),
        "ADUAN_TWILIO_ACCOUNT_SID": TWILIO_SID, "ADUAN_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "ADUAN_TWILIO_SMS_NUMBER": SMS_NUMBER, "ADUAN_TWILIO_WHATSAPP_NUMBER": WA_NUMBER,
        "ADUAN_META_APP_SECRET": META_SECRET, "ADUAN_META_VERIFY_TOKEN": "chaos-verify",
        "ADUAN_META_ACCESS_TOKEN": "chaos-access", "ADUAN_TELEGRAM_BOT_TOKEN": TG_TOKEN,
        "ADUAN_TELEGRAM_WEBHOOK_SECRET": TG_SECRET, "PYTHONUNBUFFERED": "1",
    }  # fmt: skip
    for key in ("ADUAN_QUEUE_PREFIX", "ADUAN_DEFAULT_AGENCY_CODE"):
        env.pop(key, None)
    t0 = time.time()
    procs: list[Supervised] = []
    monitor = Monitor(pg.url)
    results: dict = {"mode": "quick" if quick else "full", "messages": count, "senders": senders}
    load_before = os.getloadavg()
    try:
        with fakes:
            pg.init()
            rds.start()
            flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
            for command in (["db", "upgrade"], ["demo", "seed", "--tickets", "0"]):
                subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True,
                               capture_output=True)  # fmt: skip
            save_accounts(env, {"twilio": twilio.url, "telegram": telegram.url,
                                "graph": graph.url})  # fmt: skip
            _log(t0, f"servers ready: postgres :{pg.port}, redis :{rds.port}; logs in {logs}")
            web = Supervised("gunicorn", [
                sys.executable, "-m", "gunicorn", "-w", "3", "-k", "gthread", "--threads", "4",
                "-b", f"127.0.0.1:{web_port}", "--backlog", "2048", "wsgi:app",
            ], env, logs)  # fmt: skip
            workers = [
                Supervised(f"worker{i + 1}", [*flask, "worker", "--with-scheduler"], env, logs)
                for i in range(args.workers)
            ]
            scheduler = Supervised("scheduler", [*flask, "scheduler"], env, logs)
            procs = [web, *workers, scheduler]
            for proc in procs:
                proc.start()
            wait_for(base + "/healthz")
            msgs = plan_messages(base, count, senders, args.seed)
            time.sleep(3)  # workers up
            monitor.start()
            sender = Sender(base)
            dispatcher = Dispatcher(sender, msgs, monitor, args.max_ahead)

            # The clock: A, B, then C's faults at fixed offsets.
            start = time.time() + 0.5
            a_end = start + a_seconds
            b_end = a_end + b_seconds
            redis_at = b_end + 2
            redis_up = redis_at + (0 if args.no_redis_restart else args.redis_down)
            pg_at = redis_up + 5
            pg_up = pg_at + (0 if args.no_pg_restart else args.pg_down)
            c_end = max(pg_up, redis_up) + 1
            # One offered rate for every phase (so A and B compare like with like), such
            # that the last message leaves as the faults end; --rate overrides it.
            rate = rate_wanted or count / (c_end - start)
            budget_a = min(count, round(rate * a_seconds))
            budget_b = min(count - budget_a, round(rate * b_seconds))
            dispatcher.phases = [(start, a_end, budget_a), (a_end, b_end, budget_b),
                                 (b_end, c_end, count - budget_a - budget_b)]  # fmt: skip
            dispatcher.start()
            _log(t0, f"phase A (no faults) {a_seconds:.0f} s: {count} messages from "
                     f"{senders} senders planned")  # fmt: skip
            faults: list[tuple[float, str]] = []
            time.sleep(max(0, a_end - time.time()))
            _log(t0, f"phase B: a worker SIGKILLed every {args.kill_every:.0f} s")
            next_kill, victim = a_end + args.kill_every, 0
            redis_done = args.no_redis_restart
            pg_done = args.no_pg_restart
            last_fault = a_end
            while time.time() < c_end or not (redis_done and pg_done):
                now = time.time()
                if (
                    now >= next_kill
                    and now < c_end - 1
                    and victim < (10**6 if args.max_kills is None else args.max_kills)
                ):
                    workers[victim % len(workers)].kill()
                    faults.append((now, f"SIGKILL {workers[victim % len(workers)].name}"))
                    _log(t0, faults[-1][1])
                    victim += 1
                    next_kill += args.kill_every
                    last_fault = now
                if not redis_done and now >= redis_at:
                    _log(t0, f"redis stopped for {args.redis_down:.0f} s")
                    rds.stop()
                    time.sleep(max(0, redis_up - time.time()))
                    rds.start()
                    redis_done, last_fault = True, time.time()
                    faults.append((last_fault, "redis started (empty)"))
                    _log(t0, faults[-1][1])
                if not pg_done and now >= pg_at:
                    _log(t0, f"postgresql stopped (fast) for {args.pg_down:.0f} s")
                    pg.stop()
                    time.sleep(max(0, pg_up - time.time()))
                    pg.start()
                    pg_done, last_fault = True, time.time()
                    faults.append((last_fault, "postgresql started"))
                    _log(t0, faults[-1][1])
                time.sleep(0.05)
            _log(t0, "faults over; waiting for the sender and for quiet")
            dispatcher.done.wait(timeout=args.quiet_timeout)
            sending_done = time.time()
            quiet_at, quiet_state, busy_until = wait_quiet(pg.url, rds.url, args.quiet_timeout)
            _log(t0, f"quiet: {quiet_state}")
            rate_a = processed_rate(pg.url, start, a_end)
            rate_b = processed_rate(pg.url, a_end, b_end)

            # The later duplicates, each at least later_after seconds after its original.
            later = sorted(dispatcher.later, key=lambda m: m.accepted_at)
            _log(t0, f"sending {len(later)} later duplicates")
            with cf.ThreadPoolExecutor(16) as pool:
                futures = []
                for msg in later:
                    time.sleep(max(0, msg.accepted_at + later_after - time.time()))
                    futures.append(pool.submit(sender.post, msg))
                cf.wait(futures)
            quiet2_at, quiet2_state, _ = wait_quiet(pg.url, rds.url, args.quiet_timeout)
            time.sleep(2)
            checks = verify(pg.url, msgs)
            for event in checks["slowest_events"]:  # seconds on the run's clock
                event["received"] = round(event["received"] - start, 1)
                event["processed"] = round(event["processed"] - start, 1)
            results.update(checks)
            results.update({
                "sent": sum(1 for m in msgs if m.accepted_at),
                "sender_gave_up": len(sender.gave_up),
                "http_requests": sender.requests,
                "http_statuses": {str(k): v for k, v in sorted(sender.statuses.items())},
                "messages_retried_by_sender": sender.retried_messages,
                "duplicates_concurrent": sum(1 for m in msgs if m.dup == "now"),
                "duplicates_later": len(later),
                "worker_kills": sum(1 for _, f in faults if f.startswith("SIGKILL")),
                "restarts": {p.name: p.restarts for p in procs},
                "faults": [(round(t - start, 1), f) for t, f in faults],
                "last_fault_s": round(last_fault - start, 1),
                "sending_done_s": round(sending_done - start, 1),
                "time_to_quiet_s": round(quiet_at - last_fault, 1) if quiet_at else None,
                "quiet_state": quiet_state,
                "quiet_waited_on_s": {k: round(v - start, 1) for k, v in busy_until.items()},
                "quiet_after_later_duplicates": quiet2_at is not None,
                "quiet2_state": quiet2_state,
                "throughput_no_fault": round(rate_a, 1),
                "throughput_kill_phase": round(rate_b, 1),
                "throughput_ratio": round(rate_b / rate_a, 2) if rate_a else None,
                "offered_rate": round(rate, 1),
                "outbound_requests_to_fakes": len(twilio.requests) + len(telegram.requests)
                + len(graph.requests),
            })  # fmt: skip
    finally:
        monitor.stop.set()
        for proc in reversed(procs):
            proc.stop()
        rds.stop()
        pg.destroy()
        results["load_before"] = [round(v, 2) for v in load_before]
        results["load_after"] = [round(v, 2) for v in os.getloadavg()]
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept {root}")
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


def report(r: dict) -> None:
    quiet = r.get("time_to_quiet_s")
    ratio = r.get("throughput_ratio")

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(f"\n## Chaos benchmark (issue #13), {r['mode']} mode\n")
    print(
        f"sent (accepted 2xx)            {r.get('sent')} of {r['messages']} messages, "
        f"{r['senders']} senders; sender gave up on {r.get('sender_gave_up')}"
    )
    print(
        f"duplicate deliveries           {r.get('duplicates_concurrent')} concurrent, "
        f"{r.get('duplicates_later')} later"
    )
    print(
        f"HTTP requests / statuses       {r.get('http_requests')} {r.get('http_statuses')} "
        f"(0 = connection error); messages retried {r.get('messages_retried_by_sender')}"
    )
    print(
        f"faults                         {r.get('worker_kills')} worker kills, restarts "
        f"{r.get('restarts')}, {r.get('faults')}"
    )
    print(
        f"tickets                        {r.get('tickets')} (senders' {r.get('tickets_of_senders')})"
    )
    print(
        f"acknowledged                   {r.get('acknowledged')} tickets "
        f"(acknowledgement states {r.get('ack_states')})"
    )
    print(
        f"lost                           {r.get('lost')} {r.get('lost_ids')}  "
        f"(target 0: {mark(r.get('lost') == 0)})"
    )
    print(
        f"doubled                        {r.get('doubled')} {r.get('doubled_ids')}  "
        f"(target 0: {mark(r.get('doubled') == 0)})"
    )
    print(
        f"senders split over 2+ tickets  {r.get('senders_split_over_tickets')} "
        f"{r.get('split_senders')}"
    )
    print(
        f"out-of-order first messages    {r.get('out_of_order_openings')} "
        f"{r.get('out_of_order_senders')}  (target 0: {mark(r.get('out_of_order_openings') == 0)})"
    )
    stranded = (r.get("stranded_events") or 0) + (r.get("outbound_due_but_queued") or 0)
    print(
        f"stranded                       events {r.get('stranded_events')}, outbound due but "
        f"queued {r.get('outbound_due_but_queued')}  (target 0: {mark(stranded == 0)}); "
        f"quarantined {r.get('quarantined_events')}, processed after a failed or interrupted "
        f"attempt {r.get('events_processed_after_a_failed_attempt')}"
    )
    print(
        f"time to quiet after last fault {quiet} s  (target < 60 s: "
        f"{mark(quiet is not None and quiet < 60)}); sender done at "
        f"{r.get('sending_done_s')} s, last fault at {r.get('last_fault_s')} s"
    )
    print(
        f"throughput                     no-fault {r.get('throughput_no_fault')} events/s "
        f", kill phase "
        f"{r.get('throughput_kill_phase')} events/s , "
        f"ratio {ratio}, both offered up to {r.get('offered_rate')}/s  (target >= 0.5: {mark(ratio is not None and ratio >= 0.5)})"
    )
    print(
        f"outbound requests to the fakes {r.get('outbound_requests_to_fakes')}; outbound "
        f"states {r.get('outbound_states')}"
    )
    latency = r.get("event_latency_s") or {}
    print(
        f"event latency (receipt to processed) p50 {latency.get('p50')} s, p99 "
        f"{latency.get('p99')} s, max {latency.get('max')} s, over 30 s: {latency.get('over_30s')}"
    )
    print(f"acknowledgement queued to sent {r.get('ack_send_latency_s')}")
    print(f"quiet waited on (run clock, s, last time not met) {r.get('quiet_waited_on_s')}")
    print("slowest events (run clock, s):")
    for event in r.get("slowest_events") or []:
        print(f"  {event}")
    print(f"load average before {r.get('load_before')}, after {r.get('load_after')}")


if __name__ == "__main__":
    sys.exit(main())
