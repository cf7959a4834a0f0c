"""The dataset's own process: its shortcuts in drawing the references (counts per parent by Counter, the
parents' positions by chain/repeat), checking unique values and indexing records (dict.get itself) give what
the plain loops gave, with the same draws."""

from __future__ import annotations

import random
from typing import Any

from pytest_testdata.datasets.cardinality import LONG_TAIL_SIGMA, Cardinality, allocated, allocation, spread, weights
from pytest_testdata.datasets.chunked import _may_repeat, _repeating, repeats_found
from pytest_testdata.datasets.coherence import RecordIndex
from pytest_testdata.quality.paths import getter


def _spread_by_loop(children: int, parents: int, card: Cardinality, rng: random.Random) -> list[int]:
    """:func:`spread` as it was: one Python step per child."""
    counts = [card.min] * parents
    rest = children - card.min * parents
    if rest <= 0 or parents == 0:
        return counts
    cap = card.max if card.max is not None else children
    if card.skew == "even":
        base, extra = divmod(rest, parents)
        for i in range(parents):
            counts[i] += base
        for i in rng.sample(range(parents), extra):
            counts[i] += 1
        return counts
    chosen = rng.choices(range(parents), weights=weights(parents, card.skew, rng), k=rest)
    overflow = 0
    for i in chosen:
        if counts[i] < cap:
            counts[i] += 1
        else:
            overflow += 1
    if overflow:
        open_ = [i for i in range(parents) if counts[i] < cap]
        while overflow:
            i = rng.randrange(len(open_))
            counts[open_[i]] += 1
            overflow -= 1
            if counts[open_[i]] >= cap:
                open_[i] = open_[-1]
                open_.pop()
    return counts


CARDS = [Cardinality(min=lo, max=hi, mean=max(lo, 1), skew=skew)
         for skew in ("long_tail", "uniform", "even") for lo, hi in ((0, None), (0, 1), (0, 2), (1, 3), (2, None),
                                                                     (0, 4), (1, 1))]


