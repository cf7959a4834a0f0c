"""The official JSON-Schema-Test-Suite as a source of schemas.

The suite (MIT) ships inside the ``jsonschema`` sdist on PyPI (``json/tests``); it is downloaded once into
``~/.cache/pytest-testdata/corpus/pypi-sdist`` (``TESTDATA_CORPUS_DIR`` overrides) by benchmarks/corpus.py
and read from there, never copied into the repository. The sample: every draft2020-12 keyword file
(remote references with the suite's ``remotes`` folder registered under ``http://localhost:1234/``, as the
suite's README says), the ``optional/format`` files, and the draft-07 and draft-04 files of keywords whose
forms differ by dialect.

For every schema there that has a valid case, records are generated and checked by the ``jsonschema``
library with formats asserted. A schema the generator cannot honour must be refused at load with one
:class:`SchemaError` line (never a crash, never an invalid record); the refusals are listed here, so a new
one fails the test.
"""

from __future__ import annotations

import json
import random
import tarfile
from typing import Any

import pytest
from jsonschema import validators

from benchmarks import corpus
from pytest_testdata.engine import Engine
from pytest_testdata.errors import SchemaError
from pytest_testdata.generators.traditional.drawers import RecordState
from pytest_testdata.generators.traditional.plan import value_drawer
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.schemas.sources.jsonschema import load
from pytest_testdata.schemas.sources.references import SchemaDocuments
from pytest_testdata.types import GenerationRequest

REMOTES = SchemaDocuments()
REMOTES.add_folder(corpus.suite_remotes(), corpus.SUITE_REMOTES_URI)


def _judge(document: dict[str, Any], name: str) -> Any:
    """``jsonschema``'s validator for a suite document, formats asserted, the remotes registered."""
    from referencing import Registry, Resource
    from referencing.jsonschema import specification_with

    # A custom meta-schema's documents are read as 2020-12 (what the remotes' meta-schemas are written in).
    spec = specification_with(document["$schema"], default=specification_with(DIALECTS["draft2020-12"]))
    root = corpus.suite_remotes()
    registry: Registry[Any] = Registry().with_resources(
        (corpus.SUITE_REMOTES_URI + f.relative_to(root).as_posix(),
         Resource.from_contents(json.loads(f.read_text()), default_specification=spec))
        for f in sorted(root.rglob("*.json")))
    cls = validators.validator_for(document, default=validators.Draft202012Validator)  # custom meta: 2020-12
    if "draft-04" in document["$schema"]:  # crawling the remotes as draft-04 trips over their boolean parts
        return cls(document, format_checker=cls.FORMAT_CHECKER)
    # The document crawled in too: jsonschema looks up the dynamic scope's resources (an embedded $id)
    # before crawling them, and a $dynamicRef below one fails with NoSuchResource.
    registry = registry.with_resource(document.get("$id", ""), Resource.from_contents(
        document, default_specification=spec)).crawl()
    return cls(document, format_checker=cls.FORMAT_CHECKER, registry=registry)

SKIPPED = ()
OLD_DRAFT_FILES = {"allOf", "anyOf", "oneOf", "dependencies", "items", "additionalItems", "ref", "definitions",
                   "refRemote",
                   "exclusiveMaximum", "exclusiveMinimum", "maximum", "minimum", "if-then-else", "enum", "const"}
DIALECTS = {"draft2020-12": "https://json-schema.org/draft/2020-12/schema",
            "draft7": "http://json-schema.org/draft-07/schema#", "draft4": "http://json-schema.org/draft-04/schema#"}
REFUSED = {
    # unevaluatedProperties inside a "not" beside in-place applicators is refused at load.
    "draft2020-12/not.json: collect annotations inside a 'not', even if collection is disabled",
}


def _wanted(parts: list[str]) -> str | None:
    """The draft of a suite file in the sample, or None."""
    if len(parts) < 5 or parts[1:3] != ["json", "tests"] or not parts[-1].endswith(".json"):
        return None
    draft, rest = parts[3], parts[4:]
    if draft == "draft2020-12":
        if rest[0] == "optional":
            return draft if rest[1:2] == ["format"] and rest[-1] not in ("unknown.json", "ecmascript-regex.json") \
                else None
        return None if any(rest[0].startswith(s) for s in SKIPPED) else draft
    if draft in ("draft7", "draft4") and len(rest) == 1 and rest[0][:-5] in OLD_DRAFT_FILES \
            and (draft, rest[0]) != ("draft4", "refRemote.json"):  # draft-04 remotes: the judge cannot crawl them
        return draft
    return None


def cases() -> list[tuple[str, str, Any]]:
    out = []
    with tarfile.open(corpus.suite_sdist()) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = member.name.split("/")
            draft = _wanted(parts)
            handle = tar.extractfile(member) if draft else None
            if handle is None or draft is None:
                continue
            for group in json.load(handle):
                if any(test["valid"] for test in group["tests"]):
                    out.append((f"{'/'.join(parts[3:])}: {group['description']}", draft, group["schema"]))
    return out


CASES = cases()


def test_the_sample_is_there() -> None:
    assert len(CASES) > 400
    assert {draft for _, draft, _ in CASES} == set(DIALECTS)


def _document(draft: str, schema: Any) -> dict[str, Any]:
    document = dict(schema) if isinstance(schema, dict) else {"allOf": [schema]}
    document.setdefault("$schema", DIALECTS[draft])
    return document


def test_every_schema_with_a_valid_case_generates_valid_values() -> None:
    refused: set[str] = set()
    invalid: list[tuple[str, Any, list[str]]] = []
    for name, draft, schema in CASES:
        document = _document(draft, schema)
        try:
            view = load(document, name, documents=REMOTES).view
        except SchemaError as error:
            assert "\n" not in str(error) and "Fix: " in str(error)
            refused.add(name)
            continue
        draw = value_drawer(view)
        check = _judge(document, name)
        for seed in range(12):
            value = draw(RecordState(random.Random(seed), "US"))
            if not check.is_valid(value):
                invalid.append((name, value, [e.message for e in check.iter_errors(value)][:2]))
                break
    assert invalid == []
    assert refused == REFUSED


@pytest.mark.parametrize("seed", [1, 2])
def test_suite_schemas_as_entity_properties_through_the_engine(seed: int) -> None:
    """Each 2020-12 schema embedded (with its own $id) as the property of an entity, through Engine."""
    registry = SchemaRegistry(builtins=False)
    documents = {}
    for index, (name, draft, schema) in enumerate(CASES):
        if draft != "draft2020-12" or name in REFUSED or name.startswith("draft2020-12/vocabulary.json"):
            # (a custom meta-schema's $schema is read at the top of a document, not on an embedded part)
            continue
        inner = _document(draft, schema)
        inner.setdefault("$id", f"urn:suite:{index}")
        document = {"$schema": DIALECTS[draft], "title": f"case{index}", "type": "object",
                    "properties": {"value": inner}, "required": ["value"]}
        registry.register(Schema.from_json_schema(document, source=name, documents=REMOTES))
        documents[f"case{index}"] = document
    engine = Engine(registry)
    bad = []
    for entity, document in documents.items():
        result = engine.generate(GenerationRequest.checked(entity, 3, seed=seed))
        check = _judge(document, "refRemote")
        if not all(check.is_valid(r) for r in result.records) or result.metadata.violations:
            bad.append((entity, result.records[0], result.metadata.violations[:1]))
    assert len(documents) > 250
    assert bad == []
