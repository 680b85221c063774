"""The store: all reference data (bundled plus packs), validated once per data state and
written into one SQLite database under the user cache directory.

A data state is named by the stat key of every source file — path, device, inode, size,
mtime and ctime in nanoseconds, as git's index keys a file — plus dxcli's version and the
store format, so an edit whose mtime was restored (``cp -p``, ``touch -r``) still changes
the ctime and so the state. The store is built into a temporary file and renamed into place:
a reader sees a whole store or none. A file that is not a store of this format and state
(SQLite's own errors, the ``meta`` rows, the expected tables) is rebuilt, never trusted.

Building parses each TOML file once and validates every record once through the models
(defaults applied); reading needs neither tomllib nor pydantic.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from dxcli import __version__
from dxcli.errors import DataError
from dxcli.reference.files import cache_dir

STORE_FORMAT = 8  # 8: built in one write transaction (streamed), its header checked on open; close-spelling index
# The FTS5 index of search, its shadow tables and its vocabulary. A store built
# by a Python whose SQLite lacks FTS5 has none of them (and its ``search`` says so).
SEARCH_TABLES = {"search_fts", "search_fts_data", "search_fts_idx", "search_fts_config", "search_vocab", "search_terms",
                 "search_grams", "search_gram_counts"}
TABLES = {"meta", "records", "names", "refs", "search_docs"} | SEARCH_TABLES
_INDEXES = """
CREATE INDEX records_id ON records (kind, id);
CREATE INDEX names_name ON names (kind, name);
CREATE INDEX refs_target ON refs (kind, rel, target);
"""
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (kind TEXT NOT NULL, pos INTEGER NOT NULL, id TEXT, body TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (kind, pos));
CREATE TABLE names (kind TEXT NOT NULL, name TEXT NOT NULL, pos INTEGER NOT NULL);
CREATE TABLE refs (kind TEXT NOT NULL, pos INTEGER NOT NULL, rel TEXT NOT NULL, target TEXT NOT NULL);
CREATE TABLE search_docs (doc INTEGER PRIMARY KEY, kind TEXT NOT NULL, pos INTEGER NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL);
"""
# The kinds ``dxcli search`` looks in, in the order its ties are listed.
SEARCHABLE = ("condition", "maneuver", "test", "red_flag", "muscle", "nerve", "structure", "finding", "scale", "grading", "case", "citation")
_NOT_TEXT = ("id", "source", "deep_dive_source", "refs", "citations")


def texts(obj: Any, out: Optional[list[str]] = None) -> list[str]:
    """The prose of a record that search reads: every string but ids and sources."""
    out = [] if out is None else out
    kind = type(obj)
    if kind is str:
        out.append(obj)
    elif kind is dict:
        for k, v in obj.items():
            if k not in _NOT_TEXT:
                texts(v, out)
    elif kind is list:
        for v in obj:
            texts(v, out)
    return out


def search_head(rec: dict[str, Any]) -> str:
    return rec.get("name") or rec.get("title") or rec.get("authors", "")


# A search document's words, normalised (dxcli.names.norm) and so plain ASCII words, as two rows
# of one FTS5 index: those of its name, id and aliases as row 2*doc+1, the rest as row 2*doc.
# Only row ids are kept (contentless, detail=none): search asks which rows hold a word, and the
# parity of a row id says whether in a name. ``search_vocab`` is the index's vocabulary (an
# fts5vocab view: each word with its number of rows) and ``search_terms`` a copy of it made when
# the store is built. The view counts a word's rows on every read, so the copy serves the whole
# list for close spellings (the view took 70 ms for it on a pack 100x the shipped data), and the
# two check each other: the words a query word matches must be alike in both, FTS5 must return
# as many rows for a word as the copy says, and the whole copy must match its checksum in meta.
_SEARCH_SCHEMA = """
CREATE VIRTUAL TABLE search_fts USING fts5(words, tokenize = 'ascii', content = '', detail = none, columnsize = 0);
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, row);
CREATE TABLE search_terms (term TEXT PRIMARY KEY, rows INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE search_grams (gram TEXT NOT NULL, len INTEGER NOT NULL, term TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (gram, len, term)) WITHOUT ROWID;
CREATE TABLE search_gram_counts (gram TEXT NOT NULL, len INTEGER NOT NULL, rows INTEGER NOT NULL, PRIMARY KEY (gram, len)) WITHOUT ROWID;
"""
NO_FTS5 = "this Python's sqlite3 (SQLite {version}) has no FTS5, which 'dxcli search' needs; every other command works"
NO_FTS5_HINT = "run dxcli with a Python whose sqlite3 includes FTS5 (python.org builds and most Linux distributions' do)"


def _phrase(word: str) -> str:
    """A word as an FTS5 phrase (quoted, so no word is read as an operator)."""
    return '"' + word.replace('"', '""') + '"'


