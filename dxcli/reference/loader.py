"""Read the reference data as plain dicts: the façade over ``dxcli.reference``.

A ``Reference`` is the data of one set of packs (the bundled data plus the packs named, in
order), read from its store (``dxcli.reference.store``), which holds it validated once per
data state; the everyday path imports neither tomllib nor pydantic. A Reference is safe to
share between threads: its store serialises its reads on one connection, and its cache of
decoded records is filled under a lock.

The module-level functions read the *current* Reference: the one a caller made current with
``using(ref)`` (a context variable, so each thread and each asyncio task sees its own), or
else the process's default, the bundled data plus ``--reference``/``DXCLI_REFERENCE_PATH``,
which the CLI sets once with ``use_packs``. A library caller does::

    ref = loader.reference([Path("my-pack")])   # one Reference per set of packs, kept
    with loader.using(ref):
        rows = conditions.differential("buttock")  # any query function
"""

from __future__ import annotations

import contextlib
import os
import threading
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

from dxcli.reference.files import KIND_FILES, META_FILE, bundled_dir, bundled_files, cache_dir, toml  # noqa: F401  (the façade)


_NONE = object()


class Reference:
    """The reference data of one set of packs, opened (and its store built if need be) on
    first read. ``packs`` are pack paths (directories or files); DataError (exit 3) at once
    if one is refused (a link, not a regular file, too large); the files' content is checked
    when the store of this data state is built."""

    def __init__(self, packs: Sequence[Path] = ()) -> None:
        from dxcli.reference.store import Store

        self.packs: tuple[Path, ...] = tuple(Path(p) for p in packs)
        self._pack_files: list[tuple[Path, str]] = []
        if self.packs:
            from dxcli.reference import packs as pack_files

            self._pack_files = pack_files.load(list(self.packs))
        self.store = Store(self.source_files)
        self._records: dict[str, list[dict[str, Any]]] = {}
        self._derived: dict[str, Any] = {}
        self._lock = threading.Lock()

    def source_files(self) -> list[tuple[Path, str]]:
        """Every file of this data state, with the name shown in messages."""
        return [(p, f"(bundled) {p.name}") for p in bundled_files()] + list(self._pack_files)

    def records(self, kind: str) -> list[dict[str, Any]]:
        """All records of one kind: the bundled data, then the packs', in file order (decoded
        once per Reference; callers do not change them)."""
        got = self._records.get(kind)
        if got is None:
            got = self.store.records(kind)
            with self._lock:
                got = self._records.setdefault(kind, got)
        return got

    def by_id(self, kind: str) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.records(kind)}

    def derived(self, key: str, make: Callable[[], Any]) -> Any:
        """A value a query derives from this Reference's records (an index), made once per
        Reference and kept with it, so two References in one process never see each other's."""
        got = self._derived.get(key, _NONE)
        if got is _NONE:
            got = make()
            with self._lock:
                got = self._derived.setdefault(key, got)
        return got

    def by_ids(self, kind: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        memo = _memo_of(self)
        if memo is None:
            return self.store.by_ids(kind, list(ids))
        known = memo.setdefault(("id", kind), {})
        missing = [i for i in dict.fromkeys(ids) if i not in known]
        if missing:
            got = self.store.by_ids(kind, missing)
            for i in missing:
                known[i] = got.get(i)
        return {i: known[i] for i in dict.fromkeys(ids) if known[i] is not None}

    def record_named(self, kind: str, key: str, normalised: str) -> Optional[dict[str, Any]]:
        memo = _memo_of(self)
        if memo is None:
            return self.store.named(kind, key, normalised)
        named = memo.setdefault(("named", kind), {})
        if (key, normalised) not in named:
            by_id = memo.get(("id", kind), {}).get(key)  # read by its id already (``prefetch``)
            named[(key, normalised)] = by_id if by_id is not None else self.store.named(kind, key, normalised)
        return named[(key, normalised)]

    def prefetch(self, kind: str, ids: list[str]) -> None:
        """Inside an answer, read the records of these ids in one read for the lookups that
        follow (by id or by name); outside one, nothing."""
        if _memo_of(self) is not None:
            self.by_ids(kind, ids)

    def referring(self, kind: str, rel: str, target: str) -> list[dict[str, Any]]:
        return self.referring_each(kind, rel, [target])[target]

    def referring_each(self, kind: str, rel: str, targets: list[str]) -> dict[str, list[dict[str, Any]]]:
        memo = _memo_of(self)
        if memo is None:
            return self.store.referring_each(kind, rel, list(targets))
        known = memo.setdefault(("refs", kind, rel), {})
        missing = [t for t in dict.fromkeys(targets) if t not in known]
        if missing:
            got = self.store.referring_each(kind, rel, missing)
            known.update(got)
            ids = memo.setdefault(("id", kind), {})
            for recs in got.values():  # a later read by id takes these (ids are unique in a kind)
                for rec in recs:
                    ids.setdefault(rec["id"], rec)
        return {t: known[t] for t in targets}

    def answer_memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()``, kept for the rest of the current answer (``answering``) when there is
        one, else made afresh: a value derived from records, never kept past the answer."""
        memo = _memo_of(self)
        if memo is None:
            return make()
        made = memo.setdefault(("made",), {})
        if key not in made:
            made[key] = make()
        return made[key]

    def meta(self) -> dict[str, Any]:
        rows = self.records("meta")
        return rows[0] if rows else {}

    def recover(self) -> bool:
        """An answer met something that cannot be (a link to a record that is not there):
        rebuild the store if it is not whole, and say whether the answer should be asked
        again (see ``Store.recover``)."""
        if not self.store.is_open or not self.store.recover():
            return False
        with self._lock:
            self._records.clear()
            self._derived.clear()
        return True

    def close(self) -> None:
        self.store.close()


_default: Optional[Reference] = None
_default_lock = threading.Lock()

# -- one answer's reads ---------------------------------------------------------------------
# Inside ``answering()``, each record a query reads (by id, by name, or by what it refers to)
# is decoded once and kept until the block ends: the stages of a case and the sections of a
# ranked report share their records instead of reading them from the store again. Nothing is
# kept past the block (the next answer reads the store afresh), and a memo belongs to the
# Reference it was read from: a call made inside the block on another Reference (``using``)
# reads its own store. The records are shared, so callers do not change them (as with
# ``Reference.records``).
_answer: ContextVar[Optional[tuple["Reference", dict[Any, Any]]]] = ContextVar("dxcli_answer", default=None)


def _memo_of(ref: "Reference") -> Optional[dict[Any, Any]]:
    got = _answer.get()
    return got[1] if got is not None and got[0] is ref else None


@contextlib.contextmanager
def answering() -> Iterator[None]:
    """Keep the current Reference's records read inside the block, for the block only (one
    answer). Nested blocks share the outer one's memo."""
    ref = current()
    if _memo_of(ref) is not None:
        yield
        return
    token = _answer.set((ref, {}))
    try:
        yield
    finally:
        _answer.reset(token)


