"""dxcli: a command-line clinical reference and calculator for musculoskeletal and
rehabilitation medicine.

dxcli is a reference for trained clinicians and learners, not a diagnosis.
"""

__version__ = "0.2.0"


def _interrupt_quietly() -> None:
    """When dxcli runs as a program, Ctrl-C ends it with exit 130 and one line on stderr,
    from this moment on (imports included): no KeyboardInterrupt traceback, whatever it was
    doing. Output already flushed stays; output not yet flushed is dropped, as the exit
    status says the run did not finish. Imported as a library (tests), nothing changes."""
    import os
    import signal
    import sys

    argv0 = os.path.basename(sys.argv[0]) if sys.argv else ""
    if argv0 != "-m" and not argv0.startswith("dxcli"):  # "-m": `python -m dxcli` while it imports
        return

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


_interrupt_quietly()
