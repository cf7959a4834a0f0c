"""Which validator judges records: the project's compiled checks against maintained JSON Schema validators.

    python benchmarks/bench_validation.py            # 5,000 records per entity, best of 3 rounds
    python benchmarks/bench_validation.py --quick    # a smoke run: 300 records, one round

For the built-in entities (cart, order, user) and for three user schemas beyond the classic keywords
(a ``oneOf`` of ``$ref`` payment sources, a recursive tree, an ``if``/``then``/``else`` address), the same
generated records are validated by:

* ours: :class:`pytest_testdata.quality.validator.Validator` as the engine uses it (for the built-ins the
  compiled acceptor in front of the reporting checks; for user schemas beyond the classic keywords
  ``jsonschema-rs`` with ``jsonschema``'s reading of formats, ``pattern`` and ``multipleOf`` when the
  ``fast`` extra is installed, see quality/fast.py, else ``jsonschema``, see quality/standard.py);
* jsonschema: ``Draft202012Validator`` with its format checker, ``is_valid`` per record;
* fastjsonschema: the compiled validator (``formats`` checked as it implements them);
* jsonschema-rs: the Rust validator (``validate_formats=True``).

Printed: microseconds per record and the ratio to ours, plus whether each one agrees with ``jsonschema``
on a set of deliberately broken records (a validator that is fast but accepts what the standard rejects
is no choice). All contenders run in the same process, interleaved, best round kept; the machine may be
loaded, so read the ratios. Needs ``pip install fastjsonschema jsonschema-rs`` for those two columns.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from pytest_testdata.engine import Engine
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest

USER_SCHEMAS: dict[str, dict[str, Any]] = {
    "payment_source": {
        "title": "payment_source", "type": "object", "required": ["id", "amount", "source"],
        "properties": {"id": {"type": "string", "format": "uuid"},
                       "amount": {"type": "number", "minimum": 0, "maximum": 10000, "multipleOf": 0.01},
                       "source": {"oneOf": [{"$ref": "#/$defs/card"}, {"$ref": "#/$defs/bank"}]}},
        "$defs": {"card": {"type": "object", "required": ["object", "last4"], "additionalProperties": False,
                           "properties": {"object": {"const": "card"},
                                          "last4": {"type": "string", "pattern": "^[0-9]{4}$"}}},
                  "bank": {"type": "object", "required": ["object", "iban"], "additionalProperties": False,
                           "properties": {"object": {"const": "bank_account"},
                                          "iban": {"type": "string", "minLength": 15, "maxLength": 34}}}},
    },
    "category_tree": {
        "title": "category_tree", "$ref": "#/$defs/node",
        "$defs": {"node": {"type": "object", "required": ["name", "children"],
                           "properties": {"name": {"type": "string", "maxLength": 60},
                                          "children": {"type": "array", "maxItems": 3,
                                                       "items": {"$ref": "#/$defs/node"}}}}},
    },
    "postal_address": {
        "title": "postal_address", "type": "object", "required": ["country", "postal_code", "city"],
        "properties": {"country": {"enum": ["US", "CA"]}, "postal_code": {"type": "string"},
                       "city": {"type": "string"}, "updated": {"type": "string", "format": "date-time"}},
        "if": {"properties": {"country": {"const": "US"}}},
        "then": {"properties": {"postal_code": {"pattern": "^[0-9]{5}$"}}},
        "else": {"properties": {"postal_code": {"pattern": "^[A-Z][0-9][A-Z] [0-9][A-Z][0-9]$"}}},
    },
}


def _broken(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Records with one thing wrong: a field removed, a string where a number goes, a bad format."""
    out = []
    for key, value in list(record.items())[:6]:
        gone = copy.deepcopy(record)
        del gone[key]
        out.append(gone)
        wrong = copy.deepcopy(record)
        wrong[key] = 12.5 if isinstance(value, str) else "x"
        out.append(wrong)
    return out


def _contenders(schema: Schema) -> dict[str, Callable[[Any], bool]]:
    from jsonschema import validators

    document = dict(schema.document)
    cls = validators.validator_for(document, default=validators.Draft202012Validator)
    reference = cls(document, format_checker=cls.FORMAT_CHECKER)
    ours = validator_for(schema, {})
    found: dict[str, Callable[[Any], bool]] = {
        "ours": lambda r: not ours.validate([r]),
        "jsonschema": reference.is_valid,
    }
    try:
        import fastjsonschema

        compiled = fastjsonschema.compile(document)

        def fast(record: Any) -> bool:
            try:
                compiled(record)
            except fastjsonschema.JsonSchemaException:
                return False
            return True
        found["fastjsonschema"] = fast
    except ImportError:
        pass
    except Exception as exc:  # a schema fastjsonschema cannot compile is a result too
        print(f"  fastjsonschema cannot compile {schema.name}: {type(exc).__name__}: {str(exc)[:80]}")
    try:
        import jsonschema_rs

        rs = jsonschema_rs.validator_for(document, validate_formats=True)
        found["jsonschema-rs"] = rs.is_valid
    except ImportError:
        pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count, rounds = (300, 1) if args.quick else (5000, 3)
    engine = Engine()
    for name, document in USER_SCHEMAS.items():
        engine.registry.register(Schema.from_json_schema(document, source=f"<bench {name}>"))
    print(f"{'entity':16} {'validator':15} {'us/record':>10} {'vs ours':>8}  agrees with jsonschema")
    for entity in ("cart", "order", "user", *USER_SCHEMAS):
        schema = engine.registry.get(entity)
        records = engine.generate(GenerationRequest.checked(entity, count, seed=5)).records
        broken = [b for r in records[:20] for b in _broken(r)]
        contenders = _contenders(schema)
        reference = contenders["jsonschema"]
        expected = [reference(b) for b in broken]
        best: dict[str, float] = {}
        for _ in range(rounds):
            for label, accepts in contenders.items():
                started = time.perf_counter()
                for record in records:
                    accepts(record)
                elapsed = (time.perf_counter() - started) / len(records)
                best[label] = min(best.get(label, elapsed), elapsed)
        for label, accepts in contenders.items():
            agree = sum(accepts(b) == e for b, e in zip(broken, expected, strict=True))
            ratio = best[label] / best["ours"]
            print(f"{entity:16} {label:15} {best[label] * 1e6:10.1f} {ratio:7.2f}x  {agree}/{len(broken)}")


if __name__ == "__main__":
    main()