_current: ContextVar[Optional[Reference]] = ContextVar("dxcli_reference", default=None)
_opened: dict[tuple[str, ...], tuple[tuple[Any, ...], Reference]] = {}


def default() -> Reference:
    """The process's default Reference (the bundled data plus the packs of ``use_packs``)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Reference()
    return _default


def current() -> Reference:
    """The Reference the module-level functions read: ``using``'s, else the default."""
    return _current.get() or default()


def reference(packs: Sequence[Path] = ()) -> Reference:
    """The Reference of the bundled data plus ``packs``, opened once per process for each
    set of packs (by their absolute paths, in order) and kept, so its store and its decoded
    records serve every later call; an edited, added or removed pack file opens a new one in
    its place. Safe to call from any thread."""
    key = tuple(str(Path(p).absolute()) for p in packs)
    sig = _signature(packs)
    with _default_lock:
        kept = _opened.get(key)
    if kept is not None and kept[0] == sig:
        return kept[1]
    made = Reference(packs)
    with _default_lock:
        kept = _opened.get(key)
        if kept is not None and kept[0] == sig:  # another thread opened it first
            ref = kept[1]
        else:  # the old one (if any) is left to calls that still hold it
            _opened[key] = (sig, made)
            ref = made
    if ref is not made:
        made.close()
    return ref


