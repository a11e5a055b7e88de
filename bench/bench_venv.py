"""A virtual environment of its own for a benchmark-only tool (Locust, the Oscar peer):
created from the package registry at bench time with the pinned requirements file given,
never by `make install`, and reinstalled only when that file changes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import venv
from pathlib import Path


def ensure(folder: Path, requirements: Path) -> Path:
    """The environment's `bin/` folder, installed (or brought up to `requirements`) first."""
    stamp = folder / ".requirements-sha256"
    wanted = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if (folder / "bin" / "python").exists() and stamp.exists() and stamp.read_text() == wanted:
        return folder / "bin"
    print(f"installing {requirements.name} into {folder} ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    subprocess.run(
        [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(requirements)],
        check=True,
        env={**os.environ, "PIP_CONSTRAINT": ""},  # its own pins, not the services' constraints
    )
    stamp.write_text(wanted)
    return folder / "bin"
