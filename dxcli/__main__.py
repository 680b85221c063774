"""``python -m dxcli`` and the ``dxcli`` console script."""

from __future__ import annotations


def main() -> None:
    from dxcli.cli.app import main as run

    run()


if __name__ == "__main__":
    main()
