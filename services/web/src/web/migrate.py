"""Apply web's migrations to its database."""

from pathlib import Path

from gachi_kit.migrations import upgrade

SERVICE_DIR = Path(__file__).resolve().parents[2]


def migrate(url: str) -> None:
    upgrade(SERVICE_DIR, url)
