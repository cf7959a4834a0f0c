"""Value drawers: one function per kind of value, the field-name heuristics, and the record state.

A drawer takes the :class:`RecordState` of the record being built and returns one value. The plan
compiler (:mod:`pytest_testdata.generators.traditional.plan`) chooses a drawer per field.
"""


from __future__ import annotations

import functools
import hashlib
import math
import random
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from typing import Any

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.generators.traditional import timestamps
from pytest_testdata.generators.traditional.cents import CENT, clean_price
from pytest_testdata.generators.traditional.examples import examples_drawer
from pytest_testdata.generators.traditional.fastrand import UUID_CLEAR, below, between, pick, uuid4, uuid_key
from pytest_testdata.generators.traditional.pools import (
    FIRST_DRAWS,
    INWARD_DRAWN,
    LAST_DRAWS,
    LOADED_DATA,
    Place,
    Values,
    data_of,
    faker_pool,
    first_draws,
    last_draws,
    phone_number,
    place,
    pool,
    postal_code,
    street,
    town,
)
from pytest_testdata.generators.traditional.pools import (
    VALUES as VALUES,  # re-exported: the value source rules use by default
)
from pytest_testdata.generators.traditional.texts import (
    product_description,
    review_body,
    review_title,
    sentiment_bucket,
    text_lengths,
)
from pytest_testdata.generators.traditional.thresholds import chain, thresholds
from pytest_testdata.generators.traditional.vocab import (
    FEATURES,
    PRICE_BANDS,
    PRODUCT_ADJECTIVES,
    PRODUCT_COLOURS,
    PRODUCT_NOUNS,
)
from pytest_testdata.locales.countries import LOCALE_COUNTRIES
from pytest_testdata.quality.constraints_model import rules_for
from pytest_testdata.quality.money import round_cents
from pytest_testdata.quality.regex import compile_user_regex
from pytest_testdata.types import FieldConstraint

DEFAULT_COUNTRIES: tuple[tuple[str, float], ...] = (("US", 0.5), ("GB", 0.15), ("DE", 0.12), ("FR", 0.1),
                                                     ("CA", 0.13))
_COUNTRY_CODES = tuple(c for c, _ in DEFAULT_COUNTRIES)
COUNTRY_CODES = _COUNTRY_CODES
"""The countries :func:`pick_country` draws from without a locale."""
_COUNTRY_CUM = tuple(sum(w for _, w in DEFAULT_COUNTRIES[: i + 1]) for i in range(len(DEFAULT_COUNTRIES)))
_COUNTRY_COUNT = len(_COUNTRY_CODES)


class RecordState:
    """What the drawers of one record share: the rng, the record's country, the record so far.

    A plain class with slots, not a dataclass: creating one cost every fresh process's first record about
    half a millisecond. Built once per record and never compared."""

    __slots__ = (
        "category",
        "ceiling",
        "country",
        "entity",
        "fewest",
        "first",
        "last",
        "noun",
        "place",
        "place_used",
        "product",
        "record",
        "redrawn",
        "rng",
        "scale",
        "values",
    )

    rng: random.Random
    country: str
    record: dict[str, Any]
    scale: float
    """Multiplies money draws; the generator shrinks or grows it to meet a total's min/max constraint."""
    fewest: bool
    """Lists at their fewest items and quantities at their least: for a total whose maximum even the
    smallest prices exceed (generators/traditional/fit.py)."""
    category: str | None
    noun: str | None
    """The noun of the product last named in this record (a review's texts talk about it)."""
    product: str | None
    """The product name last drawn in this record."""
    ceiling: float | None
    """The lowest maximum a caller's constraint puts on a money field: products are chosen that fit it."""
    values: Values
    """Where rules and email drawers get their values (reserved or real email domains)."""
    place: Place | None
    """The record's home: its phone and first address (or flat city/state/postal fields) agree with it."""
    place_used: bool
    entity: str
    """The entity being built: with the field's name it picks the record's identifier stream."""
    redrawn: int
    """Failed draws so far in this record's redraw loops (see :func:`out_of_redraws`)."""
    first: str | None
    last: str | None
    """The person last named in this record by a name kind (a user schema's ``contact.name``): an email or
    username drawn after it, in the same object or later, is built from that name."""

    def __init__(self, rng: random.Random, country: str, record: dict[str, Any] | None = None, scale: float = 1.0,
                 fewest: bool = False, category: str | None = None, noun: str | None = None,
                 product: str | None = None, ceiling: float | None = None, values: Values = VALUES,
                 place: Place | None = None, place_used: bool = False, entity: str = "", redrawn: int = 0,
                 first: str | None = None, last: str | None = None) -> None:
        self.rng = rng
        self.country = country
        self.record = {} if record is None else record
        self.scale = scale
        self.fewest = fewest
        self.category = category
        self.noun = noun
        self.product = product
        self.ceiling = ceiling
        self.values = values
        self.place = place
        self.place_used = place_used
        self.entity = entity
        self.redrawn = redrawn
        self.first = first
        self.last = last


REDRAW_BUDGET = 2000
"""Failed draws one record may spend in all its redraw loops together. Loops nest (a ``oneOf`` branch
holding an array of filtered objects), so without a shared budget the work grows as 40 to the power of the
depth: a SchemaStore schema took minutes for one record. Past the budget each loop keeps its last value;
the validator then reports what does not fit, and the record is redrawn or reported."""


