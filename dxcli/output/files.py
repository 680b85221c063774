"""Files dxcli writes (``export anki``, ``posttest --svg``): only where a file belongs.

``replace(path, fill)`` writes a new regular file, or replaces a regular file, atomically: the
content goes to a temporary file in the same directory (``fill`` writes it), which is then
renamed over the target, so a reader sees the old file or the new one, never a part. A symlink
is followed (the file it names is replaced, the link stays). A directory, device, FIFO or
socket, or a symlink to one, is refused and left as it is. Every error of the file system is
``CannotWrite`` (exit 74) with its reason: a missing or unsearchable directory, a name too long.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable

from dxcli.errors import CannotWrite

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _target(path: Path) -> tuple[Path, "os.stat_result | None"]:
    """The file to write (a symlink followed to the file it names) and its status (None: new)."""
    shown = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise CannotWrite(f"cannot write {shown}: {e.strerror or e}", hint="choose a path you can write to") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        link = " (through a symbolic link)" if os.path.islink(path) else ""
        raise CannotWrite(f"cannot write {shown}: it is {_kind(st.st_mode)}{link}; nothing was replaced",
                          hint="give the name of a regular file, a new one or one to replace")
    real = Path(os.path.realpath(path)) if os.path.islink(path) else path
    return real, st


def check(path: Path) -> None:
    """Refuse early (before work is done) a path ``replace`` would refuse: CannotWrite."""
    target, _ = _target(path)
    try:
        os.stat(target.parent)
    except OSError as e:
        raise CannotWrite(f"cannot write {path}: {e.strerror or e} (the directory {str(target.parent)!r})",
                          hint="create the directory first, or choose another path") from None


def replace(path: Path, fill: Callable[[Path], None]) -> None:
    """Write ``path`` as a new or replaced regular file, atomically (see the module): ``fill``
    writes the content to the temporary path it is given."""
    import tempfile

    target, st = _target(path)
    parent = target.parent
    shown = str(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".dxcli-", suffix=".tmp", dir=parent)
    except OSError as e:
        raise CannotWrite(f"cannot write {shown}: {e.strerror or e}" + ("" if parent.is_dir() else f" (no directory {str(parent)!r})"),
                          hint="choose a path in a directory you can write to") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if st is not None:
            mode = stat.S_IMODE(st.st_mode)
        else:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(tmp, mode)
        fill(tmp)
        again = os.stat(target) if os.path.lexists(target) else None  # changed while we wrote?
        if again is not None and not stat.S_ISREG(again.st_mode):
            raise CannotWrite(f"cannot write {shown}: it is now {_kind(again.st_mode)}; nothing was replaced",
                              hint="give the name of a regular file")
        os.replace(tmp, target)
    except OSError as e:
        raise CannotWrite(f"cannot write {shown}: {e.strerror or e}", hint="choose a path you can write to") from None
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
