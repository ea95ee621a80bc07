import secrets

import pytest

from config import ConfigError, load_settings

GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def test_settings_come_from_the_prefixed_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("ADUAN_DATABASE_URL", "postgres://u@db.example/aduan")
    monkeypatch.setenv("ADUAN_TIMEZONE", "Asia/Kuching")
    settings = load_settings()
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/aduan"
    assert settings["TIMEZONE"] == "Asia/Kuching"


def test_development_defaults_need_no_server(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ENV"):
        monkeypatch.delenv(f"ADUAN_{name}", raising=False)
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    settings = load_settings()
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'aduan.db'}"
    assert settings["REDIS_URL"] is None  # embedded
    assert settings["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert load_settings()["SECRET_KEY"] == settings["SECRET_KEY"]  # kept across restarts


def test_production_refuses_development_defaults(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(f"ADUAN_{name}", raising=False)
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("ADUAN_ENV", "production")
    with pytest.raises(ConfigError) as err:
        load_settings()
    for needed in ("ADUAN_SECRET_KEY", "ADUAN_DATABASE_URL", "ADUAN_REDIS_URL", "https"):
        assert needed in str(err.value)


def test_production_starts_when_configured(monkeypatch, tmp_path):
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("ADUAN_ENV", "production")
    monkeypatch.setenv("ADUAN_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("ADUAN_ANSWER_KEY", "1:" + "a" * 40)
    monkeypatch.setenv("ADUAN_DATABASE_URL", "postgresql://db/aduan")
    monkeypatch.setenv("ADUAN_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("ADUAN_PUBLIC_BASE_URL", "https://aduan.gov.my")
    settings = load_settings()
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_optional_settings_are_read_only_when_set(monkeypatch, tmp_path):
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("ADUAN_PUBLIC_LOOKUP_LIMIT", "3 per minute")
    monkeypatch.delenv("ADUAN_LOGIN_RATE_LIMIT", raising=False)
    settings = load_settings()
    assert settings["PUBLIC_LOOKUP_LIMIT"] == "3 per minute"
    assert "LOGIN_RATE_LIMIT" not in settings  # the code's default applies


def _production(monkeypatch, tmp_path, env="production", **values):
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("ADUAN_ENV", env)
    monkeypatch.setenv("ADUAN_DATABASE_URL", "postgresql://db/aduan")
    monkeypatch.setenv("ADUAN_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("ADUAN_PUBLIC_BASE_URL", "https://aduan.gov.my")
    monkeypatch.delenv("ADUAN_ENCRYPTION_KEY", raising=False)
    monkeypatch.setenv("ADUAN_ANSWER_KEY", "1:" + secrets.token_urlsafe(32))
    for name, value in values.items():
        monkeypatch.setenv(f"ADUAN_{name}", value)


@pytest.mark.parametrize(
    "weak", ["x", "s" * 40, "s" * 64, "aduan-secret-" * 5, "0123456789abcdef" * 4]
)
def test_production_refuses_a_weak_secret_key_and_says_how_to_make_one(monkeypatch, tmp_path, weak):
    _production(monkeypatch, tmp_path, SECRET_KEY=weak)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "ADUAN_SECRET_KEY" in str(err.value) and GENERATE in str(err.value)


def test_production_accepts_generated_keys(monkeypatch, tmp_path):
    for key in (secrets.token_urlsafe(32), secrets.token_urlsafe(48), secrets.token_hex(32)):
        _production(monkeypatch, tmp_path, SECRET_KEY=key)
        assert load_settings()["SECRET_KEY"] == key


def test_production_refuses_a_weak_encryption_key(monkeypatch, tmp_path):
    _production(monkeypatch, tmp_path, SECRET_KEY=secrets.token_urlsafe(48), ENCRYPTION_KEY="k")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "ADUAN_ENCRYPTION_KEY" in str(err.value)


@pytest.mark.parametrize("env", ["prod", "staging", "PROD", "live", "produciton"])
def test_an_unknown_environment_is_refused_not_run_as_development(monkeypatch, tmp_path, env):
    _production(monkeypatch, tmp_path, env=env, SECRET_KEY="x")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "ADUAN_ENV" in str(err.value) and "production" in str(err.value)


def test_the_environment_name_is_matched_without_case(monkeypatch, tmp_path):
    _production(monkeypatch, tmp_path, env="PRODUCTION", SECRET_KEY="x")
    with pytest.raises(ConfigError, match="ADUAN_SECRET_KEY"):
        load_settings()  # production rules apply, not development's
    _production(monkeypatch, tmp_path, env=" Production ", SECRET_KEY=secrets.token_urlsafe(48))
    settings = load_settings()
    assert settings["ENV_NAME"] == "production" and settings["SESSION_COOKIE_SECURE"] is True


def test_production_requires_an_answer_key_apart_from_the_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("ADUAN_ENV", "production")
    monkeypatch.setenv("ADUAN_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.delenv("ADUAN_ANSWER_KEY", raising=False)
    monkeypatch.setenv("ADUAN_DATABASE_URL", "postgresql://db/aduan")
    monkeypatch.setenv("ADUAN_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("ADUAN_PUBLIC_BASE_URL", "https://aduan.gov.my")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "ADUAN_ANSWER_KEY" in str(err.value)
    monkeypatch.setenv("ADUAN_ANSWER_KEY", "2:" + "k" * 40)
    monkeypatch.setenv("ADUAN_ANSWER_KEYS_OLD", "1:" + "o" * 40)
    settings = load_settings()
    assert settings["ANSWER_KEY"].startswith("2:") and settings["ANSWER_KEYS_OLD"].startswith("1:")