def out_of_redraws(state: RecordState) -> bool:
    """Count one failed draw of this record; True once the record has spent its :data:`REDRAW_BUDGET`."""
    state.redrawn += 1
    return state.redrawn > REDRAW_BUDGET


Draw = Callable[[RecordState], Any]


def draw_none(state: RecordState) -> None:
    """A ``null`` field's drawer: no draw. The straight-line builders write ``None`` instead of calling it
    (a dataset's order has about thirty such fields: the values it copies and computes afterwards)."""
    return None


def pick_country(rng: random.Random, locale: str | None) -> str:
    """The record's country: the locale's if one is set, else drawn from the default mix."""
    if locale:
        return LOCALE_COUNTRIES.get(locale, "US")
    # The first country whose cumulative weight is above the draw (a bisection, not a loop over the mix)
    i = bisect_right(_COUNTRY_CUM, rng.random())
    return _COUNTRY_CODES[i] if i < _COUNTRY_COUNT else _COUNTRY_CODES[-1]


# As an expression of a record builder's ``rng`` and ``locale`` (straight.py): the same lookup and draw.
pick_country.inline = lambda entity: (  # type: ignore[attr-defined]
    "(@LOCALES.get(locale, 'US') if locale else (@CODES[@i] if (@i := @BISECT(@CUM, rng.random())) < @N "
    "else @CODES[-1]))",
    {"LOCALES": LOCALE_COUNTRIES, "CODES": _COUNTRY_CODES, "BISECT": bisect_right, "CUM": _COUNTRY_CUM,
     "N": _COUNTRY_COUNT})


# The drawers below run for every value of every record, so they draw through fastrand (the same values
# as rng.choice / randrange / randint, fewer calls) and inline the one-line formulas of rng.uniform and
# rng.expovariate. Changing the order or number of draws changes every later value: keep them as they are.

def _uuid(state: RecordState) -> str:
    return uuid4(state.rng)


@functools.lru_cache(maxsize=4096)
def uuid_stream(entity: str, name: str) -> int:
    """The 128-bit key of an entity's field's identifiers (mixed into every UUID drawn for it)."""
    digest = hashlib.blake2b(f"{entity}\x1f{name}".encode(), digest_size=16, person=b"testdata-uuid").digest()
    return int.from_bytes(digest, "big")


def _uuid_for(name: str) -> Draw:
    """UUIDs of one field: the same seed gives a user, a cart and an order different identifiers."""
    last: list[Any] = [None, 0]  # the entity this drawer last drew for, and its stream's uuid_key

    def draw(state: RecordState) -> str:
        entity = state.entity
        if entity is not last[0]:
            last[0], last[1] = entity, uuid_key(uuid_stream(entity, name))
        # fastrand.uuid4(state.rng, stream), inlined (a call fewer for every identifier)
        return _JOIN(((state.rng.getrandbits(128) & UUID_CLEAR) ^ last[1]).to_bytes(16, "big").hex("-", 2)
                     .replace("-", "", 1).rsplit("-", 2))
    draw.makes_shape = {"format": "uuid"}  # type: ignore[attr-defined]  # always 8-4-4-4-12 hex digits (vouch.py)
    draw.makes_value = {"type": "string", "format": "uuid"}  # type: ignore[attr-defined]  # an f-string

    def inline(entity: str | None) -> tuple[str, dict[str, Any]] | None:
        """The draw as an expression for a record builder of ``entity`` (straight.py): its stream's key is
        then a constant (an object's builder does not know the entity: None)."""
        if entity is None:
            return None
        return (_UUID_EXPRESSION, {"KEY": uuid_key(uuid_stream(entity, name)), "CLEAR": UUID_CLEAR, "JOIN": _JOIN})
    draw.inline = inline  # type: ignore[attr-defined]
    return draw


_UUID_EXPRESSION = "@JOIN(((rng.getrandbits(128) & @CLEAR) ^ @KEY).to_bytes(16, 'big').hex('-', 2)" \
                   ".replace('-', '', 1).rsplit('-', 2))"
"""What :func:`_uuid_for`'s drawer returns, as an expression of a record builder (straight.py)."""


_JOIN = "".join

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sku(state: RecordState) -> str:
    bits = state.rng.getrandbits
    a = bits(5)  # three times randrange(26), inlined and unrolled
    while a >= 26:
        a = bits(5)
    b = bits(5)
    while b >= 26:
        b = bits(5)
    c = bits(5)
    while c >= 26:
        c = bits(5)
    number = bits(17)  # randrange(100000), inlined
    while number >= 100_000:
        number = bits(17)
    # str(number).zfill(5) is f"{number:05d}" for 0 <= number < 100000, without the format-spec machinery
    return f"{_LETTERS[a]}{_LETTERS[b]}{_LETTERS[c]}-{str(number).zfill(5)}"