def has_fts5() -> bool:
    """Whether this Python's SQLite has FTS5 (some builds lack it). Asked when building a store
    and when a read of the search index fails, never on the everyday path."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.probe USING fts5(x)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def doc_words(rec: dict[str, Any], words: Callable[[list[str]], frozenset[str]]) -> tuple[frozenset[str], frozenset[str]]:
    """A search document's words: (those of its name, id and aliases; every other word of its
    text). ``words`` gives the normalised words of a list of texts."""
    in_name = words([search_head(rec), rec["id"], *rec.get("aliases", [])])
    return in_name, words(texts(rec)) - in_name


# -- close spellings, found through an index bounded by the query ---------------------------------
# ``search`` takes a word's close spellings as difflib.get_close_matches does (ratio >= 0.8 over
# the whole vocabulary), but reads only the words that can reach that ratio. A ratio of 0.8 is
# 2M/T >= 0.8 with T the two lengths' sum and M <= the longest common subsequence L, so
# L >= 2T/5; reaching L deletes da = la - L letters from the query word and db = lb - L from the
# other. Of the la + 1 bigrams of "^word$", a deleted letter breaks at most two and a run of
# letters inserted between two kept ones at most one, so at least la + 1 - 2da - db of them (and
# likewise lb + 1 - 2db - da) are shared, counted with multiplicity; the bound is 3 or more for
# every pair of lengths that can reach 0.8 (NEAR_SHORTEST on). ``search_grams`` holds each
# vocabulary word's bigrams with their counts, keyed by (bigram, length), so a query word reads
# the postings of its own bigrams at the lengths that can match, then difflib ranks those words
# exactly as before: the same words, the same order (tests/golden/search.tsv).
#
# Its check, bounded by the query: every posting read must be true of its word (its length,
# the bigram's count in it) and each (bigram, length) must have as many postings as
# ``search_gram_counts`` says; a word taken must then be in the vocabulary, whose FTS5 rows
# ``search`` counts as before. This replaces the read of the whole vocabulary against its
# checksum that each word absent from it used to cost: an edit through SQLite (a row deleted,
# moved or changed, with its counts made to agree) is caught before any read by the store's
# header check (``_header_ok``), which is what made the whole-vocabulary read redundant.
NEAR_CUTOFF = 0.8
NEAR_SHORTEST = 3  # the shortest word that can be 0.8 alike to a query word of 4 letters


def grams(word: str) -> dict[str, int]:
    """The bigrams of ``^word$`` with their counts."""
    padded = f"^{word}$"
    out: dict[str, int] = {}
    for i in range(len(padded) - 1):
        g = padded[i : i + 2]
        out[g] = out.get(g, 0) + 1
    return out


def near_lengths(la: int) -> dict[int, int]:
    """{length of a word that can be NEAR_CUTOFF alike to a word of ``la`` letters: the bigrams
    of ``^word$`` the two must share}."""
    out: dict[int, int] = {}
    for lb in range(NEAR_SHORTEST, 2 * la + 2):
        t = la + lb
        least = -(-2 * t // 5)  # L >= 2T/5 (exactly: 5L >= 2T), for a cutoff of 0.8
        if least > min(la, lb):
            continue
        da, db = la - least, lb - least
        out[lb] = max(1, la + 1 - 2 * da - db, lb + 1 - 2 * db - da)
    return out


def terms_digest(terms: list[tuple[str, int]]) -> str:
    """The checksum of the search vocabulary, (word, rows) in word order."""
    return digest("\n".join(f"{t} {n}" for t, n in terms))


def digest(body: str) -> str:
    """A record's checksum (CRC-32): a store whose bytes changed under a record is caught on
    reading it. (Damage is accidental here; the store is the user's own cache.)"""
    return f"{zlib.crc32(body.encode('utf-8')):08x}"


NO_STORE_HINT = "free some disk space, or set XDG_CACHE_HOME (or TMPDIR) to a directory you can write"


class Damaged(Exception):
    """The file at the store's path is not a whole store of this format and state."""


class Rebuilt(Exception):
    """A read found the store damaged and rebuilt it: the whole answer must be read again."""


def stat_key(path: Path) -> str:
    try:
        st = os.stat(path)
    except OSError as e:
        raise DataError(f"cannot read reference file {path}: {e.strerror}", hint="reinstall dxcli, or check the pack path") from None
    return f"{os.path.abspath(path)}|{st.st_dev}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}"


def state_of(files: list[Path]) -> str:
    """The data state: dxcli's version, the store format and the stat key of every file. The
    whole text is kept in the store and compared; the file name uses its CRC-32."""
    return "\n".join([f"dxcli {__version__} store {STORE_FORMAT}", *(stat_key(p) for p in files)])


def _refs(kind: str, rec: dict[str, Any]) -> list[tuple[str, str]]:
    """The cross-references a record makes, for the link table: (relation, target id)."""
    out: list[tuple[str, str]] = []
    if kind in ("maneuver", "test"):
        out += [("condition", ev["condition"]) for ev in rec.get("evidence") or []]
    elif kind == "finding":
        out += [("condition", ln["condition"]) for ln in rec.get("links") or []]
    elif kind == "muscle":
        if rec.get("nerve"):
            out.append(("nerve", rec["nerve"]))
        out += [("root", r) for r in rec.get("roots") or []]
    elif kind == "red_flag":
        out += [("condition", c) for c in rec.get("conditions") or []]
    return list(dict.fromkeys(out))


def build(files: list[tuple[Path, str]], target: Path, state: str) -> None:
    """Parse, validate and check ``files`` once, writing the store at ``target`` (atomically).

    The build streams: each file is parsed and validated, and its records written into the
    new store, before the next file is read, so memory holds one file's records, not the
    pack's (the checks across records are queries over facts kept beside them, on disk).
    DataError (exit 3) when the data has problems: nothing is written then (the new file is
    removed, never renamed into place)."""
    import tempfile

    from dxcli.reference.integrity import _script

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            # The whole build is one write transaction, so the new file's change counter is
            # BUILT_COUNTER (see _header_ok); no statement below may commit on its own.
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("BEGIN")
            _script(conn, _SCHEMA)
            _fill(conn, files, state)
            conn.execute("COMMIT")
        finally:
            conn.close()
        with open(tmp, "rb") as fh:
            if not _header_ok(fh.read(100), os.fstat(fh.fileno()).st_size):  # a SQLite that counts otherwise
                raise RuntimeError(f"the new store's header does not read as one write transaction: {tmp}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_WORD_SET: Optional[Callable[[str], frozenset[str]]] = None


def _word_set() -> Callable[[str], frozenset[str]]:
    """A text's normalised words, with a cache of the last few thousand texts (the same prose
    recurs across records), one a process: a worker reading file after file keeps it."""
    global _WORD_SET
    if _WORD_SET is None:
        from functools import lru_cache

        from dxcli.names import norm

        _WORD_SET = lru_cache(maxsize=1 << 12)(lambda text: frozenset(norm(text).split()))
    return _WORD_SET


def _writer(out: dict[str, list[tuple[Any, ...]]]) -> Callable[[str, int, dict[str, Any], list[str]], None]:
    """The checker's sink: a valid record's rows of the store (``records``, ``names``, ``refs``)
    and its search words (``temp.s_doc``), held in ``out`` for the checker to write. Run where
    the record was read (in a worker process for large data), so the JSON and the words are
    made on every core."""
    word_set = _word_set()

    def doc_words_of(parts: list[str]) -> frozenset[str]:
        return frozenset().union(*map(word_set, parts))

    searchable = {k: i for i, k in enumerate(SEARCHABLE)}
    records, names_, refs, docs = (out.setdefault(t, []) for t in ("records", "names", "refs", "temp.s_doc"))

    def write(kind: str, pos: int, rec: dict[str, Any], names: list[str]) -> None:
        rid = rec["id"]
        body = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
        records.append((kind, pos, rid, body, digest(body)))
        names_.extend([(kind, n, pos) for n in dict.fromkeys(names)])
        refs.extend([(kind, pos, rel, t) for rel, t in _refs(kind, rec)])
        kx = searchable.get(kind)
        if kx is not None:
            in_name, rest = doc_words(rec, doc_words_of)
            docs.append((kind, pos, kx, rid, search_head(rec), " ".join(in_name), " ".join(rest)))

    return write


def _fill(conn: sqlite3.Connection, files: list[tuple[Path, str]], state: str) -> None:
    """Read, check and write every record into the open transaction of a new store: each
    record's rows are written as it is read (and its search words kept in a temporary table),
    so memory holds a few thousand records, never the pack; the checks across records are
    queries over the facts the checker left beside them (``integrity``)."""
    from dxcli.reference.integrity import Checker, _script

    # a searchable record's words: its document number is known once every record is in
    # (kind, then id), so they wait here, in the temporary database (on disk, not in memory)
    conn.execute("CREATE TEMP TABLE s_doc (kind TEXT NOT NULL, pos INTEGER NOT NULL, kx INTEGER NOT NULL, id TEXT NOT NULL, "
                 "name TEXT NOT NULL, in_name TEXT NOT NULL, rest TEXT NOT NULL, PRIMARY KEY (kind, pos)) WITHOUT ROWID")
    checker = Checker(db=conn)
    checker.sink = _writer(checker.out)
    _read_all(checker, files)
    checker.check()
    if checker.problems:
        first = checker.problems[0]
        where = f"{first.file}:{first.line}" if first.line else first.file
        raise DataError(
            f"the reference data has {len(checker.problems)} problem(s); the first: {where}: {first.key + ': ' if first.key else ''}{first.message}",
            hint="run 'dxcli reference lint PATH' to list them all, each with a fix",
        )
    body = json.dumps(checker.meta or {}, ensure_ascii=False, separators=(",", ":"))
    conn.execute("INSERT INTO records VALUES ('meta', 0, NULL, ?, ?)", (body, digest(body)))

    # search documents are numbered in the order ties are listed: kind, then id (file order
    # among equal ids); each has two FTS rows, its name words (2*doc+1) and the rest (2*doc)
    conn.execute("INSERT INTO search_docs SELECT row_number() OVER (ORDER BY kx, id, pos) - 1, kind, pos, id, name FROM temp.s_doc")
    fts = has_fts5()
    if fts:
        _script(conn, _SEARCH_SCHEMA)
        for part, column, where in ((0, "rest", "WHERE s.rest != ''"), (1, "in_name", "")):
            conn.execute(f"INSERT INTO search_fts (rowid, words) SELECT 2 * d.doc + {part}, s.{column} FROM search_docs d "
                         f"JOIN temp.s_doc s ON s.kind = d.kind AND s.pos = d.pos {where} ORDER BY d.doc")
        conn.execute("INSERT INTO search_terms SELECT term, doc FROM search_vocab")
        conn.execute("INSERT INTO meta VALUES ('search_terms', ?)", (terms_digest(conn.execute("SELECT term, rows FROM search_terms ORDER BY term").fetchall()),))
        conn.executemany(
            "INSERT INTO search_grams VALUES (?, ?, ?, ?)",
            ((g, len(t), t, n) for (t,) in conn.execute("SELECT term FROM search_terms WHERE length(term) >= ?", (NEAR_SHORTEST,)).fetchall()
             for g, n in grams(t).items()),
        )
        conn.execute("INSERT INTO search_gram_counts SELECT gram, len, count(*) FROM search_grams GROUP BY gram, len")
    _script(conn, _INDEXES)
    counts = json.dumps(dict(conn.execute("SELECT kind, count(*) FROM records GROUP BY kind ORDER BY kind").fetchall()))
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("format", str(STORE_FORMAT)), ("version", __version__), ("state", state), ("counts", counts)],
    )


