"""Settings from explicit overrides, then the environment, then defaults."""

from __future__ import annotations

import pytest

from gachi_kit.config import DEFAULT_REDIS_URL, Env


def test_override_beats_the_environment(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")

    assert Env({"LOG_LEVEL": "WARNING"}).str("LOG_LEVEL", "INFO") == "WARNING"


def test_environment_is_read_when_there_is_no_override(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")

    assert Env().str("LOG_LEVEL", "INFO") == "DEBUG"
    assert Env({"OTHER": "x"}).str("LOG_LEVEL", "INFO") == "DEBUG"


def test_missing_setting_gives_the_default(monkeypatch):
    monkeypatch.delenv("GACHI_TEST_UNSET", raising=False)

    env = Env()
    assert env.str("GACHI_TEST_UNSET", "기본값") == "기본값"
    assert env.optional("GACHI_TEST_UNSET") is None
    assert env.int("GACHI_TEST_UNSET", 30) == 30


def test_empty_string_in_the_environment_means_default(monkeypatch):
    monkeypatch.setenv("CATALOG_URL", "")

    env = Env()
    assert env.str("CATALOG_URL", "http://127.0.0.1:5001") == "http://127.0.0.1:5001"
    assert env.optional("CATALOG_URL") is None
    assert env.int("CATALOG_URL", 7) == 7
    assert env.bool("CATALOG_URL", True) is True


def test_empty_override_means_default_even_when_the_environment_has_a_value(monkeypatch):
    monkeypatch.setenv("CATALOG_URL", "http://catalog:8000")

    assert Env({"CATALOG_URL": ""}).str("CATALOG_URL", "http://default") == "http://default"


def test_numbers_are_parsed_from_strings_and_accepted_as_numbers(monkeypatch):
    monkeypatch.setenv("MAX_LINES", "250")

    assert Env().int("MAX_LINES", 500) == 250
    assert Env({"MAX_LINES": 100}).int("MAX_LINES", 500) == 100
    assert Env({"TIMEOUT": "2.5"}).float("TIMEOUT", 5.0) == 2.5
    assert Env({"TIMEOUT": 3}).float("TIMEOUT", 5.0) == 3.0


def test_a_non_number_is_an_error_not_a_silent_default():
    with pytest.raises(ValueError):
        Env({"MAX_LINES": "many"}).int("MAX_LINES", 500)


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "True", " yes ", "on", "ON", True, 1])
def test_bool_true_spellings(value):
    assert Env({"FLAG": value}).bool("FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "off", "OFF", False, 0])
def test_bool_false_spellings(value):
    assert Env({"FLAG": value}).bool("FLAG", True) is False


@pytest.mark.parametrize("default", [True, False])
def test_bool_default_when_unset_or_empty(monkeypatch, default):
    monkeypatch.delenv("FLAG", raising=False)

    assert Env().bool("FLAG", default) is default
    assert Env({"FLAG": ""}).bool("FLAG", default) is default


def test_database_url_defaults_to_a_sqlite_file_per_service_in_the_data_dir(monkeypatch, tmp_path):
    data = tmp_path / "data"
    monkeypatch.setenv("GACHI_DATA_DIR", str(data))
    monkeypatch.delenv("ORDERS_DATABASE_URL", raising=False)
    monkeypatch.delenv("NOTIFY_DATABASE_URL", raising=False)

    env = Env()

    assert env.database_url("orders") == f"sqlite:///{data.resolve() / 'orders.db'}"
    assert env.database_url("notify") == f"sqlite:///{data.resolve() / 'notify.db'}"
    assert data.is_dir()


def test_service_database_url_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("GACHI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ORDERS_DATABASE_URL", "postgresql+psycopg://gachi@db/orders")

    assert Env().database_url("orders") == "postgresql+psycopg://gachi@db/orders"
    assert (
        Env({"ORDERS_DATABASE_URL": "sqlite:///override.db"}).database_url("orders")
        == "sqlite:///override.db"
    )


def test_data_dir_override_is_created_and_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    path = Env({"GACHI_DATA_DIR": "relative/data"}).data_dir()

    assert path == (tmp_path / "relative" / "data").resolve()
    assert path.is_absolute() and path.is_dir()


def test_redis_url_default_is_the_embedded_port(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)

    assert Env().redis_url() == DEFAULT_REDIS_URL
    assert ":6379" not in DEFAULT_REDIS_URL
    assert Env({"REDIS_URL": "redis://cache:6379/1"}).redis_url() == "redis://cache:6379/1"


def test_a_misspelt_boolean_is_an_error_not_false():
    with pytest.raises(ValueError, match="FLAG"):
        Env({"FLAG": "ture"}).bool("FLAG", True)


def test_celery_broker_is_redis_unless_an_amqp_broker_is_named(monkeypatch):
    from flask import Flask

    from gachi_kit.celery import VISIBILITY_TIMEOUT, make_celery

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    redis_only = Env({"REDIS_URL": "redis://127.0.0.1:6399/2"})
    assert redis_only.broker_url() == "redis://127.0.0.1:6399/2"
    rabbit = Env(
        {"REDIS_URL": "redis://127.0.0.1:6399/2", "CELERY_BROKER_URL": "amqp://u:p@h:5672/가치"}
    )
    assert rabbit.broker_url() == "amqp://u:p@h:5672/가치"
    assert rabbit.redis_url() == "redis://127.0.0.1:6399/2"  # sessions, limits, idempotency

    on_rabbit = make_celery(Flask("a"), queue="orders", broker_url=rabbit.broker_url())
    # the outbox counts a row as published once the send returns: RabbitMQ must confirm it
    assert on_rabbit.conf.broker_transport_options == {"confirm_publish": True}
    on_redis = make_celery(Flask("b"), queue="orders", broker_url=redis_only.broker_url())
    assert on_redis.conf.broker_transport_options["visibility_timeout"] == VISIBILITY_TIMEOUT
