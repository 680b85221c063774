"""Read the reference data as plain dicts, loading only the files a command needs.

The bundled data is validated in the tests and by ``dxcli reference lint``;
this module does no validation, so the everyday path never imports pydantic.
"""

from __future__ import annotations

import hashlib
import json
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
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dxcli"


@lru_cache(maxsize=None)
def read_file(path: Path) -> dict[str, Any]:
    """One TOML file as data, through a JSON copy cached by the file's path, size and mtime.

    The JSON copy is the precomputed form of the data: parsing it costs a small fraction of
    parsing TOML. It is rebuilt whenever the file changes and skipped if it cannot be used.
    """
    try:
        st = os.stat(path)
    except OSError as e:
        raise DataError(f"cannot read reference file {path}: {e.strerror}", hint=REINSTALL) from None
    key = hashlib.sha256(f"{__version__}|{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()
    cached = cache_dir() / "data" / f"{key[:32]}.json"
    try:
        with open(cached, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        pass
    data = parse_toml(path)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:
        pass  # no cache: the TOML is simply parsed again next time
    return data


def parse_toml(path: Path) -> dict[str, Any]:
    tomllib = toml()
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as e:
        raise DataError(f"cannot read reference file {path}: {e.strerror}", hint=REINSTALL) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise DataError(f"invalid reference file {path}: {e}", hint=REINSTALL) from None


# Records added by user packs (``--reference``), per kind; empty unless packs are in use.
_pack_records: dict[str, list[dict[str, Any]]] = {}


@lru_cache(maxsize=None)
def records(kind: str) -> list[dict[str, Any]]:
    """All records of one kind: the bundled data, then any packs', in file order."""
    return list(read_file(bundled_dir() / KIND_FILES[kind]).get(kind, [])) + _pack_records.get(kind, [])


def bundled_files() -> list[Path]:
    d = bundled_dir()
    return [d / META_FILE] + [d / f for f in dict.fromkeys(KIND_FILES.values())]


def use_packs(paths: list[Path]) -> None:
    """Add packs of TOML files to the bundled data, after checking them in its context.

    A pack that fails the checks is refused whole (DataError, exit 3); the bundled data is
    never changed. Validation runs once per pack content: a pack that passed is remembered
    by its hash, so the checks stay off the everyday path.
    """
    if not paths and not _pack_records:
        return
    _pack_records.clear()
    records.cache_clear()
    if not paths:
        return
    from dxcli.reference import packs

    for kind, recs in packs.load(paths).items():
        _pack_records.setdefault(kind, []).extend(recs)


def meta() -> dict[str, Any]:
    return read_file(bundled_dir() / META_FILE)["meta"]


def by_id(kind: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records(kind)}
