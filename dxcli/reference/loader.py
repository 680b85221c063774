"""Read the reference data as plain dicts, loading only the files a command needs.

The bundled data is validated in the tests and by ``dxcli reference lint``;
this module does no validation, so the everyday path never imports pydantic.
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
    """$XDG_CACHE_HOME/dxcli, or ~/.cache/dxcli; a relative XDG_CACHE_HOME is ignored, as the
    XDG Base Directory specification says (it would name a different place in each directory)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dxcli"


CACHE_FORMAT = 2  # bump when the layout of the cached copies changes


def _stamp(path: Path) -> str:
    """Names a file's current content: its path, size and modification time."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise DataError(f"cannot read reference file {path}: {e.strerror}", hint=REINSTALL) from None
    return f"{__version__}-c{CACHE_FORMAT}-{st.st_dev}-{st.st_ino}-{st.st_size}-{st.st_mtime_ns}"


@lru_cache(maxsize=None)
def _table(path: Path, kind: str) -> tuple[dict[str, int], dict[str, int], list[bytes]]:
    """One kind of record of one TOML file, from its precomputed copy: (position by id,
    position by normalised name or alias, each record as marshal bytes).

    The copies are the precomputed form of the data, one per file and kind, named by the
    file's size and modification time and rebuilt whenever it changes; they are skipped if
    they cannot be used. A command decodes only the kinds it needs, and a lookup by name
    only the record it finds. (marshal is the format of Python's own byte-code cache, kept
    in the same kind of place: the user's cache directory.)
    """
    import marshal

    base = cache_dir() / "data" / _stamp(path)
    try:
        with open(f"{base}.{kind}.bin", "rb") as fh:
            return marshal.load(fh)
    except FileNotFoundError:
        if os.path.exists(f"{base}.done"):  # the file was split and holds no such kind
            return {}, {}, []
    except (OSError, ValueError, EOFError, TypeError):
        pass
    tables = {k: _split(v) for k, v in parse_toml(path).items()}
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
        for k, t in tables.items():
            tmp = f"{base}.{k}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                marshal.dump(t, fh)
            os.replace(tmp, f"{base}.{k}.bin")
        open(f"{base}.done", "w").close()
    except OSError:
        pass  # no cache: the TOML is simply parsed again next time
    return tables.get(kind, ({}, {}, []))


def _split(value: Any) -> tuple[dict[str, int], dict[str, int], list[bytes]]:
    import marshal

    from dxcli.query.lookup import norm

    items = value if isinstance(value, list) else [value]
    ids: dict[str, int] = {}
    names: dict[str, int] = {}
    for i, rec in enumerate(items):
        if isinstance(rec, dict):
            if isinstance(rec.get("id"), str):
                ids.setdefault(rec["id"], i)
            for n in [rec.get("id"), rec.get("name"), rec.get("label"), *(rec.get("aliases") or [])]:
                if isinstance(n, str):
                    names.setdefault(norm(n), i)
    return ids, names, [marshal.dumps(rec) for rec in items]


def read_kind(path: Path, kind: str) -> Any:
    """One kind of record (a list), or the ``meta`` table, of one TOML file."""
    import marshal

    blobs = _table(path, kind)[2]
    if kind == "meta":
        return marshal.loads(blobs[0]) if blobs else {}
    return [marshal.loads(b) for b in blobs]


def record_named(kind: str, key: str, normalised: str) -> dict[str, Any] | None:
    """The record whose id is ``key``, or else whose name or alias normalises to
    ``normalised``, decoding only that record; None when there is none."""
    import marshal

    files = _kind_files(kind)
    for index in (1, 2):
        probe = key if index == 1 else normalised
        for path in files:
            t = _table(path, kind)
            pos = t[0 if index == 1 else 1].get(probe)
            if pos is not None:
                return marshal.loads(t[2][pos])
    return None


def derived(name: str, build: Any) -> Any:
    """A value computed from the whole data set (bundled and packs), cached as JSON and
    rebuilt whenever any data file changes: ``build()`` makes it."""
    import binascii
    import json

    files = [bundled_dir() / KIND_FILES[k] for k in KIND_FILES] + list(_pack_files)
    stamp = "|".join(_stamp(p) for p in files)
    key = f"{binascii.crc32(stamp.encode()):08x}-{len(stamp)}"
    cached = cache_dir() / "derived" / f"{name}-{key}.json"
    try:
        with open(cached, encoding="utf-8") as fh:
            doc = json.load(fh)
        if doc.get("stamp") == stamp:
            return doc["value"]
    except (OSError, ValueError, AttributeError):
        pass
    value = build()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = f"{cached}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"stamp": stamp, "value": value}, fh, ensure_ascii=False)
        os.replace(tmp, cached)
    except OSError:
        pass
    return value


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
_pack_files: list[Path] = []


@lru_cache(maxsize=None)
def records(kind: str) -> list[dict[str, Any]]:
    """All records of one kind: the bundled data, then any packs', in file order."""
    return [rec for path in _kind_files(kind) for rec in read_kind(path, kind)]


def _kind_files(kind: str) -> list[Path]:
    """The files that can hold records of ``kind``: its bundled file, then every pack file."""
    return [bundled_dir() / KIND_FILES[kind], *_pack_files]


def bundled_files() -> list[Path]:
    d = bundled_dir()
    return [d / META_FILE] + [d / f for f in dict.fromkeys(KIND_FILES.values())]


def use_packs(paths: list[Path]) -> None:
    """Add packs of TOML files to the bundled data, after checking them in its context.

    A pack that fails the checks is refused whole (DataError, exit 3); the bundled data is
    never changed. The checks run once per state of the pack's files: a pack that passed is
    remembered by their size and mtime, so the checks stay off the everyday path.
    """
    if not paths and not _pack_files:
        return
    _pack_files.clear()
    records.cache_clear()
    if not paths:
        return
    from dxcli.reference import packs

    _pack_files.extend(packs.load(paths))


def meta() -> dict[str, Any]:
    return read_kind(bundled_dir() / META_FILE, "meta")


def by_id(kind: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records(kind)}
