"""Layers import one way (issue 12): names.py and errors.py are the ground floor; reference/
builds the store; calc/ computes from values it is given; query/ reads the store and calls
calc/; output/ renders; learn/ builds study material from queries; cli/ is on top. Each
module's imports (at any depth in the module, lazy ones included) are read with ``ast``."""

from __future__ import annotations

import ast

from conftest import ROOT

ALLOWED = {
    "names": {"errors"},
    "errors": set(),
    "help_topics": {"errors"},
    "reference": {"errors", "names", "reference"},
    "calc": {"errors", "names", "calc"},
    "query": {"errors", "names", "reference", "calc", "query"},
    "output": {"errors", "names", "calc", "output"},
    "learn": {"errors", "names", "reference", "calc", "query", "output", "learn"},
}


def _layer(path) -> str:
    rel = path.relative_to(ROOT / "dxcli")
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dxcli."):
            out.add(node.module.split(".")[1])
        elif isinstance(node, ast.ImportFrom) and node.module == "dxcli":
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith("dxcli."))
    return out


def test_layers_import_one_way():
    bad = []
    for path in sorted((ROOT / "dxcli").rglob("*.py")):
        layer = _layer(path)
        if layer not in ALLOWED:
            continue  # cli/, __main__, __init__: the top
        extra = _imports(path) - ALLOWED[layer] - {"__version__"}
        if extra:
            bad.append(f"{path.relative_to(ROOT)} ({layer}) imports {sorted(extra)}")
    assert not bad, "\n".join(bad)


def test_the_check_sees_a_lazy_import():
    # the probe itself: an import inside a function is found (so the test above can fail)
    src = ROOT / "dxcli" / "query" / "lookup.py"
    assert "reference" in _imports(src)


def _reference_imports(path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for sub in ast.walk(node):
                mod = sub.module if isinstance(sub, ast.ImportFrom) else None
                if mod and mod.startswith("dxcli.reference"):
                    out.append(node.name)
    return out


def test_cli_reads_the_reference_only_for_completion_and_packs():
    """cli/ reads the reference itself only to complete names and for --reference (issue 20):
    everything else goes through query/."""
    allowed = {"complete.py": None, "app.py": {"root"}, "calc_cmds.py": {"_tonnis_ids"}}
    bad = []
    for path in sorted((ROOT / "dxcli" / "cli").glob("*.py")):
        funcs = _reference_imports(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("dxcli.reference")]
        ok = allowed.get(path.name, set())
        if top and path.name != "complete.py":
            bad.append(f"{path.name}: imports dxcli.reference at the top")
        if ok is not None:
            bad += [f"{path.name}: {f}() reads dxcli.reference" for f in funcs if f not in ok]
    assert not bad, "\n".join(bad)


def test_the_reference_check_sees_a_read():
    # the probe itself: a function that imports the loader is found
    assert "_tonnis_ids" in _reference_imports(ROOT / "dxcli" / "cli" / "calc_cmds.py")
