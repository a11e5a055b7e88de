"""web's key ring: a new key is published at once and signs only once verifiers can know it."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

from web.identity.keys import KeyRing, new_key_file


def test_a_first_key_is_made_and_signs_at_once(tmp_path):
    ring = KeyRing(tmp_path / "web", create_if_empty=True, activation_seconds=60)
    key = ring.active()
    assert [k["kid"] for k in ring.jwks()["keys"]] == [key.kid]
    assert ring.jwks()["keys"][0]["alg"] == "RS256" and "d" not in ring.jwks()["keys"][0]


def test_a_new_key_is_published_first_and_signs_after_the_activation_time(tmp_path):
    folder = tmp_path / "web"
    old = new_key_file(folder, datetime.now(UTC) - timedelta(days=1))
    long_ago = time.time() - 86400
    os.utime(old, (long_ago, long_ago))
    ring = KeyRing(folder, create_if_empty=False, activation_seconds=60)
    new = new_key_file(folder)
    assert {k["kid"] for k in ring.jwks()["keys"]} == {old.stem, new.stem}
    assert ring.active().kid == old.stem  # published, not yet signing
    a_minute_ago = time.time() - 61
    os.utime(new, (a_minute_ago, a_minute_ago))
    assert ring.active().kid == new.stem
    old.unlink()
    assert [k["kid"] for k in ring.jwks()["keys"]] == [new.stem]


def test_two_keys_made_in_the_same_instant_are_two_keys_in_creation_order(tmp_path):
    moment = datetime.now(UTC)
    first = new_key_file(tmp_path, moment)
    second = new_key_file(tmp_path, moment)
    later = new_key_file(tmp_path, moment + timedelta(microseconds=1))

    assert first != second and first.read_text() != second.read_text()
    assert max(first.stem, second.stem) < later.stem  # the newest still sorts last


def test_production_refuses_to_make_up_its_own_secret_or_key(tmp_path):
    import pytest

    from gachi_kit.auth import generate_keypair
    from gachi_kit.config import MissingSecret
    from web.config import Settings

    base = {
        "GACHI_DATA_DIR": str(tmp_path),
        "GACHI_ENV": "production",
        "JWT_PUBLIC_KEY": generate_keypair()[1],
    }
    with pytest.raises(MissingSecret, match=r"^WEB_SIGNING_KEYS_DIR"):
        Settings.load(base)
    with pytest.raises(MissingSecret, match=r"^WEB_SECRET_KEY"):
        Settings.load({**base, "WEB_SIGNING_KEYS_DIR": str(tmp_path / "none")})
    settings = Settings.load(
        {**base, "WEB_SECRET_KEY": "s" * 48, "WEB_SIGNING_KEYS_DIR": str(tmp_path / "none")}
    )
    assert settings.cookie_secure and settings.production
    ring = KeyRing(settings.signing_keys_dir, create_if_empty=not settings.production)
    with pytest.raises(RuntimeError, match="no signing key"):
        ring.active()


def test_access_tokens_live_fifteen_minutes_at_most(tmp_path):
    import pytest

    from web.config import Settings

    with pytest.raises(ValueError, match="ACCESS_TOKEN_MINUTES"):
        Settings.load({"GACHI_DATA_DIR": str(tmp_path), "ACCESS_TOKEN_MINUTES": "16"})
