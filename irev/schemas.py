"""JSON Schemas for editors, generated from the models (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path

from . import models

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def default_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "schemas"


def generate() -> dict[str, str]:
    """File name -> JSON text, one schema per record type and per registry (a list of entries)."""
    out = {}
    for model in models.RECORD_TYPES:
        out[f"{model.KIND}.schema.json"] = dump(model.model_json_schema(), model.LABEL)
    for model in models.REGISTRY_TYPES:
        schema = model.model_json_schema()
        defs = schema.pop("$defs", {})
        wrapped = {"type": "array", "items": schema}
        if defs:
            wrapped["$defs"] = defs
        out[f"registre-{model.KIND}.schema.json"] = dump(wrapped, f"Registre : {model.KIND}")
    return out


def dump(schema: dict, title: str) -> str:
    return json.dumps({"$schema": SCHEMA_URI, "title": title, **{k: v for k, v in schema.items() if k != "title"}},
                      ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generate().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
