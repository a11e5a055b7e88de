"""GACHI_ENV=production: a missing secret stops the process at start; the embedded default
still makes its development key pair and link secret."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gachi_kit.auth import generate_keypair
from gachi_kit.config import Env, MissingSecret

SECRET_VARIABLES = (
    "GACHI_ENV",
    "JWT_PUBLIC_KEY",
    "JWT_PUBLIC_KEY_FILE",
    "JWT_PRIVATE_KEY",
    "JWT_PRIVATE_KEY_FILE",
    "ACTION_LINK_SECRET",
    "ACTION_LINK_SECRET_FILE",
    "SERVICE_PRIVATE_KEY",
    "SERVICE_PRIVATE_KEY_FILE",
    "WEB_SECRET_KEY",
    "WEB_SECRET_KEY_FILE",
    "WEB_SIGNING_KEYS_DIR",
    "WEB_SIGNING_KEYS_DIR_FILE",
)


@pytest.fixture(autouse=True)
def no_secrets_in_the_environment(monkeypatch, tmp_path):
    for name in SECRET_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GACHI_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(scope="module")
def keys():
    return generate_keypair()


def test_the_embedded_default_still_makes_a_development_key_pair(tmp_path):
    private, public = Env().jwt_keys(private_needed=True)

    assert "PRIVATE KEY" in private and "PUBLIC KEY" in public
    assert (tmp_path / "data" / "keys").is_dir()


@pytest.mark.parametrize("given", [{}, {"JWT_PRIVATE_KEY": "set"}])
def test_production_without_the_public_key_stops_naming_it(given):
    with pytest.raises(MissingSecret, match=r"^JWT_PUBLIC_KEY \(or JWT_PUBLIC_KEY_FILE\)"):
        Env({"GACHI_ENV": "production", **given}).jwt_keys()


def test_production_without_the_private_key_stops_only_a_service_that_signs(keys):
    env = Env({"GACHI_ENV": "production", "JWT_PUBLIC_KEY": keys[1]})

    assert env.jwt_keys() == (None, keys[1])  # catalog only verifies
    with pytest.raises(MissingSecret, match=r"^JWT_PRIVATE_KEY \(or JWT_PRIVATE_KEY_FILE\)"):
        env.jwt_keys(private_needed=True)


def test_production_reads_the_keys_from_files(keys, tmp_path):
    (tmp_path / "private.pem").write_text(keys[0])
    (tmp_path / "public.pem").write_text(keys[1])
    env = Env(
        {
            "GACHI_ENV": "Production",
            "JWT_PUBLIC_KEY_FILE": str(tmp_path / "public.pem"),
            "JWT_PRIVATE_KEY_FILE": str(tmp_path / "private.pem"),
        }
    )

    assert env.jwt_keys(private_needed=True) == keys
    assert not (tmp_path / "data" / "keys").exists()  # no development pair was made


def production_notify(keys, **more):
    import notify

    return notify.create_app(
        {
            "GACHI_ENV": "production",
            "JWT_PUBLIC_KEY": keys[1],
            "SERVICE_PRIVATE_KEY": keys[0],
            **more,
        }
    )


def test_notify_in_production_without_the_link_secret_stops(keys):
    with pytest.raises(MissingSecret, match=r"^ACTION_LINK_SECRET \(or ACTION_LINK_SECRET_FILE\)"):
        production_notify(keys)


def test_notify_in_production_with_its_secrets_starts(keys, tmp_path):
    app = production_notify(keys, ACTION_LINK_SECRET="링크-서명-비밀값-" + "x" * 32)

    assert app.test_client().get("/healthz").status_code == 200
    assert not (tmp_path / "data" / "keys").exists()


def test_orders_in_production_without_its_own_service_key_stops(keys):
    """orders signs its calls to catalog with its own key (never a made-up one in production)."""
    import orders

    missing = r"^SERVICE_PRIVATE_KEY \(or SERVICE_PRIVATE_KEY_FILE\)"
    with pytest.raises(MissingSecret, match=missing):
        orders.create_app({"GACHI_ENV": "production", "JWT_PUBLIC_KEY": keys[1]})


@pytest.mark.parametrize(
    ("given", "missing"),
    [({}, "WEB_SIGNING_KEYS_DIR"), ({"WEB_SIGNING_KEYS_DIR": "/keys/web"}, "WEB_SECRET_KEY")],
)
def test_web_in_production_without_its_keys_or_session_secret_stops(keys, given, missing):
    from web.config import Settings

    with pytest.raises(MissingSecret, match=rf"^{missing} \(or {missing}_FILE\)"):
        Settings.load({"GACHI_ENV": "production", "JWT_PUBLIC_KEY": keys[1], **given})


def test_the_process_exits_at_start_with_an_english_message_naming_the_variable(keys, tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES and "DATABASE_URL" not in k
    }
    env.update(GACHI_ENV="production", JWT_PUBLIC_KEY=keys[1], SERVICE_PRIVATE_KEY=keys[0])
    started = subprocess.run(
        [sys.executable, "-c", "import notify; notify.create_app()"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert started.returncode != 0
    assert "ACTION_LINK_SECRET (or ACTION_LINK_SECRET_FILE) is not set" in started.stderr
    assert "MissingSecret" in started.stderr
