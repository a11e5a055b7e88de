"""Sets the peer up: its own virtual environment from the package registry (the pinned
requirements.txt beside this file, at bench time, never by `make install`), its own
PostgreSQL database `gachi_bench_oscar` recreated and seeded with gachi's benchmark
catalogue, and gunicorn as in the issue (2 workers x 4 threads).

    .venv/bin/python bench/peers/oscar/prepare.py      # set up only; compare.py calls it too

The environment lives in data/bench/oscar-venv (BENCH_OSCAR_VENV moves it) and is
reinstalled only when requirements.txt changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
REQUIREMENTS = HERE / "requirements.txt"
sys.path.insert(0, str(REPO / "bench"))
import bench_venv  # noqa: E402

VENV = Path(os.environ.get("BENCH_OSCAR_VENV", REPO / "data" / "bench" / "oscar-venv"))


def venv_python() -> Path:
    """The peer's interpreter, installed (or brought up to requirements.txt) first."""
    return bench_venv.ensure(VENV, REQUIREMENTS) / "python"


def seed(catalogue: list) -> list[int]:
    """Recreate, migrate and seed the peer's database; returns its product ids in order."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(catalogue, handle, ensure_ascii=False)
    try:
        done = subprocess.run(
            [str(venv_python()), str(HERE / "seed.py"), handle.name],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(handle.name)
    return json.loads(done.stdout.strip().splitlines()[-1])["product_ids"]


def gunicorn_argv(port: int) -> list[str]:
    return [
        str(VENV / "bin" / "gunicorn"),
        "--workers",
        "2",
        "--threads",
        "4",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(HERE),
        "django.core.wsgi:get_wsgi_application()",
    ]


def gunicorn_env() -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "settings", "PYTHONUNBUFFERED": "1"}


def catalogue_of(enterprises) -> list:
    """gachi's ENTERPRISES (name, kind, sigungu, [(product, price, tax, unit)]) as the
    peer's [partner, [(title, price)]]."""
    return [[name, [[p[0], p[1]] for p in products]] for name, _k, _s, products in enterprises]


if __name__ == "__main__":
    from seeded_platform import ENTERPRISES

    ids = seed(catalogue_of(ENTERPRISES))
    print(f"peer ready: {len(ids)} products in gachi_bench_oscar; start it with")
    print(" ".join(gunicorn_argv(8010)))
