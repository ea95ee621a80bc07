"""Settings, read only from the environment (prefix ``ADUAN_``).

The default needs no server: SQLite under ``instance/`` and an embedded Redis started by the
app. Production (``ADUAN_ENV=production``) refuses to start on development defaults or a weak
secret key; an ``ADUAN_ENV`` that is not a known environment is refused everywhere, so a typo
never falls back to development mode.
"""

from __future__ import annotations

import collections
import math
import os
import secrets
import zlib
from pathlib import Path

from channels.registry import environment_names

PREFIX = "ADUAN_"
ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "test")
# A key worth 32 random bytes: 43 characters of URL-safe base64 (secrets.token_urlsafe(32)).
MIN_KEY_LENGTH = 43
MIN_KEY_BITS = 128  # by the key's own character frequencies: catches "ssss…" and "abab…"
MIN_KEY_COMPRESSION = 0.75  # zlib output / input: a repeated pattern compresses far below this
GENERATE_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


class ConfigError(RuntimeError):
    """The environment does not describe a runnable service."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(PREFIX + name)
    return value if value not in (None, "") else default


def environment_name() -> str:
    """``ADUAN_ENV`` matched case-insensitively to a known environment, or ConfigError."""
    raw = _env("ENV", "development").strip()
    name = raw.lower()
    if name not in ENVIRONMENTS:
        known = ", ".join(ENVIRONMENTS)
        raise ConfigError(f"ADUAN_ENV={raw!r} is not a known environment (use one of: {known})")
    return name


def instance_dir() -> Path:
    path = Path(_env("INSTANCE_DIR", str(ROOT / "instance")))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _development_secret(instance: Path) -> str:
    """A secret generated once and kept under instance/ so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


# Optional settings: present in the config only when set (the code holds their defaults).
OPTIONAL_SETTINGS = (
    "ENCRYPTION_KEY",  # key for channel secrets at rest; default: derived from SECRET_KEY
    "ANSWER_KEY",  # "<version>:<secret>" for status-page answer hashes (required in production)
    "ANSWER_KEYS_OLD",  # earlier answer keys still accepted, comma-separated "<version>:<secret>"
    "DEFAULT_AGENCY_CODE",  # the agency that owns messages with no channel account
    "PUBLIC_HOSTS",  # host names of agencies' own public pages: "aduan.mbpj.gov.my=MBPJ,…"
    "STATUS_CALLBACK_URL",  # Twilio status callback URL template ({channel}, {account_key})
    "PUBLIC_POST_LIMIT",  # any citizen-page or sign-in post, per address, before parsing
    "PUBLIC_FORM_LIMIT",  # rate limits, flask-limiter syntax ("5 per 10 minutes;20 per day")
    "PUBLIC_CONTACT_LIMIT",
    "PUBLIC_LOOKUP_LIMIT",
    "LOGIN_RATE_LIMIT",
    "API_RATE_LIMIT",  # /api/v1 per token (or officer): "600 per minute" by default
    "OPEN311_RATE_LIMIT",  # /open311/v2 per api_key (filings) or address: "120 per minute"
    "LOGIN_MAX_FAILURES",  # wrong passwords from one address before that address is locked out
    "LOGIN_LOCK_MINUTES",
    "LOGIN_ACCOUNT_MAX_FAILURES",  # failures from any address per step of the account back-off
    "LOGIN_ACCOUNT_LOCK_MINUTES",
    "STATUS_ANSWER_FAILURES",  # wrong status-page answers on one reference before it locks (5)
    "STATUS_ANSWER_LOCK_HOURS",  # how long a locked reference needs a one-time code (24)
    "S3_ENDPOINT_URL",  # ADUAN_ATTACHMENT_STORE=s3://…: a non-AWS service (MinIO, Ceph, …)
    "S3_REGION",
)


