import pytest

from config import ConfigError, load_settings


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
    monkeypatch.setenv("ADUAN_SECRET_KEY", "s" * 40)
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


def test_production_requires_an_answer_key_apart_from_the_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("ADUAN_ENV", "production")
    monkeypatch.setenv("ADUAN_SECRET_KEY", "s" * 40)
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
