"""A dataset's list drawn to its cardinality's length by the generator (generators/traditional/list_lengths)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from pytest_testdata.datasets import chunks, generate_dataset
from pytest_testdata.datasets.cardinality import Cardinality, list_length
from pytest_testdata.engine import Engine
from pytest_testdata.generators.traditional.generator import TraditionalGenerator
from pytest_testdata.generators.traditional.list_lengths import LENGTHS_OPTION, length_counter, with_list_lengths
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest

COUNTS = {"user": 40, "product": 30, "order": 300, "payment": 100, "review": 50}


@pytest.mark.parametrize("card", [Cardinality(1, 8, 2.5), Cardinality(0, None, 3.0), Cardinality(2, 2, 2.0),
                                  Cardinality(1, 5, 1.0), Cardinality(1, 4, 2.0, "uniform"),
                                  Cardinality(3, 3, 3.0, "even")])
def test_the_count_drawer_draws_list_length_s_values(card: Cardinality) -> None:
    lo, hi, draw = length_counter({"min": card.min, "max": card.max, "mean": card.mean, "skew": card.skew})
    ours, theirs = random.Random(4), random.Random(4)
    assert [draw(ours, lo, hi) for _ in range(5_000)] == [list_length(card, theirs) for _ in range(5_000)]


def test_only_a_classic_top_level_array_gets_the_length() -> None:
    schema = Schema(name="thing", json_schema={"type": "object", "properties": {
        "tags": {"type": "array", "items": {"type": "string"}},
        "pairs": {"type": "array", "items": {"type": "integer"}, "uniqueItems": True},  # the keyword compiler's
        "name": {"type": "string"}}})
    lengths = (("tags", 1, 4, 2.0, "long_tail"), ("pairs", 1, 4, 2.0, "long_tail"), ("name", 1, 4, 2.0, "even"),
               ("missing", 1, 4, 2.0, "even"))
    out, drawn = with_list_lengths(schema, lengths)
    assert drawn == ("tags",)
    assert out.json_schema["properties"]["tags"]["x-length"] == {"min": 1, "max": 4, "mean": 2.0, "skew": "long_tail"}
    assert out.json_schema["properties"]["pairs"] == schema.json_schema["properties"]["pairs"]
    assert with_list_lengths(schema, lengths)[0] is out  # (one object: its plan is compiled once)
    assert with_list_lengths(schema, (("missing", 1, 4, 2.0, "even"),)) == (schema, ())


def _order_output(options: dict[str, Any], **kwargs: Any) -> Any:
    schema = Engine().registry.get("order")
    request = GenerationRequest.checked("order", 400, strategy="traditional", seed=9, options=options, **kwargs)
    return TraditionalGenerator().generate(request, schema, 9)


def test_the_generator_draws_the_asked_length_and_says_so() -> None:
    output = _order_output({LENGTHS_OPTION: (("items", 2, 3, 2.5, "uniform"),)})
    assert output.details[LENGTHS_OPTION] == ("items",)
    assert {len(r["items"]) for r in output.records} == {2, 3}
    plain = _order_output({})  # no option: the schema's own 1 to 8
    assert LENGTHS_OPTION not in plain.details
    assert max(len(r["items"]) for r in plain.records) > 3


def test_a_request_with_another_coverage_keeps_the_schema_s_length_and_the_caller_resizes() -> None:
    output = _order_output({LENGTHS_OPTION: (("items", 2, 3, 2.5, "uniform"),), "coverage": "required"})
    assert LENGTHS_OPTION not in output.details


def test_a_dataset_s_orders_hold_their_cardinality_s_items_drawn_not_resized(monkeypatch: pytest.MonkeyPatch) -> None:
    resized: list[str] = []
    resize = chunks._resize

    def counted(records: list[Any], path: str, *rest: Any) -> None:
        resized.append(path)
        resize(records, path, *rest)
    monkeypatch.setattr(chunks, "_resize", counted)
    dataset = generate_dataset(COUNTS, seed=3, engine=Engine(), processes=1,
                               cardinality={"order.items": {"min": 2, "max": 5, "mean": 3}})
    lengths = [len(order["items"]) for order in dataset["order"]]
    assert resized == []
    assert min(lengths) >= 2 and max(lengths) <= 5 and 2.6 < sum(lengths) / len(lengths) < 3.4
    assert all(not m.violations for m in dataset.metadata.values())
    # every item is one of its own (none a clone of another): the products differ within an order
    assert all(len({i["product_id"] for i in order["items"]}) == len(order["items"]) for order in dataset["order"])


def test_a_chunk_s_uniform_list_lengths_follow_a_random_subclass_s_own_randint() -> None:
    # A Random subclass that overrides random() draws its randint by random() (Python picks its _randbelow per
    # class), not by getrandbits as the counter's uniform draw does: the chunk then asks list_length, so the
    # lengths are the subclass's own randint's.
    from pytest_testdata.datasets.chunks import _resize

    class OwnRandom(random.Random):
        def random(self) -> float:
            return super().random()

    card = Cardinality(1, 6, 3.0, "uniform")
    records: list[dict[str, Any]] = [{"items": [{"n": 0}]} for _ in range(300)]
    _resize(records, "items", card, OwnRandom(5))
    theirs = OwnRandom(5)
    for record in records:
        wanted = list_length(card, theirs)
        assert len(record["items"]) == wanted
        for size in range(1, wanted):  # (each clone drew the index of the item it copies)
            theirs.randrange(size)
    plain = [{"items": [{"n": 0}]} for _ in range(300)]
    _resize(plain, "items", card, random.Random(5))
    assert [len(r["items"]) for r in plain] != [len(r["items"]) for r in records]  # (the two draws differ)
