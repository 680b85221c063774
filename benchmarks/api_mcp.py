"""Benchmark dxcli.api and 'dxcli mcp' (issue 25): warm lookups, the ranked differential,
an MCP tool call's round trip over stdio, the import of dxcli.api as a whole process, and
the first call's cost of building or opening the store.

    python benchmarks/api_mcp.py               # from the checkout; needs the mcp extra
    python benchmarks/api_mcp.py --rounds 15

Each figure is a median. In-process timings (time.perf_counter) are each the median of
--calls calls after 20 untimed ones. Process timings run interleaved, one untimed warm-up
of each first, in a shuffled order (fixed seed), with PYTHONPATH the checkout and a private
XDG_CACHE_HOME. Floors: the query layer's own call for a lookup, the SDK's ping for a tool
call, the minimal Typer app (benchmarks/minimal_typer.py) for the import. The Markdown table
goes to stdout; copy it into benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def per_call(fn, calls: int) -> float:
    """The median milliseconds of one call of ``fn`` (warm)."""
    for _ in range(20):
        fn()
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def in_process(calls: int) -> list[tuple[str, float, str, float | None, str]]:
    from dxcli import api
    from dxcli.calc import kerboul as k
    from dxcli.query import accuracy, conditions, reasoning
    from dxcli.reference import loader

    scale = loader.by_id("scale")["kerboul"]
    found = ["neurologic-deficit", "pain-worse-with-sitting"]
    rows = []
    q_man = per_call(lambda: accuracy.rows_for("maneuver", "faber"), calls)
    rows.append(("api.maneuver('faber')", per_call(lambda: api.maneuver("faber"), calls), "query layer: accuracy.rows_for", q_man, "≤0.5 ms"))
    q_cond = per_call(lambda: conditions.detail("piriformis-syndrome"), calls)
    rows.append(("api.condition('piriformis-syndrome')", per_call(lambda: api.condition("piriformis-syndrome"), calls),
                 "query layer: conditions.detail", q_cond, "≤0.5 ms"))
    q_k = per_call(lambda: k.classify(scale, 210.0), calls)
    rows.append(("api.kerboul(210)", per_call(lambda: api.kerboul(210), calls), "calc layer: kerboul.classify", q_k, "≤0.5 ms"))
    q_rank = per_call(lambda: reasoning.rank("buttock", found, []), calls)
    rows.append(("api.differential('buttock', present=[2 findings])",
                 per_call(lambda: api.differential("buttock", present=found), calls), "query layer: reasoning.rank", q_rank, "≤5 ms"))
    return rows


def mcp_round_trip(calls: int) -> tuple[float, float]:
    """(tool call, ping) median ms over stdio with the SDK's client, the server warm."""
    from anyio.from_thread import start_blocking_portal
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "dxcli", "mcp"], env=env)
    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(stdio_client(params)) as (read, write):
            with portal.wrap_async_context_manager(ClientSession(read, write)) as session:
                portal.call(session.initialize)
                tool = per_call(lambda: portal.call(lambda: session.call_tool("maneuver", {"name": "faber"})), calls)
                ping = per_call(lambda: portal.call(session.send_ping), calls)
    return tool, ping


def processes(rounds: int, cache: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": cache}
    cases = {
        "python -c 'import dxcli.api'": [sys.executable, "-c", "import dxcli.api"],
        "minimal Typer app": [sys.executable, str(ROOT / "benchmarks" / "minimal_typer.py")],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    times: dict[str, list[float]] = {k: [] for k in cases}
    for argv in cases.values():
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
    rng = random.Random(20240601)
    for _ in range(rounds):
        order = list(cases)
        rng.shuffle(order)
        for name in order:
            t = time.perf_counter()
            subprocess.run(cases[name], env=env, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


FIRST = """
import sys, time
t = time.perf_counter()
from dxcli import api
api.maneuver("faber")
print((time.perf_counter() - t) * 1000)
"""


def first_call(rounds: int) -> tuple[float, float]:
    """(a fresh cache: build the store; the store built: open it) median ms of import + first call."""
    build, opened = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": cache}
            for out in (build, opened):
                p = subprocess.run([sys.executable, "-c", FIRST], env=env, capture_output=True, text=True, check=True)
                out.append(float(p.stdout))
    return statistics.median(build), statistics.median(opened)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--calls", type=int, default=500)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XDG_CACHE_HOME"] = cache
        rows = in_process(a.calls)
        tool, ping = mcp_round_trip(a.calls // 2)
        proc = processes(a.rounds, cache)
    build, opened = first_call(max(3, a.rounds // 3))
    print("| case | median ms | floor | floor ms | ratio | target | met |")
    print("|---|---|---|---|---|---|---|")
    for name, ms, floor, fms, target in rows:
        limit = float(target.strip("≤ ms"))
        print(f"| {name} | {ms:.3f} | {floor} | {fms:.3f} | {ms / fms:.2f} | {target} | {'yes' if ms <= limit else 'no'} |")
    print(f"| MCP tools/call maneuver faber (stdio, SDK client) | {tool:.2f} | SDK ping | {ping:.2f} | {tool / ping:.2f} | ≤10 ms | {'yes' if tool <= 10 else 'no'} |")
    imp, typer_app, bare = proc["python -c 'import dxcli.api'"], proc["minimal Typer app"], proc["python -c pass"]
    r = imp / typer_app
    print(f"| python -c 'import dxcli.api' (process) | {imp:.1f} | minimal Typer app | {typer_app:.1f} | {r:.2f} | ≤0.6× | {'yes' if r <= 0.6 else 'no'} |")
    print(f"| python -c pass (process) | {bare:.1f} |  |  |  |  |  |")
    print(f"| import + first api.maneuver('faber'), fresh cache (builds the store) | {build:.1f} |  |  |  |  |  |")
    print(f"| import + first api.maneuver('faber'), store built (opens it) | {opened:.1f} |  |  |  |  |  |")


if __name__ == "__main__":
    main()