KEEP_STORES = 8  # stores of other data states kept beside a new one (packs switched back and forth)


def prune(new: Path) -> None:
    """After ``new`` is built: remove all but the newest KEEP_STORES other stores, and build
    files a crashed run left behind over a day ago. A process still reading a removed store
    keeps reading it (POSIX); one that opens it after finds none and builds its own."""
    import time

    others = []
    for p in new.parent.glob("data-*"):
        try:
            st = p.stat()
        except OSError:
            continue
        if p.suffix == ".tmp":
            if st.st_mtime < time.time() - 86400:
                others.append((0.0, p))
        elif p != new:
            others.append((st.st_mtime, p))
    others.sort(reverse=True)
    stale = [p for m, p in others if m == 0.0] + [p for m, p in others if m != 0.0][KEEP_STORES:]
    for p in stale:
        try:
            p.unlink()
        except OSError:
            pass


PARALLEL_BYTES = 4 * 1024 * 1024  # data larger than this is parsed and validated on every core
WINDOW_PER_CORE = 2  # files read ahead of the writer, per worker


def _read_one(job: tuple[int, tuple[Path, str]]) -> Any:
    """A worker's part of the build: one file read, checked alone, and turned into rows."""
    from dxcli.reference.integrity import Checker

    number, (path, display) = job
    part = Checker(collect=True)
    part.sink = _writer(part.out)
    part.read(path, display, number)
    return part