def load_settings(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment, then apply ``overrides`` (tests)."""
    env = environment_name()
    instance = instance_dir()
    database_url = _env("DATABASE_URL", f"sqlite:///{instance / 'aduan.db'}")
    settings = {
        "ENV_NAME": env,
        "INSTANCE_DIR": str(instance),
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": _env("REDIS_URL"),  # None: embedded Redis
        "SECRET_KEY": _env("SECRET_KEY"),
        "PUBLIC_BASE_URL": _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "TIMEZONE": _env("TIMEZONE", "Asia/Kuala_Lumpur"),
        "ATTACHMENT_STORE": _env("ATTACHMENT_STORE", "local"),  # local | postgresql | s3://…
        "ATTACHMENT_DIR": _env("ATTACHMENT_DIR", str(instance / "attachments")),
        "ATTACHMENT_MAX_BYTES": int(_env("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))),
        # Finished export files (queue CSV/XLSX, the BPA return), kept this many hours
        "EXPORT_DIR": _env("EXPORT_DIR", str(instance / "exports")),
        "EXPORT_KEEP_HOURS": int(_env("EXPORT_KEEP_HOURS", "24")),
        "MAX_CONTENT_LENGTH": int(_env("MAX_REQUEST_BYTES", str(25 * 1024 * 1024))),
        # Form caps (413 above them), applied to url-encoded bodies too (aduan.web.hostile_input)
        "MAX_FORM_PARTS": int(_env("MAX_FORM_FIELDS", "1000")),
        "MAX_FORM_MEMORY_SIZE": int(_env("MAX_FORM_FIELD_BYTES", "500000")),
        # Media URLs in provider messages: extra allowed hosts (public addresses, https only);
        # trusted hosts may be private and http — tests' fake providers, a media proxy.
        "MEDIA_FETCH_ALLOW_HOSTS": _list(_env("MEDIA_FETCH_ALLOW_HOSTS", "")),
        "MEDIA_FETCH_TRUSTED_HOSTS": _list(_env("MEDIA_FETCH_TRUSTED_HOSTS", "")),
        # Event webhooks out: hosts that may be private (http too, outside production) — the
        # tests' receivers on 127.0.0.1, an on-premises receiver; the wait for an answer.
        "WEBHOOK_TRUSTED_HOSTS": _list(_env("WEBHOOK_TRUSTED_HOSTS", "")),
        "WEBHOOK_TIMEOUT_SECONDS": float(_env("WEBHOOK_TIMEOUT_SECONDS", "10")),
        "QUEUE_PREFIX": _env("QUEUE_PREFIX", ""),
        "INGEST_PARALLELISM": int(_env("INGEST_PARALLELISM", "2")),  # drain jobs at once
        "PROXY_COUNT": int(_env("PROXY_COUNT", "0")),
        "RQ_ASYNC": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "ms",
        "BABEL_DEFAULT_TIMEZONE": _env("TIMEZONE", "Asia/Kuala_Lumpur"),
        "JSON_SORT_KEYS": False,
    }
    # The default agency's channel accounts: each adapter's manifest names its variables
    # (a name the settings above already hold, such as ATTACHMENT_DIR, keeps its default).
    for name in environment_names():
        settings.setdefault(name, _env(name))
    for name in OPTIONAL_SETTINGS:
        if _env(name) is not None:
            settings[name] = _env(name)
    if settings["SECRET_KEY"] is None and env != "production":
        settings["SECRET_KEY"] = _development_secret(instance)
    settings.update(overrides or {})
    _check_attachment_store(settings["ATTACHMENT_STORE"])
    if settings["ENV_NAME"] == "production":
        _refuse_development_defaults(settings)
    return settings


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _normalise_db_url(url: str) -> str:
    # Managed services hand out postgres:// or postgresql://; we drive psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _check_attachment_store(spec: str) -> None:
    """Fail at start, not at the first upload (``services.storage.selection`` reads it)."""
    bucket = spec.removeprefix("s3://").split("/")[0] if spec.startswith("s3://") else None
    if spec in ("local", "postgresql") or (spec.startswith("local:") and spec[6:]) or bucket:
        return
    raise ConfigError(
        f"ADUAN_ATTACHMENT_STORE={spec!r}: expected local, local:DIR, postgresql or s3://bucket"
    )


def key_is_strong(key: str) -> bool:
    """At least 32 random bytes' worth, and not an obvious low-entropy or repeated string."""
    if len(key) < MIN_KEY_LENGTH:
        return False
    counts = collections.Counter(key)
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    compressed = len(zlib.compress(key.encode(), 9)) / len(key.encode())
    return bits >= MIN_KEY_BITS and compressed >= MIN_KEY_COMPRESSION


def _key_problems(settings: dict) -> list[str]:
    problems = []
    weak = f"must be at least {MIN_KEY_LENGTH} random characters; generate one with {GENERATE_KEY}"
    if not settings.get("SECRET_KEY"):
        problems.append(f"ADUAN_SECRET_KEY is required; generate one with {GENERATE_KEY}")
    elif not key_is_strong(str(settings["SECRET_KEY"])):
        problems.append(f"ADUAN_SECRET_KEY is too weak: it {weak}")
    encryption_key = settings.get("ENCRYPTION_KEY")
    if encryption_key and not key_is_strong(str(encryption_key)):
        problems.append(f"ADUAN_ENCRYPTION_KEY is too weak: it {weak}")
    if not settings.get("ANSWER_KEY"):
        problems.append("ADUAN_ANSWER_KEY is required (status-page answers, apart from the secret)")
    return problems


def _refuse_development_defaults(settings: dict) -> None:
    problems = _key_problems(settings)
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        problems.append("ADUAN_DATABASE_URL must point at PostgreSQL")
    if not settings.get("REDIS_URL"):
        problems.append("ADUAN_REDIS_URL is required (no embedded Redis in production)")
    if not settings["PUBLIC_BASE_URL"].startswith("https://"):
        problems.append("ADUAN_PUBLIC_BASE_URL must be an https:// URL")
    if problems:
        raise ConfigError("production mode refuses to start: " + "; ".join(problems))
