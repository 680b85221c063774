"""Reference packs as ``dxcli reference`` shows them: the record kinds, a kind's JSON Schema,
and the problems of a pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def kinds() -> list[dict[str, Any]]:
    """The record kinds: the TOML table name, its file and its model."""
    from dxcli.reference.files import KIND_FILES
    from dxcli.reference.models import FILE_KINDS

    return [{"id": k, "file": KIND_FILES[k], "model": m.__name__} for k, m in FILE_KINDS.items()]


def kind_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a reference file's records of ``kind``."""
    from dxcli.errors import NotFound
    from dxcli.query.lookup import suggest
    from dxcli.reference.models import FILE_KINDS

    key = "_".join(kind.strip().lower().replace("-", " ").split())  # 'red flag', 'red-flag', 'red_flag'
    model = FILE_KINDS.get(key)
    if model is None:
        raise NotFound(f"no record kind {kind!r}", hint=suggest([{"id": k} for k in FILE_KINDS], kind, "reference schema"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"dxcli reference file: [[{key}]] records",
        "type": "object",
        "properties": {key: {"type": "array", "items": model.model_json_schema()}},
    }


def lint(path: Path) -> tuple[list[Any], list[Any]]:
    """(problems, warnings) of a pack, checked with the bundled data: a problem refuses the
    pack; a warning (a pack condition without ICD-10-CM codes) is told, never refuses it."""
    from dxcli.reference.packs import check_pack

    return check_pack([path])
