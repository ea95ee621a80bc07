"""Settings, read only from the environment (prefix ``ADUAN_``).

The default needs no server: SQLite under ``instance/`` and an embedded Redis started by the
app. Production (``ADUAN_ENV=production``) refuses to start on development defaults.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from channels.registry import environment_names

PREFIX = "ADUAN_"
ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a runnable service."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(PREFIX + name)
    return value if value not in (None, "") else default


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
    "DEFAULT_AGENCY_CODE",  # the agency that owns messages with no channel account
    "STATUS_CALLBACK_URL",  # Twilio status callback URL template ({channel}, {account_key})
    "PUBLIC_FORM_LIMIT",  # rate limits, flask-limiter syntax ("5 per 10 minutes;20 per day")
    "PUBLIC_CONTACT_LIMIT",
    "PUBLIC_LOOKUP_LIMIT",
    "LOGIN_RATE_LIMIT",
)


def load_settings(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment, then apply ``overrides`` (tests)."""
    env = _env("ENV", "development")
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
        "ATTACHMENT_DIR": _env("ATTACHMENT_DIR", str(instance / "attachments")),
        "ATTACHMENT_MAX_BYTES": int(_env("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))),
        "MAX_CONTENT_LENGTH": int(_env("MAX_REQUEST_BYTES", str(25 * 1024 * 1024))),
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
    if settings["ENV_NAME"] == "production":
        _refuse_development_defaults(settings)
    return settings


def _normalise_db_url(url: str) -> str:
    # Managed services hand out postgres:// or postgresql://; we drive psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _refuse_development_defaults(settings: dict) -> None:
    problems = []
    if not settings.get("SECRET_KEY"):
        problems.append("ADUAN_SECRET_KEY is required")
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        problems.append("ADUAN_DATABASE_URL must point at PostgreSQL")
    if not settings.get("REDIS_URL"):
        problems.append("ADUAN_REDIS_URL is required (no embedded Redis in production)")
    if not settings["PUBLIC_BASE_URL"].startswith("https://"):
        problems.append("ADUAN_PUBLIC_BASE_URL must be an https:// URL")
    if problems:
        raise ConfigError("production mode refuses to start: " + "; ".join(problems))
