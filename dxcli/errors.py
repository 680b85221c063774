"""Domain errors and the exit codes they map to (documented in the README)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_DATA = 3
EXIT_INTERNAL = 4
EXIT_IOERR = 74  # the output could not be written (sysexits.h EX_IOERR); see output/sink.py


class DxError(Exception):
    """An error for a person: a message, and a hint that suggests a fix."""

    code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotFound(DxError):
    code = EXIT_NOT_FOUND


class InvalidInput(DxError):
    code = EXIT_USAGE


class DataError(DxError):
    code = EXIT_DATA
