"""User packs: directories (or files) of reference TOML added with ``--reference``.

A pack is data only. Its files are read as UTF-8 TOML, each at most MAX_FILE_BYTES; links,
devices and sub-directories are not followed, so nothing outside the pack is read. The pack
is checked against the schema and the integrity rules in the context of the bundled data
(ids must not collide; references may point at bundled records) before any of it is used.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from dxcli.errors import DataError
from dxcli.reference.files import bundled_dir, bundled_files

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_FILES = 1000


def pack_files(path: Path) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """(readable TOML files with their display names, refusals) for one pack path."""
    files: list[tuple[Path, str]] = []
    refused: list[tuple[str, str]] = []
    try:
        st = os.lstat(path)
    except OSError as e:
        return [], [(str(path), f"cannot read: {e.strerror}")]
    if stat.S_ISLNK(st.st_mode):  # the pack path itself, like any link inside a pack
        return [], [(str(path), "is a link; packs do not follow links (give the path it points to)")]
    if stat.S_ISDIR(st.st_mode):
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as e:
            return [], [(str(path), f"cannot list: {e.strerror}")]
        for e in entries:
            if not e.name.endswith(".toml"):
                continue
            shown = str(Path(path) / e.name)
            if e.is_symlink():
                refused.append((shown, "is a link; packs do not follow links"))
            elif not e.is_file(follow_symlinks=False):
                refused.append((shown, "is not a regular file"))
            else:
                files.append((Path(e.path), shown))
    elif stat.S_ISREG(st.st_mode):
        files.append((path, str(path)))
    else:
        refused.append((str(path), "is not a regular file or a directory"))
    if len(files) > MAX_FILES:
        refused.append((str(path), f"has more than {MAX_FILES} TOML files"))
        files = files[:MAX_FILES]
    for p, shown in list(files):
        size = os.stat(p).st_size
        if size > MAX_FILE_BYTES:
            refused.append((shown, f"is {size} bytes, above the limit of {MAX_FILE_BYTES}"))
            files.remove((p, shown))
    return files, refused


def check(paths: list[Path]) -> list[Any]:
    """Every problem of the packs, checked together with the bundled data."""
    return lint(paths)[0]


def lint(paths: list[Path]) -> tuple[list[Any], list[Any]]:
    """(problems, warnings) of the packs, checked together with the bundled data."""
    from dxcli.reference.integrity import Problem, checked

    files: list[tuple[Path, str]] = []
    problems: list[Any] = []
    for path in paths:
        f, refused = pack_files(path)
        files += f
        problems += [Problem(shown, None, "", why, "remove it from the pack, or copy the file in") for shown, why in refused]
    if not files and not problems:
        problems.append(Problem(", ".join(map(str, paths)), None, "", "no TOML files in the pack", "add *.toml files"))
    bundled = [(p, f"(bundled) {p.name}") for p in bundled_files()]
    shown = {s for _, s in files}
    c = checked(bundled + files)
    problems += [p for p in c.problems if p.file in shown or not p.file.startswith("(bundled)")]
    return problems, [w for w in c.warnings if w.file in shown]


def check_pack(paths: list[Path]) -> tuple[list[Any], list[Any]]:
    """(problems, warnings) of packs checked in the context of the bundled data (``dxcli
    reference lint``); the bundled directory itself is checked alone."""
    from dxcli.reference.integrity import checked_dir

    if len(paths) == 1 and paths[0].resolve() == bundled_dir().resolve():
        c = checked_dir(paths[0])
        return c.problems, c.warnings
    return lint(paths)


def load(paths: list[Path]) -> list[tuple[Path, str]]:
    """The TOML files of the packs, with their display names; DataError (exit 3) if a path is
    refused (a link, not a regular file, too large). The files' content is checked, with the
    bundled data, when the store for this data state is built (``dxcli.reference.store``)."""
    files: list[tuple[Path, str]] = []
    refused: list[tuple[str, str]] = []
    for path in paths:
        f, r = pack_files(path)
        files += f
        refused += r
    if refused or not files:
        problems = check(paths)
        first = problems[0]
        where = f"{first.file}:{first.line}" if first.line else first.file
        raise DataError(
            f"the reference pack has {len(problems)} problem(s); the first: {where}: {first.key + ': ' if first.key else ''}{first.message}",
            hint="run 'dxcli reference lint PATH' to list them all, each with a fix",
        )
    return files
