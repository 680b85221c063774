"""Where the reference data is and how its files are read: the first step of the one-way
chain inside ``dxcli.reference`` (reading, ``files`` and ``bounds``; checking, ``models`` and
``integrity``; packs, ``packs``; building and opening, ``store``; the façade, ``loader``).
Each module imports only those before it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

# Which file holds which kind of record (the TOML array-of-tables name).
KIND_FILES: dict[str, str] = {
    "citation": "citations.toml",
    "structure": "anatomy.toml",
    "muscle": "muscles.toml",
    "nerve": "nerves.toml",
    "condition": "conditions.toml",
    "maneuver": "maneuvers.toml",
    "test": "tests.toml",
    "red_flag": "redflags.toml",
    "scale": "scales.toml",
    "grading": "tonnis.toml",
    "complaint": "complaints.toml",
    "finding": "findings.toml",
    "case": "cases.toml",
    "study": "studies.toml",
}
META_FILE = "meta.toml"


def toml() -> Any:
    """The TOML parser (imported only when a file has to be parsed)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib


def bundled_dir() -> Path:
    """The bundled data: inside the installed package, or ``reference/`` in a checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_data"
    if packaged.is_dir():
        return packaged
    return here.parent / "reference"


def bundled_files() -> list[Path]:
    d = bundled_dir()
    return [d / META_FILE] + [d / f for f in dict.fromkeys(KIND_FILES.values())]


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/dxcli``, or ``~/.cache/dxcli``; a relative XDG_CACHE_HOME is ignored,
    as the XDG Base Directory specification says."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dxcli"

