"""Shell completion of record names (ids) for command arguments."""

from __future__ import annotations

from typing import Callable


def names(kind: str) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        from dxcli.reference import loader

        try:
            ids = [r["id"] for r in loader.records(kind)]
        except Exception:  # completion must never fail loudly
            return []
        return [i for i in ids if i.startswith(incomplete.lower())]

    return complete