def _signature(packs: Sequence[Path]) -> tuple[Any, ...]:
    """What a kept Reference's packs look like now (each TOML file's path, size, mtime and
    ctime, as the store keys a data state), so an edited, added or removed pack file gives a
    new Reference instead of answers from the old one. A few stats a call; no reading."""
    if not packs:
        return ()
    from dxcli.reference.packs import pack_files

    out: list[Any] = []
    for path in packs:
        files, refused = pack_files(Path(path))
        out += refused
        for f, _shown in files:
            try:
                st = os.stat(f)
            except OSError as e:
                out.append((str(f), e.errno))
            else:
                out.append((str(f), st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(out)


@contextlib.contextmanager
def using(ref: Reference) -> Iterator[Reference]:
    """Make ``ref`` the current Reference inside the block, for this thread or task only."""
    token = _current.set(ref)
    try:
        yield ref
    finally:
        _current.reset(token)


def use_packs(paths: list[Path]) -> None:
    """Set the default Reference to the bundled data plus packs of TOML files (the CLI's
    ``--reference``). A pack is checked with the bundled data when its data state's store is
    built, and refused whole (DataError, exit 3) on any problem; the bundled data is never
    changed."""
    global _default
    if not paths and (_default is None or not _default.packs):
        return
    new = Reference(paths) if paths else None
    with _default_lock:
        old, _default = _default, new
    if old is not None and all(old is not r for _sig, r in _opened.values()):
        old.close()


# -- the façade: the current Reference's reads ------------------------------------------------
def store() -> Any:
    return current().store


def source_files() -> list[tuple[Path, str]]:
    """Every file of the current data state, with the name shown in messages."""
    return current().source_files()


def records(kind: str) -> list[dict[str, Any]]:
    """All records of one kind: the bundled data, then any packs', in file order."""
    return current().records(kind)


def by_id(kind: str) -> dict[str, dict[str, Any]]:
    return current().by_id(kind)


def by_ids(kind: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Only the records named, decoding no others."""
    return current().by_ids(kind, ids)


def record_named(kind: str, key: str, normalised: str) -> dict[str, Any] | None:
    """The record whose id is ``key``, or else whose name or alias normalises to
    ``normalised``, decoding only that record; None when there is none."""
    return current().record_named(kind, key, normalised)


def referring(kind: str, rel: str, target: str) -> list[dict[str, Any]]:
    """The records of ``kind`` that refer to ``target`` (a condition, nerve or root)."""
    return current().referring(kind, rel, target)


def referring_each(kind: str, rel: str, targets: list[str]) -> dict[str, list[dict[str, Any]]]:
    """``referring`` for each of ``targets`` at once (one read of the store): {target: records}."""
    return current().referring_each(kind, rel, targets)


def prefetch(kind: str, ids: list[str]) -> None:
    """See ``Reference.prefetch``: for the current Reference."""
    current().prefetch(kind, ids)


def answer_memo(key: Any, make: Callable[[], Any]) -> Any:
    """See ``Reference.answer_memo``: for the current Reference."""
    return current().answer_memo(key, make)


def in_answer() -> bool:
    """Whether the current Reference's reads are being kept (inside ``answering``)."""
    return _memo_of(current()) is not None


def meta() -> dict[str, Any]:
    return current().meta()


def derived(key: str, make: Callable[[], Any]) -> Any:
    """See ``Reference.derived``: for the current Reference."""
    return current().derived(key, make)


def recover() -> bool:
    """See ``Reference.recover``: for the current Reference."""
    return current().recover()