_sku.makes_shape = {"pattern": "^[A-Z]{3}-[0-9]{5}$"}  # type: ignore[attr-defined]  # three of A-Z, five digits
_sku.makes_value = {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{5}$"}  # type: ignore[attr-defined]


_CATEGORIES = tuple(PRODUCT_NOUNS)
_CATEGORY_BITS = len(_CATEGORIES).bit_length()


def _category(state: RecordState) -> str:
    if state.category is None:
        cat = state.record.get("category")
        if type(cat) is str and cat in PRODUCT_NOUNS:  # a user's "category" may be an object (Petstore's Pet)
            state.category = cat
        elif state.ceiling is not None:
            # A money maximum (a cart total of at most 50): only categories whose cheapest things fit it.
            state.category = pick(state.rng, _affordable(state.ceiling))
        else:
            # pick(state.rng, _CATEGORIES), inlined: the same getrandbits draws, a call fewer per line item
            bits = state.rng.getrandbits
            i = bits(_CATEGORY_BITS)
            while i >= len(_CATEGORIES):
                i = bits(_CATEGORY_BITS)
            state.category = _CATEGORIES[i]
    return state.category


def _affordable(ceiling: float) -> tuple[str, ...]:
    """Categories whose cheapest product, with a quarter added for tax, stays within ``ceiling``."""
    fits = tuple(c for c in _CATEGORIES if PRICE_BANDS[c][0] * 1.25 <= ceiling)
    return fits or (min(_CATEGORIES, key=lambda c: PRICE_BANDS[c][0]),)


_ADJECTIVE_BITS = len(PRODUCT_ADJECTIVES).bit_length()
_ADJECTIVE_COUNT = len(PRODUCT_ADJECTIVES)
_COLOUR_BITS = len(PRODUCT_COLOURS).bit_length()
_CATEGORY_COUNT = len(_CATEGORIES)
_COLOUR_COUNT = len(PRODUCT_COLOURS)
_NOUN_DRAWS = {category: (nouns, len(nouns), len(nouns).bit_length())
               for category, nouns in PRODUCT_NOUNS.items() if len(nouns)}


def _product_name(state: RecordState) -> str:
    r = state.rng
    bits = r.getrandbits
    category = state.category
    if category is None:
        cat = state.record.get("category")
        if (type(cat) is not str or cat not in PRODUCT_NOUNS) and state.ceiling is None:
            # _category(state)'s usual case (each line item of a cart) written out: the same getrandbits
            # draws, a call fewer per item
            i = bits(_CATEGORY_BITS)
            while i >= _CATEGORY_COUNT:
                i = bits(_CATEGORY_BITS)
            category = state.category = _CATEGORIES[i]
        else:
            category = _category(state)
    drawn = _NOUN_DRAWS.get(category)  # (its nouns, how many, their bit length: worked out once)
    if drawn is not None:  # pick(r, nouns), inlined: the same getrandbits draws
        nouns, count, k = drawn
        i = bits(k)
        while i >= count:
            i = bits(k)
        noun = state.noun = nouns[i]
    else:
        noun = state.noun = pick(r, PRODUCT_NOUNS[category])  # raises as rng.choice does
    colour = r.random() < 0.4
    # pick(r, PRODUCT_ADJECTIVES) and pick(r, PRODUCT_COLOURS), inlined: the same getrandbits draws.
    i = bits(_ADJECTIVE_BITS)
    while i >= _ADJECTIVE_COUNT:
        i = bits(_ADJECTIVE_BITS)
    if colour:
        j = bits(_COLOUR_BITS)
        while j >= _COLOUR_COUNT:
            j = bits(_COLOUR_BITS)
        name = f"{PRODUCT_ADJECTIVES[i]} {noun} - {PRODUCT_COLOURS[j]}"
    else:
        name = f"{PRODUCT_ADJECTIVES[i]} {noun}"
    state.product = name
    return name


_NOUN_LENGTHS = [len(n) for nouns in PRODUCT_NOUNS.values() for n in nouns]
_product_name.lengths = (  # type: ignore[attr-defined]  # read by _string_drawer: no length check needed
    min(map(len, PRODUCT_ADJECTIVES)) + 1 + min(_NOUN_LENGTHS),
    max(map(len, PRODUCT_ADJECTIVES)) + 1 + max(_NOUN_LENGTHS) + 3 + max(map(len, PRODUCT_COLOURS)),
)
# "adjective noun" or "adjective noun - colour": a str within those lengths (vouch.made_values)
_product_name.makes_value = {"type": "string", "minLength": _product_name.lengths[0],  # type: ignore[attr-defined]
                             "maxLength": _product_name.lengths[1]}  # type: ignore[attr-defined]


def _reviewed(state: RecordState) -> tuple[str, str, str]:
    """The product the record talks about (name, noun, category): the one named, else one drawn for it."""
    if state.noun is None or state.product is None:
        _product_name(state)  # a review generated alone: a plausible product of its own
    assert state.noun is not None and state.product is not None
    category = state.category  # _category(state) returns a category already set as it is: a call fewer
    return state.product, state.noun, category if category is not None else _category(state)


def _product_description(state: RecordState) -> str:
    name, noun, category = _reviewed(state)
    return product_description(state.rng, name, noun, category, pick(state.rng, FEATURES))


def _review_title(state: RecordState) -> str:
    name, noun, category = state.product, state.noun, state.category
    if name is None or noun is None or category is None:  # (else _reviewed(state) returns them as they are)
        name, noun, category = _reviewed(state)
    rating = state.record.get("rating")
    return review_title(state.rng, (("positive" if rating >= 4 else "negative" if rating <= 2 else "neutral")
                                    if type(rating) is int else sentiment_bucket(rating)), name, noun, category)


def _review_body(state: RecordState) -> str:
    name, noun, category = state.product, state.noun, state.category
    if name is None or noun is None or category is None:  # (else _reviewed(state) returns them as they are)
        name, noun, category = _reviewed(state)
    rating = state.record.get("rating")  # sentiment_bucket(rating), written out for a plain int
    return review_body(state.rng, (("positive" if rating >= 4 else "negative" if rating <= 2 else "neutral")
                                   if type(rating) is int else sentiment_bucket(rating)), name, noun, category)


def _review_body_inline(entity: str | None) -> tuple[str, dict[str, Any]]:
    """:func:`_review_body` as an expression (straight.py's ``inline``): when the product, its noun and its
    category are set (a review's title drew them), ``review_body`` with the rating's bucket, as the drawer
    computes it; else the drawer itself. The same draws (the texts' own), two calls fewer than the drawer's.
    ``tests/test_builder_shortcuts.py`` compares the builders using it with ``Plan.build``."""
    bucket = ('(("positive" if @g >= 4 else "negative" if @g <= 2 else "neutral") '
              'if type(@g := state.record.get("rating")) is int else @BUCKET(@g))')
    return (f"(@BODY(rng, {bucket}, @n, @o, @c) if (@n := state.product) is not None "
            "and (@o := state.noun) is not None and (@c := state.category) is not None else @DRAWER(state))",
            {"BODY": review_body, "BUCKET": sentiment_bucket, "DRAWER": _review_body})


_review_body.inline = _review_body_inline  # type: ignore[attr-defined]
_review_body.reads_category = True  # type: ignore[attr-defined]  # (its expression reads state.category)


# A review's texts name a product drawn by _product_name (state.product and state.noun are set nowhere else):
# their lengths lie within text_lengths' bounds, so a schema's minLength and maxLength around those bounds
# need no check per value (_string_drawer reads .lengths), and every value is a str within them (vouch.py).
_TEXT_LENGTHS = text_lengths(_product_name.lengths[1],  # type: ignore[attr-defined]
                             max(len(noun.lower()) for nouns in PRODUCT_NOUNS.values() for noun in nouns))
for _text, (_least, _most) in zip((_review_title, _review_body), _TEXT_LENGTHS, strict=True):
    _text.lengths = (_least, _most)  # type: ignore[attr-defined]
    _text.makes_value = {"type": "string", "minLength": _least, "maxLength": _most}  # type: ignore[attr-defined]


def _first_name(state: RecordState) -> str:
    # pools.first_name(state.country, state.rng), inlined: the same draw, two calls fewer per name (the
    # weights as exact floats: pools.exact_floats).
    names, weights = FIRST_DRAWS.get(state.country) or first_draws(state.country)
    return names[bisect_right(weights, state.rng.random() * weights[-1])]


def _last_name(state: RecordState) -> str:
    names, weights = LAST_DRAWS.get(state.country) or last_draws(state.country)  # pools.last_name, inlined
    return names[bisect_right(weights, state.rng.random() * weights[-1])]


def _email(state: RecordState) -> str:
    rec = state.record
    first = rec.get("first_name") or state.first or _first_name(state)
    last = rec.get("last_name") or state.last or _last_name(state)
    return state.values.email(str(first), str(last), state.rng, state.country)


def _home(state: RecordState) -> Place:
    """The record's place, drawn on first use."""
    found = state.place
    if found is None:
        found = state.place = place(state.country, state.rng)
    return found


def _phone_drawer(style: str) -> Draw:
    def phone(state: RecordState) -> str:
        found = state.place
        country, rng = state.country, state.rng
        if found is None:
            # _home(state) and place(country, rng), written out (the same draws): calls fewer for every phone
            places = (LOADED_DATA.get(country) or data_of(country)).places
            count = len(places)
            if not count:
                place(country, rng)  # (the usual IndexError)
            bits = count.bit_length()
            i = rng.getrandbits(bits)
            while i >= count:
                i = rng.getrandbits(bits)
            found = state.place = places[i]
        return phone_number(country, found, rng, style)
    return phone


_phone = _phone_drawer("international")
phone_drawer = _phone
"""The phone drawer of a ``phone`` field: a number of the record's country, international layout (vouch.py
knows what it makes)."""


def _company(state: RecordState) -> str:
    return pick(state.rng, pool("US").companies)


def _address(state: RecordState) -> dict[str, str]:
    """A real place of the record's country: the record's own for its first address, another for the rest."""
    country, rng = state.country, state.rng
    found = state.place
    if state.place_used or found is None:
        # place(country, rng), written out (the same draws): a call or two fewer per address
        places = (LOADED_DATA.get(country) or data_of(country)).places
        count = len(places)
        if not count:
            found = place(country, rng)  # (the usual IndexError)
        bits = count.bit_length()
        i = rng.getrandbits(bits)
        while i >= count:
            i = rng.getrandbits(bits)
        found = places[i]
        if not state.place_used:
            state.place = found  # the record's own place (_home)
    state.place_used = True
    return {"street": street(country, found, rng), "city": found[1], "state": found[2],
            # postal_code(country, found, rng) is the place's code, but for the countries with an inward part
            "postal_code": str(found[0]) if country not in INWARD_DRAWN else postal_code(country, found, rng),
            "country": country}


address_drawer = _address
"""The drawer of an address object: the record's country in every address, a postal code of a place of it
(vouch.py knows what it makes)."""


def _sentence(state: RecordState) -> str:
    words = pool("US").words
    rng = state.rng
    n = 4 + below(rng, 6)  # randrange(4, 10)
    return " ".join([pick(rng, words) for _ in range(n)]).capitalize() + "."


def _street(state: RecordState) -> str:
    return street(state.country, _home(state), state.rng)


def _city(state: RecordState) -> str:
    return town(_home(state))


def _region(state: RecordState) -> str:
    return str(_home(state)[2])


def _postal_code(state: RecordState) -> str:
    return postal_code(state.country, _home(state), state.rng)


def _url(state: RecordState) -> str:
    words = pool("US").words
    # rng.choice(words) twice, inlined: the same getrandbits draws (fastrand.pick); user schemas of web APIs
    # hold dozens of URLs a record (GitHub's user: 11).
    bits, n = state.rng.getrandbits, len(words)
    k = n.bit_length()
    host = bits(k)
    while host >= n:
        host = bits(k)
    path = bits(k)
    while path >= n:
        path = bits(k)
    return f"https://www.{words[host]}.example/{words[path]}"


def _ipv4(state: RecordState) -> str:
    r = state.rng.randrange
    return f"{r(1, 224)}.{r(256)}.{r(256)}.{r(1, 255)}"


def _time(state: RecordState) -> str:
    return timestamps.draw(state.rng)[11:19]


_timestamp = timestamps.draw_of  # timestamps.draw(state.rng), without the call between; written into a
# straight-line builder as its expression (timestamps.DATE_TIME_EXPRESSION)


def _date(state: RecordState) -> str:
    return timestamps.draw(state.rng)[:10]


_date.inline = timestamps.date_inline  # type: ignore[attr-defined]  # the same draws as an expression


_timestamp.makes_shape = {"format": "date-time"}  # type: ignore[attr-defined]  # a day of 2024-2025, HH:MM:SSZ
_timestamp.makes_value = {"type": "string", "format": "date-time"}  # type: ignore[attr-defined]


NAMED_DRAWERS: dict[str, Draw] = {
    "uuid": _uuid, "sku": _sku, "product.name": _product_name, "product.description": _product_description,
    "review.title": _review_title, "review.body": _review_body, "person.first_name": _first_name,
    "person.last_name": _last_name, "email": _email, "phone": _phone, "phone.e164": _phone_drawer("e164"),
    "phone.national": _phone_drawer("national"), "company": _company,
    "timestamp": _timestamp, "sentence": _sentence,
    "address.street": _street, "address.city": _city, "address.state": _region,
    "address.postal_code": _postal_code, "address.country": lambda s: s.country, "url": _url,
}
FORMAT_DRAWERS: dict[str, Draw] = {
    "uuid": _uuid, "date-time": NAMED_DRAWERS["timestamp"], "date": _date,
    "time": _time, "email": _email, "uri": _url, "ipv4": _ipv4,
}
def _faker_drawer(gen: str) -> Draw:
    """``x-gen: "faker.city"``: any Faker provider, drawn from a seeded pool per country."""
    provider = gen.partition(".")[2]
    faker_pool("US", provider)  # fails now, with the allowed form, if the provider does not exist

    def draw(state: RecordState) -> str:
        return state.rng.choice(faker_pool(state.country, provider))
    return draw


def _matching(base: Draw, regex: str) -> Draw:
    """A caller's regex: keep the realistic value when it matches, else generate one from the pattern."""
    compiled = compile_user_regex(regex, "constraints: regex")
    fallback = _regex_drawer(regex)

    def draw(state: RecordState) -> str:
        # Pool draws cost about a microsecond, so try many (a fixed number: what was drawn before must
        # not change what is drawn now, or seeds would stop reproducing records).
        for _ in range(100):
            value = str(base(state))
            if compiled.search(value):
                return value
        return str(fallback(state))
    return draw


PROBES = 64
"""Realistic values drawn (from a fixed seed, when the plan is built) to learn whether they fit a pattern."""


def _patterned(realistic: Draw | None, pattern: str) -> Draw:
    """Values of a schema ``pattern``: realistic ones where they fit it, else drawn from the pattern.

    Whether realistic values fit is learned once, when the plan is built, from :data:`PROBES` draws with a
    fixed seed: an email field with ``^\\S+@\\S+\\.\\S{2,}$`` gets real-looking addresses, an ``orcid`` field
    whose pattern no URL drawer meets goes straight to the pattern (no wasted draws per record).
    """
    fallback = _regex_drawer(pattern)
    if realistic is None:
        return fallback
    compiled = compile_user_regex(pattern, "pattern")
    probe = RecordState(random.Random(0), "US")
    hits = sum(1 for _ in range(PROBES) if compiled.search(str(realistic(probe))))
    if hits * 4 < PROBES:  # under a quarter fit: the pattern describes something else
        return fallback
    tries = 8 if hits * 4 >= 3 * PROBES else 32

    def draw(state: RecordState) -> str:
        for _ in range(tries):  # a fixed number: what was drawn before must not change what is drawn now
            value = str(realistic(state))
            if compiled.search(value):
                return value
        return str(fallback(state))
    return draw


def _string_drawer(node: Mapping[str, Any], name: str, constraint: FieldConstraint | None) -> Draw:
    pattern = node.get("pattern")
    fmt = node.get("format")
    gen = node.get("x-gen")
    if gen in NAMED_DRAWERS:
        base = NAMED_DRAWERS[gen]
    elif isinstance(gen, str) and gen.startswith("faker."):
        base = _faker_drawer(gen)
    elif gen is not None:
        raise TestdataUsageError(
            f"property {name!r}: unknown \"x-gen\" {gen!r}. Allowed: {', '.join(sorted(NAMED_DRAWERS))}, "
            "or \"faker.<provider>\" for any Faker provider (e.g. \"faker.city\")."
        )
    elif pattern:
        # The schema's pattern is the law; a realistic value by format is kept when it fits (by name, the
        # field-name table already tried: generators/traditional/realistic.py).
        base = _patterned(FORMAT_DRAWERS.get(fmt) if fmt in FORMAT_DRAWERS else None, str(pattern))
    elif fmt in FORMAT_DRAWERS:
        base = FORMAT_DRAWERS[fmt]
    else:
        # Field names are read before (generators/traditional/realistic.py): here a name says nothing, so the
        # schema's examples may (a token, an identifier's shape); else a sentence.
        base = examples_drawer(node) or _sentence
    if base is _uuid:
        base = _uuid_for(name)
    if constraint is not None and constraint.regex:
        base = _matching(base, constraint.regex)
    if constraint is None and "minLength" not in node and "maxLength" not in node:
        return base  # no length to keep (most strings of a user schema): no rules to work out
    rules = rules_for(node, constraint)  # the schema's lengths narrowed by the caller's (one constraint model)
    lo, hi = rules.min_length, rules.max_length
    if lo is None and hi is None:
        return base
    lengths = getattr(base, "lengths", None)  # a drawer whose values' lengths are known: within bounds?
    if lengths is not None and (lo is None or lengths[0] >= lo) and (hi is None or lengths[1] <= hi):
        return base

    def fit(state: RecordState, drawn: Any) -> str:
        value = drawn if type(drawn) is str else str(drawn)
        if (lo is None or len(value) >= lo) and (hi is None or len(value) <= hi):
            return value  # the usual case: already within bounds
        if hi is not None and len(value) > hi:
            value = value[:hi].rstrip() or value[:hi]
        while lo is not None and len(value) < lo:
            value += state.rng.choice("abcdefghijklmnopqrstuvwxyz")
        return value

    # What every value is (vouch.made_values): a str within the bounds, for fit cuts a longer one to ``hi``
    # and pads a shorter one to ``lo``; with ``lo`` above ``hi`` (no value can be) nothing is said.
    tag: dict[str, Any] = {"type": "string"}
    if lo is not None:
        tag["minLength"] = lo
    if hi is not None:
        tag["maxLength"] = hi
    said = type(lo) in (int, type(None)) and type(hi) in (int, type(None)) and (lo is None or hi is None or lo <= hi)
    if lo is not None and hi is not None:
        named = _bounded_name(base, lo, hi, fit)
        if named is not None:
            if said:
                named.makes_value = tag  # type: ignore[attr-defined]
            return named

        def bounded(state: RecordState) -> Any:
            value = base(state)
            if type(value) is str and lo <= len(value) <= hi:
                return value  # the usual case (a name of 1 to 60 letters): one test, no call
            return fit(state, value)
        if said:
            bounded.makes_value = tag  # type: ignore[attr-defined]
        return bounded

    def sized(state: RecordState) -> str:
        return fit(state, base(state))
    if said:
        sized.makes_value = tag  # type: ignore[attr-defined]
    return sized


def _bounded_name(base: Draw, lo: Any, hi: Any, fit: Callable[[RecordState, Any], str]) -> Draw | None:
    """``bounded`` of :func:`_string_drawer` around :func:`_first_name` or :func:`_last_name` (a user's names),
    with the name's draw written out: the same draw and test, a call fewer for every name. None for any other
    drawer."""
    if base is _first_name:
        def first_name(state: RecordState) -> Any:
            names, weights = FIRST_DRAWS.get(state.country) or first_draws(state.country)
            value = names[bisect_right(weights, state.rng.random() * weights[-1])]
            if type(value) is str and lo <= len(value) <= hi:
                return value
            return fit(state, value)
        return first_name
    if base is _last_name:
        def last_name(state: RecordState) -> Any:
            names, weights = LAST_DRAWS.get(state.country) or last_draws(state.country)
            value = names[bisect_right(weights, state.rng.random() * weights[-1])]
            if type(value) is str and lo <= len(value) <= hi:
                return value
            return fit(state, value)
        return last_name
    return None


_DIGITS = re.compile(r"^\^?(?:\[0-9\]|\\d)\{(\d+)\}\$?\Z")


def _regex_drawer(pattern: str) -> Draw:
    regex = compile_user_regex(pattern, "pattern")  # within the budget, or a usage error now
    digits = _DIGITS.match(pattern)
    if digits:  # "^[0-9]{4}$" and friends are common enough to deserve a fast path
        width = int(digits.group(1))
        size = 10**width
        return lambda s: f"{below(s.rng, size):0{width}d}"

    def draw(state: RecordState) -> str:
        return regex.generate(state.rng)
    return draw


_VOTE_WORDS = ("vote", "like", "view", "helpful", "follower", "click", "share", "upvote")
_STOCK_WORDS = ("stock", "inventory", "on_hand", "available")


def _long_tail(hi: int, zeros: float, size: float, alpha: float, lo: int = 0) -> Draw:
    """Counts with ``zeros`` of them at ``lo`` and the rest ``lo + 1 +`` a Pareto draw of scale ``size``."""
    def draw(state: RecordState) -> int:
        random_ = state.rng.random
        if random_() < zeros:
            return lo
        return int(min(hi, lo + 1 + int(size * ((1.0 - random_()) ** (-1.0 / alpha) - 1.0))))
    # As an expression of a straight-line builder (straight.py): the same draws and float operations.
    draw.inline = lambda entity: (  # type: ignore[attr-defined]
        "(@LO if rng.random() < @ZEROS else int(min(@HI, @LO + 1 + int(@SIZE * ((1.0 - rng.random()) "
        "** (-1.0 / @ALPHA) - 1.0)))))", {"LO": lo, "HI": hi, "ZEROS": zeros, "SIZE": size, "ALPHA": alpha})
    return draw


def _quantity_count(u: float) -> int:
    """The whole part of a quantity's draw above its least value, from ``u = rng.random()`` (an exponential
    draw of rate 0.9, as ``rng.expovariate(0.9)`` makes it)."""
    return int(-math.log(1.0 - u) / 0.9)


@functools.lru_cache(maxsize=32)
def _quantity_thresholds(span: int) -> tuple[float, ...]:
    """The thresholds on ``u`` of a quantity's draw (:func:`_quantity_count`) up to ``span`` (thresholds.py)."""
    return thresholds(_quantity_count, span)


def _quantity_inline(ilo: int, ihi: int) -> tuple[str, dict[str, Any]]:
    """A quantity's draw (``ilo <= ihi``) as an expression of a straight-line builder: its ``u`` compared with
    the thresholds (the same value as the formula's), the formula itself for a ``u`` outside ``[0, 1)``."""
    table = chain("@u", "rng.random()", ilo, _quantity_thresholds(ihi - ilo), "@OLD(@u)")
    return f"(@LO if state.fewest else ({table}))", {"LO": ilo, "OLD": _quantity_formula(ilo, ihi)}


def _quantity_formula(ilo: int, ihi: int) -> Callable[[float], int]:
    """A quantity from its ``u`` by the formula (the drawer's own steps), for a ``u`` outside the table's range."""
    def formula(u: float) -> int:
        drawn = ilo + _quantity_count(u)
        return drawn if drawn < ihi else int(ihi)
    return formula


def _bounds(node: Mapping[str, Any], constraint: FieldConstraint | None) -> tuple[Any, Any]:
    """A number field's ``(low, high)`` from the one constraint model (the schema's bounds narrowed by the
    caller's). Without a schema ``minimum`` values start at 0, unless the caller's range lies below it."""
    rules = rules_for(node, constraint)
    lo, hi = rules.minimum, rules.maximum
    if "minimum" not in node and (lo is None or lo < 0) and (hi is None or hi >= 0):
        lo = 0
    if lo is None:  # only an upper bound, below zero (a debt, an offset): values from below it
        lo = hi - 1000
    return lo, hi


def _number_drawer(node: Mapping[str, Any], name: str, constraint: FieldConstraint | None,
                   integer: bool) -> Draw:
    lo, hi = _bounds(node, constraint)
    if integer:
        ilo = math.ceil(lo)
        ihi = math.floor(hi) if hi is not None else ilo + 1000
        span = max(ihi - ilo, 0)
        lname = name.lower()
        if "quantity" in name and span <= 20:
            # Most baskets hold one or two of a thing; a total under a maximum takes the fewest.
            log = math.log

            def quantity(state: RecordState) -> int:
                if state.fewest:
                    return int(ilo)
                # min(ihi, ilo + rng.expovariate(0.9)) on whole numbers, inlined (ilo and ihi are ints)
                drawn: int = ilo + int(-log(1.0 - state.rng.random()) / 0.9)
                return drawn if drawn < ihi else int(ihi)
            if ilo <= ihi:
                # ilo plus a whole number >= 0 (-log(1 - u) >= 0 for u in [0, 1)), at most ihi: ints (vouch.py)
                quantity.makes_value = {"type": "integer", "minimum": ilo, "maximum": ihi}  # type: ignore[attr-defined]
            # The draw as an expression of a straight-line builder (straight.py): the same draw, and the same
            # value by a table of thresholds on it in place of the log (thresholds.py; a rng whose random()
            # leaves [0, 1) by the formula itself).
            if ilo <= ihi:
                quantity.inline = lambda entity: _quantity_inline(int(ilo), int(ihi))  # type: ignore[attr-defined]
            else:
                quantity.inline = lambda entity: (  # type: ignore[attr-defined]
                    "(@LO if state.fewest else (@q if (@q := @LO + int(-@LOG(1.0 - rng.random()) / 0.9)) < @HI "
                    "else @HI))", {"LO": int(ilo), "HI": int(ihi), "LOG": log})
            return quantity
        if span <= 20:
            def small(state: RecordState) -> int:
                return between(state.rng, ilo, ihi)
            if ilo <= ihi:
                # As an expression of a straight-line builder (straight.py): between's first getrandbits draw,
                # and between itself when it is refused (its rejection loop starts afresh with the same draws).
                small.inline = lambda entity: (  # type: ignore[attr-defined]
                    "(@LO + @r if (@r := rng.getrandbits(@BITS)) < @N else @BETWEEN(rng, @LO, @HI))",
                    {"LO": ilo, "HI": ihi, "N": ihi - ilo + 1, "BITS": (ihi - ilo + 1).bit_length(),
                     "BETWEEN": between})
            return small
        if ilo == 0 and any(word in lname for word in _VOTE_WORDS):
            # Votes, likes, views: most records have none, a few have many (a Pareto tail).
            return _long_tail(ihi, zeros=0.55, size=1.5, alpha=1.0)
        if any(word in lname for word in _STOCK_WORDS):
            # Stock levels: a few out of stock, most a few dozen, some warehouses full.
            return _long_tail(ihi, zeros=0.08 if ilo == 0 else 0.0, size=40.0, alpha=1.2, lo=ilo)
        # Counts in real data are skewed: most are small, a few are large, and a count that may be zero
        # often is (out of stock, no votes yet).
        rate = 1 / (span / 8)  # rng.expovariate(rate), inlined below
        zeros = 0.12 if ilo == 0 else 0.0

        def skewed(state: RecordState) -> int:
            if zeros and state.rng.random() < zeros:
                return 0
            return int(min(ihi, ilo + int(-math.log(1.0 - state.rng.random()) / rate)))
        return skewed
    flo = float(lo)
    fhi = float(hi) if hi is not None else max(flo * 10, 1000.0)
    money = node.get("multipleOf") == 0.01 or node.get("x-gen") == "price"
    if money:
        # Prices are log-uniform (many cheap things, few dear ones) and scaled to meet constraints.
        log_lo, log_hi = math.log(max(flo, 0.01)), math.log(max(fhi, 0.02))
        log_span = log_hi - log_lo
        exp, floor, log = math.exp, math.floor, math.log

        # A category's price range within the schema's bounds, worked out once (the same operations the
        # general path below performs on every draw): what a price costs when nothing rescales it.
        fixed = {
            category: (p_lo, p_hi, log(p_lo), log(p_hi) - log(p_lo))
            for category, band in PRICE_BANDS.items() if band[0] < fhi and band[1] > flo
            for p_lo, p_hi in [(max(band[0], flo, 0.01), min(band[1], fhi))]
        }

        def price(state: RecordState) -> float:
            random_ = state.rng.random
            scale = state.scale
            category = state.category
            if category is not None and scale == 1.0 and state.ceiling is None:
                known = fixed.get(category)
                if known is not None:
                    p_lo, p_hi, log_lo_c, log_span_c = known
                    value = exp(log_lo_c + log_span_c * random_())
                    if random_() < 0.5 and (ninety_nine := floor(value) + 0.99) <= p_hi:
                        # round(k + 0.99, 2) is k + 0.99 for every whole k under 1e6 (checked exhaustively in
                        # tests/test_fast_paths.py): within the range, nothing is left to clamp or round.
                        value = ninety_nine if p_lo <= ninety_nine < 1e6 \
                            else round_cents(min(max(ninety_nine, p_lo), p_hi))
                    elif p_lo <= value <= p_hi and value < 1e9:
                        # round_cents(min(max(value, p_lo), p_hi)), inlined for a float already within the
                        # range (the clamps return it as it is): the same steps, a call and two clamps fewer
                        scaled = value * 100.0
                        whole = floor(scaled + 0.5)
                        value = whole / 100 if whole and -0.49 < scaled - whole < 0.49 else round(value, 2)
                    else:
                        value = round_cents(min(max(value, p_lo), p_hi))  # round(..., 2), cheaper
                    return value if (value / CENT).is_integer() else clean_price(value, p_lo, p_hi)
            band = PRICE_BANDS.get(category) if category is not None else None
            if band is not None and band[0] < fhi and band[1] > flo:
                # A product's price follows its category's typical range (within the schema's bounds and a
                # caller's money maximum). To meet a total the range narrows toward one end; it never
                # leaves the band: a grocery item does not cost 999.99, nor a book 0.50.
                p_lo, p_hi = max(band[0], flo, 0.01), min(band[1], fhi)
                if state.ceiling is not None:
                    p_hi = max(p_lo, min(p_hi, state.ceiling))
                if scale < 1:
                    p_hi = max(p_lo, p_hi * scale)
                elif scale > 1:
                    p_lo = min(p_hi, p_lo * scale)
                value = exp(log(p_lo) + (log(p_hi) - log(p_lo)) * random_())
                if random_() < 0.5 and floor(value) + 0.99 <= p_hi:
                    value = floor(value) + 0.99
                return clean_price(round_cents(min(max(value, p_lo), p_hi)), p_lo, p_hi)
            # No category to follow: log-uniform, scaled toward the caller's range.
            value = exp(log_lo + log_span * random_()) * scale  # rng.uniform(log_lo, log_hi)
            if random_() < 0.5:
                value = floor(value) + 0.99
            # round_cents(min(max(value, flo), fhi)) written out for a float (an order's shipping, every
            # order): max(value, flo) is flo only when flo > value, min(.., fhi) fhi only when fhi < it
            value = flo if flo > value else value
            value = fhi if fhi < value else value
            if -1e9 < value < 1e9:
                scaled = value * 100.0
                whole = floor(scaled + 0.5)
                value = whole / 100 if whole and -0.49 < scaled - whole < 0.49 else round(value, 2)
            else:
                value = round(value, 2)
            # clean_price(value, ...) returns a value on the cent as it is (most are): no call for those.
            return value if (value / CENT).is_integer() else clean_price(value, flo, fhi)
        return price
    return lambda s: s.rng.uniform(flo, fhi)


def _stepped(number: Draw, step: float, node: Mapping[str, Any], constraint: FieldConstraint | None,
             integer: bool) -> Draw:
    """Round a number drawer's values to multiples of ``step`` that stay within the bounds."""
    lo, hi = _bounds(node, constraint)
    first = math.ceil(lo / step)
    last = math.floor(hi / step) if hi is not None else None

    def draw(state: RecordState) -> float | int:
        multiple = max(round(number(state) / step), first)
        if last is not None:
            multiple = min(multiple, last)
        value = multiple * step
        return int(value) if integer else round(value, 10)
    return draw