def _read_all(checker: Any, files: list[tuple[Path, str]]) -> None:
    """Parse and validate every file once, into ``checker``, in file order (the checker writes
    each file's records as they come). Large data (a big pack), where processes can be forked:
    worker processes parse and validate the next files while this one writes, at most
    WINDOW_PER_CORE files a core ahead, so memory holds a few files' records, not the pack's."""
    cores = os.cpu_count() or 1
    try:
        total = sum(os.stat(p).st_size for p, _ in files)
    except OSError:
        total = 0
    if cores > 1 and total > PARALLEL_BYTES and len(files) > 1:
        import multiprocessing

        if "fork" in multiprocessing.get_all_start_methods():
            from collections import deque
            from concurrent.futures import ProcessPoolExecutor

            workers = min(cores, 4)
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                ahead: Any = deque()
                todo = enumerate(files)
                for f in todo:
                    ahead.append(pool.submit(_read_one, f))
                    if len(ahead) >= workers * WINDOW_PER_CORE:
                        checker.merge(ahead.popleft().result())
                while ahead:
                    checker.merge(ahead.popleft().result())
            return
    for path, display in files:
        checker.read(path, display)


# -- the store checked to the row ---------------------------------------------------------------
# A store is built in one write transaction into a new file, so its header's file change
# counter (bytes 24-27, big-endian) is BUILT_COUNTER, and so is the "version-valid-for" number
# (bytes 92-95) that SQLite writes with it. Every later write transaction through SQLite bumps
# the counter: in rollback-journal mode (DELETE, TRUNCATE, PERSIST, MEMORY and OFF alike) each
# commit does, and a switch to WAL mode (whose commits do not touch it) is itself a write that
# bumps it and leaves bytes 18-19 at 2 (they are 1 in rollback mode). So a row deleted, moved,
# duplicated or edited through SQLite, with or without its checksum recomputed, and a VACUUM,
# leave a header that is not a fresh build's, and the store is rebuilt before any of it is read.
# The cost is one read of 100 bytes when the store is opened; no side file, so the single
# atomic rename and concurrent first runs are as before. Damage that bypasses SQLite (bytes
# overwritten in place) leaves the counter alone; that is what SQLite's own errors, the record
# checksums and the cross-checks at each read catch, and also why the file's size must be its
# header's page count times its page size (a file cut short or grown at the end).
BUILT_COUNTER = 1


