"""Texts that belong to their record and counts and prices a shop would show (issue 12, items 5 and 6).

Judged with the project's own sentiment lexicon (quality.rules.sentiment), the category price bands of
the vocabulary and plain counting; every batch is also checked for violations by the engine's validator.
"""

from __future__ import annotations

import re
import statistics
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.generators.traditional.texts import CATEGORY_WORDS
from pytest_testdata.generators.traditional.vocab import PRICE_BANDS, PRODUCT_NOUNS
from pytest_testdata.quality.rules import sentiment
from pytest_testdata.types import GenerationRequest

Record = dict[str, Any]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.fixture(scope="module")
def reviews(engine: Engine) -> list[Record]:
    result = engine.generate(GenerationRequest.checked("review", 10_000, seed=12))
    assert result.metadata.violations == []
    return result.records


def _category_of(name: str) -> str:
    for category, nouns in PRODUCT_NOUNS.items():
        if any(noun in name for noun in nouns):
            return category
    raise AssertionError(f"no known product noun in {name!r}")


def test_thousands_of_distinct_review_bodies(reviews: list[Record]) -> None:
    assert len({r["body"] for r in reviews}) >= 3_000
    assert len({r["title"] for r in reviews}) >= 500


def test_review_texts_talk_about_one_product(reviews: list[Record]) -> None:
    nouns = [re.compile(rf"\b{re.escape(n.lower())}\b") for ns in PRODUCT_NOUNS.values() for n in ns]

    def named(text: str) -> set[str]:
        return {n.pattern for n in nouns if n.search(text.lower())}

    for review in reviews:
        title, body = named(review["title"]), named(review["body"])
        # The body names the product's noun; the title names it or the product's kind ("toy", "book").
        assert body, review
        text = review["body"].lower()
        category = _category_of(next(n for ns in PRODUCT_NOUNS.values() for n in ns if n.lower() in text))
        assert title or CATEGORY_WORDS[category] in review["title"].lower(), review
        # One product per review: where both name a noun, it is the same one.
        assert not (title and body) or title & body, review


def test_review_sentiment_agrees_with_rating(reviews: list[Record]) -> None:
    for review in reviews:
        title, body = sentiment(review["title"]), sentiment(review["body"])
        if review["rating"] >= 4:
            assert title > 0 and body > 0, review
        elif review["rating"] <= 2:
            assert title < 0 and body < 0, review


def test_helpful_votes_are_mostly_zero_with_a_long_tail(reviews: list[Record]) -> None:
    votes = [r["helpful_votes"] for r in reviews]
    assert statistics.median(votes) <= 2
    assert sum(v == 0 for v in votes) / len(votes) >= 0.40
    assert max(votes) >= 50  # a few reviews collect many votes


def test_product_descriptions_fit_their_names(engine: Engine) -> None:
    result = engine.generate(GenerationRequest.checked("product", 2_000, seed=12))
    assert result.metadata.violations == []
    for product in result.records:
        noun = next(n for n in PRODUCT_NOUNS[product["category"]] if n in product["name"])
        assert noun.lower() in product["description"].lower() or product["name"] in product["description"]
        low, high = PRICE_BANDS[product["category"]]
        assert low <= product["price"] <= high, product
    stock = [p["stock_quantity"] for p in result.records]
    assert 0.02 <= sum(s == 0 for s in stock) / len(stock) <= 0.2
    assert statistics.median(stock) <= 100 < max(stock)


@pytest.mark.parametrize(("entity", "total"), [("cart", "total"), ("order", "totals.total")])
def test_prices_stay_in_their_band_under_a_total_maximum(engine: Engine, entity: str, total: str) -> None:
    result = engine.generate(GenerationRequest.checked(entity, 1_000, seed=12, constraints={total: {"max": 50}}))
    assert result.metadata.violations == []
    items = [item for record in result.records for item in record["items"]]
    in_band = [PRICE_BANDS[_category_of(i["name"])][0] <= i["unit_price"] <= PRICE_BANDS[_category_of(i["name"])][1]
               for i in items]
    assert sum(in_band) / len(items) >= 0.99


def test_quantities_are_mostly_one_or_two(engine: Engine) -> None:
    carts = engine.generate(GenerationRequest.checked("cart", 2_000, seed=12)).records
    quantities = [item["quantity"] for cart in carts for item in cart["items"]]
    assert sum(q <= 2 for q in quantities) / len(quantities) >= 0.75
    assert max(quantities) >= 5


def test_texts_are_the_same_for_the_same_seed(engine: Engine) -> None:
    first = engine.generate(GenerationRequest.checked("review", 50, seed=99)).records
    again = engine.generate(GenerationRequest.checked("review", 50, seed=99)).records
    assert [(r["title"], r["body"]) for r in first] == [(r["title"], r["body"]) for r in again]