def test_children_spread_over_parents_as_by_the_loop_with_the_same_draws() -> None:
    capped = 0
    for seed in range(40):
        for card in CARDS:
            for parents in (1, 2, 7, 50):
                hi = parents * card.max if card.max is not None else parents * 6
                for children in sorted({parents * card.min, min(parents * card.min + 1, hi),
                                        (parents * card.min + hi) // 2, hi}):
                    ours, theirs = random.Random(seed), random.Random(seed)
                    got = spread(children, parents, card, ours)
                    assert got == _spread_by_loop(children, parents, card, theirs), (seed, card, parents, children)
                    assert ours.random() == theirs.random()  # the same number of draws
                    assert sum(got) == children
                    capped += card.max is not None and card.min + children - card.min * parents > card.max
    assert capped > 100  # the cap binds in many of them: the loop's path, not the Counter's, is checked too


def test_each_child_gets_its_parent_in_the_order_the_loop_built() -> None:
    card = Cardinality(min=0, max=None, mean=3.0, skew="long_tail")
    for seed in range(20):
        ours, theirs = random.Random(seed), random.Random(seed)
        got = allocation(300, 100, card, ours)
        counts = _spread_by_loop(300, 100, card, theirs)
        order = [p for p, n in enumerate(counts) for _ in range(n)]
        theirs.shuffle(order)
        assert got == order
        assert allocated(card.with_empty(0.25), 40, 9, random.Random(seed)).count(None) == 10


class _Shouting(dict):  # type: ignore[type-arg]
    """A record whose ``get`` answers otherwise than the dict's: read through its own ``get``."""

    def get(self, key: Any, default: Any = None) -> Any:
        value = super().get(key, default)
        return value.upper() if isinstance(value, str) else value


def test_unique_values_are_read_as_each_record_answers_them() -> None:
    plain: list[dict[str, Any]] = [{"id": f"k{i}", "email": None if i % 3 else f"e{i}"} for i in range(200)]
    assert not _may_repeat(plain, "id") and not _may_repeat(plain, "email") and not _may_repeat(plain, "absent")
    repeated: list[dict[str, Any]] = [*plain, {"id": "k5"}]
    assert _may_repeat(repeated, "id") and _repeating(repeated, ["id"]) == [200]
    assert repeats_found(repeated, ["id"])[0][:3] == (200, "id", "unique")
    # "a" and "A" differ as stored, but the records say both are "A": they repeat, as their get says.
    shouting: list[dict[str, Any]] = [_Shouting(id="a"), _Shouting(id="A"), _Shouting(id="b")]
    assert _may_repeat(shouting, "id")
    assert not _may_repeat([dict(r) for r in shouting], "id")


def test_the_index_finds_each_record_by_its_key_as_the_record_answers_it() -> None:
    records: list[dict[str, Any]] = [{"id": i, "sku": f"s{i}"} for i in range(50)] + [{"sku": "none"}]
    index = RecordIndex()
    index.add("product", records, ["id", "sku"])
    by_id: dict[Any, dict[str, Any]] = {**{i: records[i] for i in range(50)}, None: records[50]}
    assert index.table("product", "id") == by_id
    assert index.find("product", "sku", "s7") is records[7]
    shouting: list[dict[str, Any]] = [_Shouting(sku="a"), _Shouting(sku="b"), _Shouting(sku="a")]
    index.add("item", shouting, ["sku"])
    # (not plain dicts: read as every other path is, by quality.paths.getter)
    assert index.table("item", "sku") == {getter("sku")(r): r for r in shouting}
    assert index.find("item", "sku", "a") is shouting[2]


def test_long_tailed_weights_are_the_lognormal_draws_of_random() -> None:
    for seed in range(100):
        ours, theirs = random.Random(seed), random.Random(seed)
        assert weights(300, "long_tail", ours) == [theirs.lognormvariate(0.0, LONG_TAIL_SIGMA) for _ in range(300)]
        assert ours.random() == theirs.random()  # the same number of draws

    class Counting(random.Random):  # a subclass draws as it likes: its own lognormvariate is asked
        calls = 0

        def lognormvariate(self, mu: float, sigma: float) -> float:
            self.calls += 1
            return 2.0

    rng = Counting(1)
    assert weights(5, "long_tail", rng) == [2.0] * 5 and rng.calls == 5


def _repeating_build(monkeypatch: Any, again: bool) -> Any:
    """A users' dataset whose first record of each chunk has the same e-mail (a unique field); with
    ``again``, a record drawn again to settle it gets that e-mail too (it never settles)."""
    from pytest_testdata.datasets import chunked, generate_dataset

    real = chunked.build_chunk

    def repeating(job: Any, kit: Any, chunk: Any, start: int, stop: int) -> Any:
        result = real(job, kit, chunk, start, stop)
        if job.entity == "user" and start % 2_000 == 0 and (chunk[0] != "again" or again):
            result.records[0]["email"] = "same@example.com"
        return result

    monkeypatch.setattr(chunked, "build_chunk", repeating)
    return generate_dataset({"user": 2_100}, seed=3, processes=1)


def test_a_unique_value_settled_is_not_looked_at_again_and_one_left_repeating_is_reported(monkeypatch: Any) -> None:
    # run skips repeats_found when _settle's last look found no repeat: a repeat drawn again away is gone
    # and reported by neither; one still there after the REDRAWS rounds (the records not looked at after the
    # last redraw) and one left there with no round at all are reported, as repeats_found says.
    from pytest_testdata.datasets import chunked

    def unique_found(dataset: Any) -> list[Any]:
        return [v for v in dataset.metadata["user"].violations if v.rule == "unique"]

    settled = _repeating_build(monkeypatch, again=False)
    assert not unique_found(settled)
    assert [r["email"] for r in settled["user"]].count("same@example.com") == 1
    stuck = _repeating_build(monkeypatch, again=True)
    assert [(v.record, v.field) for v in unique_found(stuck)] == [(2_000, "email")]
    monkeypatch.setattr(chunked, "REDRAWS", 0)
    never = _repeating_build(monkeypatch, again=False)
    assert [(v.record, v.field) for v in unique_found(never)] == [(2_000, "email")]