def _header_ok(head: bytes, size: int) -> bool:
    """Whether a file's first 100 bytes and size are those of a store as built."""
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00") or head[18:20] != b"\x01\x01":
        return False
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(head[28:32], "big")
    counter, valid_for = int.from_bytes(head[24:28], "big"), int.from_bytes(head[92:96], "big")
    return counter == valid_for == BUILT_COUNTER and size == page * pages


def _open_checked(path: Path, state: str) -> sqlite3.Connection:
    """The store at ``path`` if it is a whole store of this format and state, as built (its
    header, then its tables and meta rows); Damaged if not, FileNotFoundError if there is none."""
    try:
        with open(path, "rb") as fh:
            head, size = fh.read(100), os.fstat(fh.fileno()).st_size
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise FileNotFoundError(path) from None
    if not _header_ok(head, size):
        raise Damaged("the store was changed after it was built")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error as e:
        raise Damaged(str(e)) from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        meta = dict(conn.execute("SELECT key, value FROM meta")) if "meta" in tables else {}
    except sqlite3.Error as e:
        conn.close()
        raise Damaged(str(e)) from None
    if tables not in (TABLES, TABLES - SEARCH_TABLES) or meta.get("format") != str(STORE_FORMAT) or meta.get("state") != state:
        conn.close()
        raise Damaged("not a store of this format and data state")
    return conn


