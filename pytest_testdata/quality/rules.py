"""Coherence rules: the ``x-coherence`` kinds a schema can declare.

Each rule can *check* a record (the coherence scorer, for every strategy) and *enforce* itself on a
record (the traditional strategy, after drawing independent values). Keeping both in one class keeps
generation and scoring from drifting apart.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.quality.countries import phone_matches, postal_code_matches
from pytest_testdata.quality.paths import get, get_all, set_all

Record = dict[str, Any]
TOLERANCE = 0.011  # money is rounded to cents; allow one cent of rounding drift


class ValueSource(Protocol):
    """What enforcing a rule may need to draw (implemented by the traditional strategy's pools)."""

    def phone(self, country: str, rng: random.Random) -> str: ...
    def postal_code(self, country: str, rng: random.Random) -> str: ...
    def email(self, first: str, last: str, rng: random.Random) -> str: ...
    def later_timestamp(self, after: str, rng: random.Random) -> str: ...


class Rule:
    """Base class: one declared rule."""

    kind = ""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec

    def check(self, record: Record) -> bool | None:
        """True if the record satisfies the rule, False if not, None if the rule does not apply."""
        raise NotImplementedError

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        """Change the record so that it satisfies the rule."""
        raise NotImplementedError

    def describe(self) -> str:
        return f"{self.kind}({', '.join(f'{k}={v}' for k, v in self.spec.items() if k != 'kind')})"


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class SumOfProducts(Rule):
    kind = "sum_of_products"

    def _expected(self, record: Record) -> float | None:
        items = get(record, self.spec["items"])
        if not isinstance(items, list):
            return None
        total = 0.0
        for item in items:
            product = 1.0
            for factor in self.spec["factors"]:
                value = _num(item.get(factor)) if isinstance(item, dict) else None
                if value is None:
                    return None
                product *= value
            total += product
        return round(total, 2)

    def check(self, record: Record) -> bool | None:
        expected, actual = self._expected(record), _num(get(record, self.spec["target"]))
        if expected is None or actual is None:
            return None if expected is None else False
        return abs(expected - actual) <= TOLERANCE * max(1, len(get(record, self.spec["items"]) or []))

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        expected = self._expected(record)
        if expected is not None:
            set_all(record, self.spec["target"], expected)


class ProductEach(Rule):
    kind = "product_each"

    def check(self, record: Record) -> bool | None:
        items = get(record, self.spec["items"])
        if not isinstance(items, list) or not items:
            return None
        for item in items:
            factors = [_num(item.get(f)) for f in self.spec["factors"]] if isinstance(item, dict) else [None]
            actual = _num(item.get(self.spec["target"])) if isinstance(item, dict) else None
            if None in factors or actual is None:
                return False
            product = 1.0
            for f in factors:
                product *= f  # type: ignore[operator]
            if abs(round(product, 2) - actual) > TOLERANCE:
                return False
        return True

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        for item in get(record, self.spec["items"]) or []:
            product = 1.0
            for factor in self.spec["factors"]:
                product *= item[factor]
            item[self.spec["target"]] = round(product, 2)


class RateOf(Rule):
    kind = "rate_of"

    def check(self, record: Record) -> bool | None:
        base, target = _num(get(record, self.spec["base"])), _num(get(record, self.spec["target"]))
        if base is None or target is None:
            return None
        lo, hi = base * float(self.spec["min"]), base * float(self.spec["max"])
        return lo - TOLERANCE <= target <= hi + TOLERANCE

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        base = _num(get(record, self.spec["base"]))
        if base is not None:
            rate = rng.uniform(float(self.spec["min"]), float(self.spec["max"]))
            set_all(record, self.spec["target"], round(base * rate, 2))


class Sum(Rule):
    kind = "sum"

    def _expected(self, record: Record) -> float | None:
        total = 0.0
        for term in self.spec["terms"]:
            sign, path = (-1.0, term[1:]) if term.startswith("-") else (1.0, term)
            value = _num(get(record, path))
            if value is None:
                return None
            total += sign * value
        return round(total, 2)

    def check(self, record: Record) -> bool | None:
        expected, actual = self._expected(record), _num(get(record, self.spec["target"]))
        if expected is None:
            return None
        return actual is not None and abs(expected - actual) <= TOLERANCE * len(self.spec["terms"])

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        expected = self._expected(record)
        if expected is not None:
            set_all(record, self.spec["target"], max(expected, 0.0))


class Ordered(Rule):
    """Timestamps (ISO 8601 strings, same format) in non-decreasing order; nulls are skipped."""

    kind = "ordered"

    def check(self, record: Record) -> bool | None:
        present = [v for v in (get(record, f) for f in self.spec["fields"]) if v is not None]
        if len(present) < 2:
            return None
        return all(isinstance(v, str) for v in present) and present == sorted(present)

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        fields = [f for f in self.spec["fields"] if get(record, f) is not None]
        ordered = sorted(get(record, f) for f in fields)
        for path, value in zip(fields, ordered, strict=True):
            set_all(record, path, value)


class FlagIffPositive(Rule):
    kind = "flag_iff_positive"

    def check(self, record: Record) -> bool | None:
        quantity = _num(get(record, self.spec["quantity"]))
        flag = get(record, self.spec["flag"])
        if quantity is None or not isinstance(flag, bool):
            return None
        return flag == (quantity > 0)

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        quantity = _num(get(record, self.spec["quantity"]))
        if quantity is not None:
            set_all(record, self.spec["flag"], quantity > 0)


class PresentIff(Rule):
    """A field is set (4 digits here) exactly when another field's value is in a set."""

    kind = "present_iff"

    def check(self, record: Record) -> bool | None:
        when = get(record, self.spec["when"])
        if when is None:
            return None
        return (get(record, self.spec["field"]) is not None) == (when in self.spec["in"])

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        applies = get(record, self.spec["when"]) in self.spec["in"]
        current = get(record, self.spec["field"])
        if applies and current is None:
            set_all(record, self.spec["field"], f"{rng.randrange(10000):04d}")
        elif not applies:
            set_all(record, self.spec["field"], None)


class StatusTimestamps(Rule):
    """A lifecycle timestamp is set exactly when the status has reached that stage."""

    kind = "status_timestamps"

    def check(self, record: Record) -> bool | None:
        status = get(record, self.spec["status"])
        if status is None:
            return None
        return all((get(record, field) is not None) == (status in stages)
                   for field, stages in self.spec["stages"].items())

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        status = get(record, self.spec["status"])
        previous = record.get("created_at")
        for field, stages in self.spec["stages"].items():
            if status in stages:
                current = get(record, field)
                if current is None or (previous is not None and current < previous):
                    current = values.later_timestamp(previous, rng) if previous else current
                set_all(record, field, current)
                previous = current
            else:
                set_all(record, field, None)
        updated = record.get("updated_at")
        if previous is not None and isinstance(updated, str) and updated < previous:
            record["updated_at"] = values.later_timestamp(previous, rng)


class SameValue(Rule):
    kind = "same_value"

    def _values(self, record: Record) -> list[Any]:
        return [v for path in self.spec["fields"] for v in get_all(record, path)]

    def check(self, record: Record) -> bool | None:
        found = self._values(record)
        if len(found) < 2:
            return None
        return all(v == found[0] for v in found[1:])

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        """Copy the ``source`` field's value (default: the first listed) to the others."""
        source = self.spec.get("source")
        found = get_all(record, source) if source else self._values(record)
        if found:
            for path in self.spec["fields"]:
                set_all(record, path, found[0])


def fold(text: str) -> str:
    """Lower-case ASCII letters only: ``"Zoë O'Brien"`` -> ``"zoeobrien"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_text.lower())


class EmailFromName(Rule):
    kind = "email_from_name"

    def check(self, record: Record) -> bool | None:
        email, first, last = (get(record, self.spec[k]) for k in ("email", "first", "last"))
        if not all(isinstance(v, str) for v in (email, first, last)):
            return None
        local = fold(email.split("@", 1)[0])
        return fold(first)[:1] in local and fold(last) in local

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        first, last = get(record, self.spec["first"]), get(record, self.spec["last"])
        if isinstance(first, str) and isinstance(last, str):
            set_all(record, self.spec["email"], values.email(first, last, rng))


class PhoneMatchesCountry(Rule):
    kind = "phone_matches_country"

    def check(self, record: Record) -> bool | None:
        country = get(record, self.spec["country"])
        phone = get(record, self.spec["phone"])
        if country is None or phone is None:
            return None
        return phone_matches(phone, country)

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        country = get(record, self.spec["country"])
        if isinstance(country, str) and not phone_matches(get(record, self.spec["phone"]), country):
            set_all(record, self.spec["phone"], values.phone(country, rng))


class PostalCodeMatchesCountry(Rule):
    kind = "postal_code_matches_country"

    def _addresses(self, record: Record) -> list[dict[str, Any]]:
        found = get(record, self.spec["addresses"])
        found = found if isinstance(found, list) else [found]
        return [a for a in found if isinstance(a, dict) and "country" in a]

    def check(self, record: Record) -> bool | None:
        addresses = self._addresses(record)
        if not addresses:
            return None
        return all(postal_code_matches(a.get("postal_code"), a["country"]) for a in addresses)

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        for address in self._addresses(record):
            if not postal_code_matches(address.get("postal_code"), address["country"]):
                address["postal_code"] = values.postal_code(str(address["country"]), rng)


POSITIVE_WORDS = frozenset(
    "love loved great excellent perfect amazing fantastic happy recommend best superb wonderful solid "  # noqa: SIM905
    "reliable comfortable sturdy worth impressed delighted beautiful easy fast brilliant".split()
)
NEGATIVE_WORDS = frozenset(
    "broke broken poor terrible awful disappointed disappointing waste refund returned cheap flimsy "  # noqa: SIM905
    "worst useless bad faulty defective stopped failed avoid regret slow leaking".split()
)


def sentiment(text: str) -> int:
    """Crude lexicon sentiment: positive minus negative words (enough to catch a 1-star rave)."""
    words = re.findall(r"[a-z]+", text.lower())
    return sum(w in POSITIVE_WORDS for w in words) - sum(w in NEGATIVE_WORDS for w in words)


class SentimentMatchesRating(Rule):
    kind = "sentiment_matches_rating"

    def check(self, record: Record) -> bool | None:
        rating = get(record, self.spec["rating"])
        texts = [t for t in (get(record, p) for p in self.spec["texts"]) if isinstance(t, str)]
        if not isinstance(rating, int) or not texts:
            return None
        score = sentiment(" ".join(texts))
        if rating >= 4:
            return score > 0
        if rating <= 2:
            return score < 0
        return True

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        """The traditional strategy draws review texts by rating, so there is nothing to change."""


RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls for cls in (SumOfProducts, ProductEach, RateOf, Sum, Ordered, FlagIffPositive, PresentIff,
                              StatusTimestamps, SameValue, EmailFromName, PhoneMatchesCountry,
                              PostalCodeMatchesCountry, SentimentMatchesRating)
}


def build_rules(specs: tuple[Mapping[str, Any], ...], source: str = "<schema>") -> list[Rule]:
    """Instantiate a schema's declared rules; an unknown kind is a usage error naming the allowed kinds."""
    rules = []
    for spec in specs:
        kind = spec.get("kind")
        if kind not in RULE_KINDS:
            raise TestdataUsageError(
                f"schema {source}: unknown coherence rule kind {kind!r}. Allowed: {', '.join(RULE_KINDS)}."
            )
        rules.append(RULE_KINDS[kind](spec))
    return rules


RuleCheck = Callable[[Record], "bool | None"]
