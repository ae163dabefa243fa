"""The JSON Schema of ``manifest.json`` as ``compare`` reads it, and a strict reader.

A manifest is checked against this schema before any of its values is used, so a
hand-edited one (a checksum given as a number, an error given as text, an integer of
hundreds of digits, nesting deeper than Python's parser goes) is refused with one line
naming where it is wrong (exit 2), never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["MANIFEST_SCHEMA", "load_manifest_json", "schema_problems"]

#: most digits of an integer in a manifest (key numbers are floats or small integers)
MAX_INT_DIGITS = 30
#: largest manifest read (bytes)
MAX_MANIFEST_BYTES = 256 * 1024 * 1024

_TEXT_OR_NULL = {"type": ["string", "null"]}
_KEY_NUMBER = {
    "type": "object",
    "properties": {
        "value": {"type": ["number", "string", "boolean", "null"]},
        "unit": _TEXT_OR_NULL,
        "label": _TEXT_OR_NULL,
    },
}
_ERROR = {
    "type": ["object", "null"],
    "properties": {"ename": _TEXT_OR_NULL, "evalue": _TEXT_OR_NULL, "traceback": _TEXT_OR_NULL},
}
_FAILED_CELL = {
    "type": ["object", "null"],
    "properties": {
        "number": {"type": ["integer", "null"]},
        "execution_count": {"type": ["integer", "null"]},
        "id": _TEXT_OR_NULL,
        "source": _TEXT_OR_NULL,
    },
}
MANIFEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["run", "reports"],
    "properties": {
        "manifest_version": {"const": 1},
        "run": {
            "type": "object",
            "properties": {
                "run_id": _TEXT_OR_NULL,
                "data_sha256": _TEXT_OR_NULL,
                "git_commit": _TEXT_OR_NULL,
                "previous_run": _TEXT_OR_NULL,
                "status": _TEXT_OR_NULL,
            },
        },
        "reports": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "status"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "status": {"enum": ["ok", "failed"]},
                    "parameters": {"type": ["object", "null"]},
                    "key_numbers": {
                        "type": ["object", "null"],
                        "additionalProperties": _KEY_NUMBER,
                    },
                    "error": _ERROR,
                    "failed_cell": _FAILED_CELL,
                    "sources": {"type": ["array", "null"]},
                },
            },
        },
    },
}


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {digits} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def load_manifest_json(path: Path) -> Any:
    """Parse a manifest file; ValueError (one line) for anything that is not sound JSON."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise ValueError(f"larger than {MAX_MANIFEST_BYTES:,} bytes")
    try:
        return json.loads(data.decode("utf-8"), parse_int=_int)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text ({exc.reason})") from None


def _where(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level"


def schema_problems(data: Any) -> list[str]:
    """One line per place where ``data`` breaks :data:`MANIFEST_SCHEMA` (at most 20)."""
    from jsonschema import Draft7Validator

    validator = Draft7Validator(MANIFEST_SCHEMA)
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        shown = repr(error.instance)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        expected = error.validator_value if error.validator in ("type", "enum", "const") else ""
        if error.validator == "required":
            problems.append(f"{_where(error.path)}: {error.message}")
        else:
            problems.append(
                f"{_where(error.path)}: got {shown}"
                + (f"; expected {expected}" if expected != "" else f" ({error.message[:80]})")
            )
        if len(problems) == 20:
            break
    return problems
