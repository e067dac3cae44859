"""The committed JSON Schemas are exactly what the models generate."""

import json

from irev import schemas


def test_committed_schemas_match_the_models():
    directory = schemas.default_dir()
    generated = schemas.generate()
    committed = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.json")}
    assert set(committed) == set(generated), "run `make schemas` and commit schemas/"
    for name, text in generated.items():
        assert committed[name] == text, f"{name} is stale: run `make schemas` and commit schemas/"


def test_schema_documents_fields_in_french():
    meeting = schemas.generate()["reunion.schema.json"]
    assert '"additionalProperties": false' in meeting
    assert "Date de la réunion : AAAA-MM-JJ ; AAAA-MM ou l'année seule" in meeting


def test_schema_shows_the_label_beside_each_value():
    organisation = json.loads(schemas.generate()["registre-organisation.schema.json"])
    kind = organisation["items"]["properties"]["type"]
    labels = dict(zip(kind["enum"], kind["enumDescriptions"]))
    assert labels["etablissement-public"] == "Établissement public" and labels["etat"] == "État"
