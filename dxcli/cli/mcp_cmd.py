"""``dxcli mcp``: the Model Context Protocol server over stdio (dxcli/mcp_server.py).

The SDK is an extra (``pip install "dxcli[mcp]"``) and is imported only when this command
runs: every other command starts as fast as before."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

import typer


def register(app: typer.Typer) -> None:
    @app.command(
        epilog="Examples:\n\n  dxcli mcp                        # serve on stdin and stdout (an MCP client starts it)\n\n"
        "  dxcli --reference my-pack/ mcp   # with a pack, as for every command\n\n"
        "  Register it with a client as the command 'dxcli' with the argument 'mcp' (see README)."
    )
    def mcp(ctx: typer.Context) -> None:
        """Serve dxcli's lookups and calculators as Model Context Protocol tools over stdio.

        Each tool returns the JSON the matching command prints with --format json, red
        flags first; bad input comes back as a tool error with the hint. Needs the mcp
        extra: pip install "dxcli[mcp]". dxcli is a reference, not a diagnosis.
        """
        import os
        import sys

        from dxcli.errors import InvalidInput, tell

        try:
            from dxcli import mcp_server
            import mcp.server.mcpserver  # noqa: F401  (the SDK: an extra)
        except ImportError as e:
            raise InvalidInput(f"the MCP server needs the mcp package ({e.msg})", hint='pip install "dxcli[mcp]"') from None
        if sys.stdin is not None and sys.stdin.isatty():
            tell("serving MCP on stdin and stdout; an MCP client starts this command (Ctrl-D ends it)")
        env = [p for p in os.environ.get("DXCLI_REFERENCE_PATH", "").split(os.pathsep) if p.strip()]
        packs = env + [str(p) for p in ctx.find_root().params.get("reference") or []]
        sys.stdout = sys.__stdout__  # the SDK writes the protocol to the real stdout, not the checked writer
        mcp_server.run(packs)
