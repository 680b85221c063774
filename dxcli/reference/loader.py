"""Read the reference data as plain dicts, from the store (``dxcli.reference.store``).

The store holds the bundled data and any packs, validated once per data state; the
everyday path reads it and imports neither tomllib nor pydantic.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from dxcli import __version__
from dxcli.errors import DataError


def toml() -> Any:
    """The TOML parser (imported only when a file has to be parsed)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib

REINSTALL = "the bundled data is damaged: reinstall dxcli, or run 'dxcli reference lint' on it"

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


def bundled_dir() -> Path:
    """The bundled data: inside the installed package, or ``reference/`` in a checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_data"
    if packaged.is_dir():
        return packaged
    return here.parent / "reference"


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/dxcli``, or ``~/.cache/dxcli``; a relative XDG_CACHE_HOME is ignored,
    as the XDG Base Directory specification says."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dxcli"


def parse_toml(path: Path) -> dict[str, Any]:
    tomllib = toml()
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as e:
        raise DataError(f"cannot read reference file {path}: {e.strerror}", hint=REINSTALL) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise DataError(f"invalid reference file {path}: {e}", hint=REINSTALL) from None


# The files of the user packs in use (``--reference``); empty unless packs are in use.
_pack_files: list[tuple[Path, str]] = []


def bundled_files() -> list[Path]:
    d = bundled_dir()
    return [d / META_FILE] + [d / f for f in dict.fromkeys(KIND_FILES.values())]


def source_files() -> list[tuple[Path, str]]:
    """Every file of the current data state, with the name shown in messages."""
    return [(p, f"(bundled) {p.name}") for p in bundled_files()] + list(_pack_files)


def _new_store() -> Any:
    from dxcli.reference.store import Store

    return Store(source_files)


_store: Any = None


def store() -> Any:
    global _store
    if _store is None:
        _store = _new_store()
    return _store


@lru_cache(maxsize=None)
def records(kind: str) -> list[dict[str, Any]]:
    """All records of one kind: the bundled data, then any packs', in file order."""
    return store().records(kind)


def by_id(kind: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records(kind)}


def by_ids(kind: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Only the records named, decoding no others."""
    return store().by_ids(kind, list(ids))


def record_named(kind: str, key: str, normalised: str) -> dict[str, Any] | None:
    """The record whose id is ``key``, or else whose name or alias normalises to
    ``normalised``, decoding only that record; None when there is none."""
    return store().named(kind, key, normalised)


def referring(kind: str, rel: str, target: str) -> list[dict[str, Any]]:
    """The records of ``kind`` that refer to ``target`` (a condition, nerve or root)."""
    return store().referring(kind, rel, target)


def use_packs(paths: list[Path]) -> None:
    """Add packs of TOML files to the bundled data. A pack is checked with the bundled data
    when its data state's store is built, and refused whole (DataError, exit 3) on any
    problem; the bundled data is never changed."""
    global _store
    if not paths and not _pack_files:
        return
    _pack_files.clear()
    records.cache_clear()
    if _store is not None:
        _store.close()
    _store = None
    if not paths:
        return
    from dxcli.reference import packs

    _pack_files.extend(packs.load(paths))


def meta() -> dict[str, Any]:
    rows = records("meta")
    return rows[0] if rows else {}
