"""``python -m dxcli`` and the ``dxcli`` console script."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Callable


def main() -> None:
    _interrupt_quietly()  # first, before any heavy import
    run = _start()

    try:
        run()
    except SystemExit as e:
        _end(e)


def _start() -> "Callable[[], None]":
    """Import the program with the cycle collector paused, then freeze what the imports made.
    Start-up makes about 26,000 container objects (Typer, Click, the command table) that live
    as long as the process; with the collector running, its passes during start-up and every
    later pass rescan them (collection took about a tenth of a lookup's time, and the case's
    answer, which makes many objects, paid again in each pass). Frozen (``gc.freeze``), they
    are left out of every later pass. The few hundred objects start-up leaves in garbage
    cycles (under 1 MB) are not collected, for the life of the process. The collector
    runs as usual for the command itself, so a long batch or the MCP server collects its own
    cycles."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        from dxcli.cli.app import main as run
    finally:
        if collecting:
            gc.freeze()
            gc.enable()
    return run


def _interrupt_quietly() -> None:
    """Ctrl-C ends the program with exit 130 and one line on stderr, from this moment on
    (imports included): no KeyboardInterrupt traceback, whatever it was doing. Output already
    flushed stays; output not yet flushed is dropped, as the exit status says the run did not
    finish. The entry point's alone: importing dxcli as a library leaves the host's handler.
    What comes before this line (the interpreter's own start-up) is the interpreter's."""
    import os
    import signal

    def stop(signum: int, frame: object) -> None:
        try:
            os.write(2, b"dxcli: interrupted\n")
        finally:
            os._exit(130)

    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not if ignored (`cmd &`)
            signal.signal(signal.SIGINT, stop)
    except (ValueError, OSError):  # not the main thread, or no signals here
        pass
    ready = os.environ.get("DXCLI_TEST_READY_FD")  # a test hook: says when the handler is in place
    if ready:
        try:
            os.write(int(ready), b"r")
        except (OSError, ValueError):
            pass


def _a_program() -> bool:
    """Whether this module is the program (``python -m dxcli``, or the console script),
    not a module imported into another program (which keeps its own Ctrl-C handling)."""
    import os
    import sys

    argv0 = os.path.basename(sys.argv[0]) if sys.argv else ""
    return __name__ == "__main__" or argv0.startswith("dxcli")


if _a_program():  # as early as it can be: before main() and its imports
    _interrupt_quietly()


def _end(done: SystemExit) -> None:
    """End the process once the answer is written and checked (``cli.app.main`` flushes and
    checks standard output and sets the exit status): run the ``atexit`` handlers, flush the
    standard streams, and exit without the interpreter's teardown (its final garbage
    collection and the freeing of every module cost a lookup about a tenth of its run time,
    and free nothing the operating system does not). The status is the same either way. Any
    thread still running, or a status that is not a number, takes the ordinary way out."""
    import os
    import sys

    code = done.code
    threads = sys.modules.get("threading")
    if not (code is None or isinstance(code, int)) or (threads is not None and threads.active_count() > 1):
        raise done
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # a stream that cannot flush now could not at teardown either
            pass
    os._exit(code or 0)


if __name__ == "__main__":
    main()