class Store:
    """Read access to one data state's store, opened (and built if need be) on first use."""

    def __init__(self, files: Callable[[], list[tuple[Path, str]]]) -> None:
        import threading

        self._files = files
        self._conn: Optional[sqlite3.Connection] = None
        self._fallback: Optional[Path] = None
        self._rebuilt = False
        # One connection serves every thread; a read, an open and a rebuild each hold the lock,
        # so a thread never reads through a connection another is closing (reads take well
        # under a millisecond on the everyday path).
        self._lock = threading.RLock()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    def _path(self, state: str, base: Path) -> Path:
        return base / "store" / f"data-{zlib.crc32(state.encode('utf-8', 'surrogateescape')):08x}-{len(state)}.sqlite"

    def connection(self) -> sqlite3.Connection:
        with self._lock:
            if self._conn is None:
                self._conn = self._open()
            return self._conn

    def _open(self, rebuild: bool = False) -> sqlite3.Connection:
        files = self._files()
        state = state_of([p for p, _ in files])
        base = self._fallback or cache_dir()
        path = self._path(state, base)
        if not rebuild:
            try:
                return _open_checked(path, state)
            except (OSError, Damaged):  # none, not whole, or not readable by this user: build one
                pass
        try:
            build(files, path, state)
            prune(path)
            return self._open_built(path, state)
        except OSError as e:  # the cache cannot be written or read (a file in the way, permissions)
            if self._fallback is not None:
                raise DataError(f"cannot write the data store: {e.strerror or e}", hint=NO_STORE_HINT) from None
            import atexit
            import shutil
            import tempfile

            try:
                self._fallback = Path(tempfile.mkdtemp(prefix="dxcli-"))
            except OSError as t:
                raise DataError(f"cannot write the data store in {base} ({e.strerror or e}) nor in a temporary directory ({t.strerror or t})",
                                hint=NO_STORE_HINT) from None
            atexit.register(shutil.rmtree, self._fallback, True)  # a store for this run only
            from dxcli.errors import tell

            tell(f"cannot write the cache in {base} ({e.strerror or e}); using a temporary store for this run", "dxcli: notice: ")
            path = self._path(state, self._fallback)
            try:
                build(files, path, state)
                return self._open_built(path, state)
            except OSError as t:
                raise DataError(f"cannot write the data store: {t.strerror or t}", hint=NO_STORE_HINT) from None

    @staticmethod
    def _open_built(path: Path, state: str) -> sqlite3.Connection:
        try:
            return _open_checked(path, state)
        except Damaged as e:  # another process replaced it between our rename and open: build our own
            raise DataError(f"the data store is unreadable: {e}", hint="remove the dxcli cache directory and run again") from None

    def query(self, sql: str, args: tuple[Any, ...] = (), decode: Optional[int] = None, fts: bool = False) -> list[Any]:
        """Rows of a read (with column ``decode`` parsed from JSON); a store found damaged
        mid-read is rebuilt once and the read repeated. A read of the search index (``fts``)
        that fails where SQLite has no FTS5 is DataError, not damage."""
        # text that is not UTF-8 (undecodable argv bytes) cannot match: make it harmless
        args = tuple(a.encode("utf-8", "replace").decode("utf-8") if isinstance(a, str) else a for a in args)
        for attempt in (0, 1):
            try:
                with self._lock:
                    rows = self.connection().execute(sql, args).fetchall()
                if decode is None:
                    return rows
                out = []
                for r in rows:
                    body, check = r[decode], r[decode + 1]
                    if digest(body) != check:
                        raise sqlite3.DatabaseError("a record's checksum does not match")
                    # the columns before the body come along with it: (*columns, record)
                    out.append(json.loads(body) if not decode else (*r[:decode], json.loads(body)))
                return out
            except (sqlite3.DatabaseError, json.JSONDecodeError) as e:
                if fts and isinstance(e, sqlite3.OperationalError) and not has_fts5():
                    raise DataError(NO_FTS5.format(version=sqlite3.sqlite_version), hint=NO_FTS5_HINT) from None
                self._rebuild_once()
        raise AssertionError("unreachable")  # pragma: no cover

    def verify(self) -> bool:
        """Whether the open store is whole to the row: its header as built, SQLite's own
        check, every record's checksum, as many records of each kind as were built, and every
        name, link and search document pointing at a record that is there. It reads the whole
        store, so it runs only after an answer met something that cannot be (a link to a
        record that is not there): never on the everyday path."""
        with self._lock:
            conn = self._conn
            if conn is None:
                return True
            try:
                (path,) = [f for _, name, f in conn.execute("PRAGMA database_list") if name == "main"]
                with open(path, "rb") as fh:
                    if not _header_ok(fh.read(100), os.fstat(fh.fileno()).st_size):
                        return False
                if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                    return False
                counts = dict(conn.execute("SELECT kind, count(*) FROM records GROUP BY kind").fetchall())
                (built,) = conn.execute("SELECT value FROM meta WHERE key = 'counts'").fetchone()
                if counts != json.loads(built):
                    return False
                if any(digest(b) != d for b, d in conn.execute("SELECT body, digest FROM records")):
                    return False
                dangling = (
                    "SELECT count(*) FROM {t} x LEFT JOIN records r ON r.kind = x.kind AND r.pos = x.pos WHERE r.body IS NULL"
                )
                if any(conn.execute(dangling.format(t=t)).fetchone()[0] for t in ("names", "refs", "search_docs")):
                    return False
                targets = conn.execute(
                    "SELECT count(*) FROM refs f LEFT JOIN records r ON r.kind = f.rel AND r.id = f.target "
                    "WHERE f.rel != 'root' AND r.body IS NULL"
                ).fetchone()[0]
                return targets == 0
            except (sqlite3.DatabaseError, OSError, ValueError, TypeError):
                return False

    def recover(self) -> bool:
        """After an answer met an inconsistency: rebuild the store if it is not whole (once a
        run, as any rebuild) and say whether it was, so the answer can be asked again."""
        with self._lock:
            if self._rebuilt or self.verify():
                return False
            self._rebuild_once()
            return True

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- reads ------------------------------------------------------------------
    def records(self, kind: str) -> list[dict[str, Any]]:
        return self.query("SELECT body, digest FROM records WHERE kind = ? ORDER BY pos", (kind,), decode=0)

    def by_ids(self, kind: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        # "+pos": order the few rows found through the id index; a bare "ORDER BY pos" leads
        # SQLite to walk the whole kind in its primary key's order instead (a scan per call,
        # 4 ms at 100x the shipped data, against 0.03 ms)
        for rec in self._in("SELECT body, digest FROM records WHERE kind = ? AND id IN ({marks}) ORDER BY +pos", (kind,), ids, decode=0):
            out.setdefault(rec["id"], rec)
        return out

    def named(self, kind: str, key: str, normalised: str) -> Optional[dict[str, Any]]:
        from dxcli.names import names_of, norm

        rows = self.query("SELECT body, digest FROM records WHERE kind = ? AND id = ? ORDER BY +pos LIMIT 1", (kind, key), decode=0)  # +pos: see by_ids
        if not rows:
            rows = self.query(
                "SELECT r.body, r.digest FROM names n JOIN records r ON r.kind = n.kind AND r.pos = n.pos "
                "WHERE n.kind = ? AND n.name = ? ORDER BY n.pos LIMIT 1",
                (kind, normalised),
                decode=0,
            )
        if rows and not (rows[0].get("id") == key or normalised in {norm(n) for n in names_of(rows[0]) if isinstance(n, str)}):
            return self._damaged(lambda: self.named(kind, key, normalised))
        return rows[0] if rows else None

    def _rebuild_once(self) -> None:
        """The store was found damaged: rebuild it, once a run; a second time is DataError."""
        with self._lock:
            if self._rebuilt:
                raise DataError("the data store is unreadable after a rebuild", hint="remove the dxcli cache directory and run again")
            self._rebuilt = True
            self.close()
            self._conn = self._open(rebuild=True)

    def _damaged(self, again: Callable[[], Any]) -> Any:
        """An index disagrees with the records it points at: rebuild once, then ask again."""
        self._rebuild_once()
        return again()

    def _in(self, sql: str, head: tuple[Any, ...], values: list[Any], decode: Optional[int] = None, fts: bool = False) -> list[Any]:
        """``sql`` ending in ``IN ({marks})``, run for ``values`` 500 at a time (SQLite's limit on
        parameters), the rows of every chunk in order."""
        out: list[Any] = []
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            out += self.query(sql.format(marks=",".join("?" * len(chunk))), (*head, *chunk), decode=decode, fts=fts)
        return out

    def referring(self, kind: str, rel: str, target: str) -> list[dict[str, Any]]:
        """Records of ``kind`` that refer to ``target`` by ``rel`` (through the link table)."""
        return self.referring_each(kind, rel, [target])[target]

    def referring_each(self, kind: str, rel: str, targets: list[str]) -> dict[str, list[dict[str, Any]]]:
        """{target: the records of ``kind`` that refer to it by ``rel``, in data order} for
        each of ``targets``, in one read: a record that refers to several is decoded once."""
        out: dict[str, list[dict[str, Any]]] = {t: [] for t in targets}
        if not targets:
            return out
        rows = self._in(
            "SELECT group_concat(f.target, char(31)), r.body, r.digest FROM refs f "
            "JOIN records r ON r.kind = f.kind AND r.pos = f.pos "
            "WHERE f.kind = ? AND f.rel = ? AND f.target IN ({marks}) GROUP BY f.pos ORDER BY f.pos",
            (kind, rel),
            list(out),
            decode=1,
        )
        # (over 500 targets the read goes in chunks, and a record may come back once per chunk,
        # each time with that chunk's targets: a target's records stay in data order)
        for joined, rec in rows:
            mine = _refs(kind, rec)
            for t in joined.split("\x1f"):
                if (rel, t) not in mine or t not in out:
                    return self._damaged(lambda: self.referring_each(kind, rel, targets))
                out[t].append(rec)
        return out

    def word_matches(self, qw: str) -> dict[str, float]:
        """The indexed words a query word matches, with their weights: itself (1), a longer
        word it begins, for a query word of three letters or more (0.9), or, where neither is
        found, a close spelling (up to 0.8). The words are the FTS5 index's own vocabulary."""
        out: dict[str, float] = {w: 1.0 for w, _ in self._terms("term = ?", (qw,))}
        if len(qw) >= 3:
            out.update({w: 0.9 for w, _ in self._terms("term > ? AND term < ?", (qw, qw + "\x7f"))})
        if not out and len(qw) >= 4:  # not in the vocabulary: its close spellings
            import difflib

            for w in difflib.get_close_matches(qw, self._near(qw), n=5, cutoff=NEAR_CUTOFF):
                out[w] = difflib.SequenceMatcher(None, qw, w).ratio() * 0.8
        return out

    def _near(self, qw: str) -> list[str]:
        """The vocabulary's words that share enough bigrams with ``qw`` to be NEAR_CUTOFF alike
        (a superset of those that are), read through ``search_grams`` and checked (above)."""
        need = near_lengths(len(qw))
        lo, hi = min(need), max(need)
        mine = grams(qw)
        rows = self._in("SELECT gram, len, term, n FROM search_grams WHERE len BETWEEN ? AND ? AND gram IN ({marks})", (lo, hi), sorted(mine), fts=True)
        counts = self._in("SELECT gram, sum(rows) FROM search_gram_counts WHERE len BETWEEN ? AND ? AND gram IN ({marks}) GROUP BY gram", (lo, hi), sorted(mine), fts=True)
        postings: dict[str, int] = {}
        shared: dict[str, int] = {}
        for gram, length, term, n in rows:
            if not isinstance(term, str) or length != len(term) or grams(term).get(gram) != n:
                self._search_damaged("the close-spelling index disagreed with its words")
            postings[gram] = postings.get(gram, 0) + 1
            shared[term] = shared.get(term, 0) + min(n, mine[gram])
        if postings != dict(counts):
            self._search_damaged("the close-spelling index disagreed with its counts")
        return sorted(t for t, k in shared.items() if k >= need[len(t)])

    def _search_damaged(self, why: str) -> None:
        """The search index disagrees with itself or its records: rebuild it, and have the
        search asked again (Rebuilt)."""
        self._damaged(lambda: None)
        raise Rebuilt(why)

    def _terms(self, where: str, args: tuple[Any, ...]) -> list[tuple[str, int]]:
        """The (word, rows) of the search vocabulary ``where`` holds, which the index and its
        copy must agree on."""
        index = self.query(f"SELECT term, doc FROM search_vocab WHERE {where} ORDER BY term", args, fts=True)
        copy = self.query(f"SELECT term, rows FROM search_terms WHERE {where} ORDER BY term", args, fts=True)
        if index != copy:
            self._search_damaged("the search index disagreed with its vocabulary")
        return copy

    def search(self, matches: list[dict[str, float]], limit: int) -> list[tuple[float, str, str, str, list[tuple[str, frozenset[str]]]]]:
        """The best ``limit`` matching documents as (score, kind, id, name, texts), the texts
        of its record each with its words: a document matches with a match for each query
        word, each word scoring its best match, three times over in a record's name, id or
        aliases. FTS5 finds the rows that hold each matched word, as many as the vocabulary
        says; document numbers follow the tie order (kind, then id), so only the records shown
        are read. Each of those is scored again from its own text: an index that disagrees with
        its vocabulary or its records is rebuilt, never trusted."""
        if not all(matches):  # a query word that matches no word of the vocabulary: no document has it,
            return []  # so no word's rows are read (at 1000x the data they were most of the cost)
        ranked = self._ranked_in_names(matches[0], limit) if len(matches) == 1 else None
        if ranked is None:
            ranked = self._ranked(matches, limit)
            if not ranked:
                return []
        total = dict(ranked)
        top = [d for d, _ in ranked]
        rows = {
            r[0]: r
            for r in self._in(
                "SELECT s.doc, s.kind, s.pos, s.id, s.name, r.body, r.digest FROM search_docs s "
                "JOIN records r ON r.kind = s.kind AND r.pos = s.pos WHERE s.doc IN ({marks})",
                (),
                top,
            )
        }
        memo: dict[str, frozenset[str]] = {}  # the same prose recurs across records: normalise it once
        out = []
        for d in top:
            body = self._search_doc(rows.get(d), matches, total[d], memo)
            if body is None:
                self._search_damaged("the search index disagreed with its records")
            out.append((total[d], rows[d][1], rows[d][3], rows[d][4], body))
        return out

    def _term_rows(self, words: Iterable[str]) -> dict[str, int]:
        """Each word's number of rows, as the vocabulary's copy (``search_terms``) gives it."""
        return dict(self._in("SELECT term, rows FROM search_terms WHERE term IN ({marks})", (), sorted(words), fts=True))

    def _ranked(self, matches: list[dict[str, float]], limit: int) -> list[tuple[int, float]]:
        """The best ``limit`` documents with a match for every query word, with their scores,
        best first and in tie order: FTS5 finds the rows that hold each matched word, as many as
        the vocabulary says. (Ranked inside SQLite instead, a GROUP BY and a join a word, two
        words over some 60,000 rows each at 1000x the shipped data took 1.5x as long.)"""
        counts = self._term_rows({w for m in matches for w in m})
        total: Optional[dict[int, float]] = None
        for m in matches:
            best: dict[int, float] = {}
            for word, weight in m.items():
                found = self.query("SELECT rowid FROM search_fts WHERE search_fts MATCH ?", (_phrase(word),), fts=True)
                if len(found) != counts.get(word):
                    self._search_damaged("the search index disagreed with its vocabulary")
                for (row,) in found:
                    doc = row >> 1
                    w = weight * 3.0 if row & 1 else weight
                    if w > best.get(doc, 0.0):
                        best[doc] = w
            total = best if total is None else {d: total[d] + w for d, w in best.items() if d in total}
            if not total:
                return []
        assert total is not None
        import heapq

        return [(d, total[d]) for d in heapq.nsmallest(limit, total, key=lambda d: (-total[d], d))]

    def _ranked_in_names(self, m: dict[str, float], limit: int) -> Optional[list[tuple[int, float]]]:
        """A one-word query's best ``limit`` documents, read from the rows of record names alone
        when those hold at least ``limit`` of them (else None: rank every document). A match in
        a name scores three times its weight, at least 3 x 0.64, above any match in a text (at
        most 1), so the documents whose name holds a word of the highest weight come first, in
        document order, then those of the next weight whose name holds none of the first, and
        so on: the first ``limit`` rows of each, found through FTS5 in row order, bounded by the
        answer rather than the word's rows (some 60,000 for "hamstring" at 1000x the data)."""
        counts = self._term_rows(m)
        for word in m:  # FTS5 holds as many rows of each word as the vocabulary says (counted inside SQLite)
            if self.query("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (_phrase(word),), fts=True) != [(counts.get(word),)]:
                self._search_damaged("the search index disagreed with its vocabulary")
        out: list[tuple[int, float]] = []
        higher: list[str] = []
        for weight in sorted(set(m.values()), reverse=True):
            ws = [_phrase(w) for w, v in m.items() if v == weight]
            expr = f"({' OR '.join(ws)})" + (f" NOT ({' OR '.join(higher)})" if higher else "")  # NOT binds before OR
            found = self.query("SELECT rowid FROM search_fts WHERE search_fts MATCH ? AND rowid & 1 ORDER BY rowid LIMIT ?", (expr, limit - len(out)), fts=True)
            out += [(row >> 1, weight * 3.0) for (row,) in found]
            if len(out) >= limit:
                return out
            higher += ws
        return None

    @staticmethod
    def _search_doc(
        row: Optional[tuple[Any, ...]], matches: list[dict[str, float]], score: float, memo: dict[str, frozenset[str]]
    ) -> Optional[list[tuple[str, frozenset[str]]]]:
        """The texts of a search document's record, each with its words, if the record is
        whole, is the document's and scores ``score`` from its own text; None if not."""
        if row is None or row[1] not in SEARCHABLE or digest(row[5]) != row[6]:
            return None
        try:
            rec = json.loads(row[5])
        except json.JSONDecodeError:
            return None
        if not isinstance(rec, dict) or rec.get("id") != row[3] or search_head(rec) != row[4]:
            return None
        from dxcli.names import norm

        def words(text: str) -> frozenset[str]:
            w = memo.get(text)
            if w is None:
                w = memo[text] = frozenset(norm(text).split())
            return w

        in_name, rest = doc_words(rec, lambda parts: frozenset().union(*map(words, parts)))
        total = 0.0
        for m in matches:
            best = max((w * 3.0 if word in in_name else w for word, w in m.items() if word in in_name or word in rest), default=0.0)
            if not best:
                return None
            total += best
        return [(t, words(t)) for t in texts(rec)] if total == score else None
