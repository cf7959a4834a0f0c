"""The record builders' shortcuts draw what the plain code they stand in for draws.

The review texts are filled from templates compiled to f-strings, with ``rng.sample`` written out, and the
record builders inline some drawers (docs/performance.md, "Sixteenth round (the record builders)"). Each
test drives a shortcut and the plain code beside it with the same random state, on many draws of every
shape, and compares the values and the random state left behind.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from pytest_testdata.generators.traditional import drawers, texts
from pytest_testdata.generators.traditional.fastrand import pick

CATEGORIES = (*texts.ASPECTS, "unknown-category")
BUCKETS = ("positive", "neutral", "negative")


def _plain_fill(template: str, name: str, noun: str, category: str) -> str:
    return template.format(name=name, noun=noun.lower(), word=texts.CATEGORY_WORDS.get(category, "product"))


def _plain_body(rng: random.Random, bucket: str, name: str, noun: str, category: str) -> str:
    """review_body as it was written before its shortcuts."""
    aspects = texts.ASPECTS.get(category, texts.ASPECTS["home"])
    first, second = rng.sample(aspects, 2)
    words = texts._ASPECT_WORDS[bucket]
    parts = [_plain_fill(pick(rng, texts._OPENERS[bucket]), name, noun, category),
             f"The {first} {texts._be(first)} {pick(rng, words)}, and the {second} {texts._be(second)} "
             f"{pick(rng, words)}.",
             pick(rng, texts._CLOSERS[bucket])]
    return " ".join(p for p in parts if p)


def _plain_title(rng: random.Random, bucket: str, name: str, noun: str, category: str) -> str:
    text = _plain_fill(pick(rng, texts._TITLES[bucket]), name, noun, category)
    return text[0].upper() + text[1:]


def _plain_description(rng: random.Random, name: str, noun: str, category: str, feature: str) -> str:
    detail = pick(rng, texts._DETAILS.get(category, texts._DETAILS["home"]))
    text = pick(rng, texts._DESCRIPTIONS).format(name=name, noun=noun.lower(), detail=detail,
                                                 Detail=detail[0].upper() + detail[1:], feature=feature,
                                                 word=texts.CATEGORY_WORDS.get(category, "product"))
    return text[0].upper() + text[1:]


def _products(count: int) -> list[tuple[str, str, str]]:
    """Products as a record names them (the product-name drawer's name, noun and category), with odd ones."""
    rng = random.Random(3)
    found = []
    for _ in range(count):
        state = drawers.RecordState(rng, "US")
        name = drawers._product_name(state)
        assert state.noun is not None and state.category is not None
        found.append((name, state.noun, state.category))
    return [*found, ("ÉCRAN {noun} 100%", "Écran", "electronics"), ("x", "Ä", "unknown-category"),
            ("{name}", "{word}", "books")]


@pytest.mark.parametrize("seed", range(6))
def test_review_texts_and_descriptions_are_what_the_plain_code_draws(seed: int) -> None:
    fast, plain, other = random.Random(seed), random.Random(seed), random.Random(-seed)
    for name, noun, category in _products(150):
        for bucket in BUCKETS:
            for cat in (category, pick(other, CATEGORIES)):
                assert texts.review_body(fast, bucket, name, noun, cat) == _plain_body(plain, bucket, name, noun, cat)
                assert texts.review_title(fast, bucket, name, noun, cat) == \
                    _plain_title(plain, bucket, name, noun, cat)
                assert texts.product_description(fast, name, noun, cat, "with {name} braces") == \
                    _plain_description(plain, name, noun, cat, "with {name} braces")
        assert fast.getstate() == plain.getstate()


def test_review_body_draws_as_sample_for_every_population_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The written-out rng.sample(aspects, 2) for every size it takes (2 to 21) and beyond (22, 40: the
    general call), and after ASPECTS changed under it."""
    for size in (2, 3, 4, 7, 8, 15, 16, 17, 21, 22, 40):
        aspects = tuple(f"aspect {i}{'s' if i % 3 else ''}" for i in range(size))
        monkeypatch.setitem(texts.ASPECTS, "sized", aspects)
        monkeypatch.setitem(texts._SUBJECTS, "sized",
                            (aspects, size, tuple(f"{a} {texts._be(a)}" for a in aspects)))
        fast, plain = random.Random(size), random.Random(size)
        for _ in range(400):
            assert texts.review_body(fast, "neutral", "Big Lamp", "Lamp", "sized") == \
                _plain_body(plain, "neutral", "Big Lamp", "Lamp", "sized")
        assert fast.getstate() == plain.getstate()
    monkeypatch.setitem(texts.ASPECTS, "sized", ("replaced", "after import", "too"))
    fast, plain = random.Random(1), random.Random(1)
    for _ in range(50):
        assert texts.review_body(fast, "negative", "Lamp", "Lamp", "sized") == \
            _plain_body(plain, "negative", "Lamp", "Lamp", "sized")


def test_a_template_the_filler_cannot_write_as_format_does_is_refused() -> None:
    for template in ("{name!r}", "{noun:>10}", "{other}", "{0}", "{name.upper}"):
        with pytest.raises(ValueError, match="plain"):
            texts._filler(template)
    assert texts._filler("{{literal}} {name}")("a", "b", "c") == "{{literal}} {name}".format(name="a")


def test_review_texts_lie_within_the_lengths_their_drawers_claim() -> None:
    """The title and body drawers skip the schema's length check on the strength of these bounds."""
    rng = random.Random(8)
    (t_lo, t_hi), (b_lo, b_hi) = drawers._review_title.lengths, drawers._review_body.lengths
    seen: list[Any] = []
    for i in range(6000):
        state = drawers.RecordState(rng, "US", {"rating": 1 + i % 5})
        title, body = drawers._review_title(state), drawers._review_body(state)
        assert t_lo <= len(title) <= t_hi and b_lo <= len(body) <= b_hi
        seen += [len(title), len(body)]
    # Every title and every body of each bucket and category is reachable from a drawn product, and the
    # bounds are built from the longest and shortest pieces: the longest texts drawn come close to them.
    assert max(seen[0::2]) > t_hi * 0.6 and max(seen[1::2]) > b_hi * 0.6


def test_a_review_drawer_reads_the_rating_as_sentiment_bucket_does() -> None:
    for rating in (1, 2, 3, 4, 5, 0, 9, True, False, 4.0, "5", None, -3):
        fast, plain = random.Random(4), random.Random(4)
        record = {"rating": rating}
        state = drawers.RecordState(fast, "US", dict(record))
        title, body = drawers._review_title(state), drawers._review_body(state)
        other = drawers.RecordState(plain, "US", dict(record))
        name, noun, category = drawers._reviewed(other)
        bucket = texts.sentiment_bucket(rating)
        assert title == _plain_title(plain, bucket, name, noun, category)
        assert body == _plain_body(plain, bucket, name, noun, category)
