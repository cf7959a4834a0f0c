"""Values drawn from the shipped country data: names, real places, valid phone numbers, emails.

The data (:mod:`pytest_testdata.locales.gazetteer`) is read once per process and country, in milliseconds;
drawing a value costs about a microsecond. Records depend only on the per-call seed and the data files,
not on the installed Faker release. ``faker_pool`` still serves ``x-gen: "faker.<provider>"`` fields.
"""

from __future__ import annotations

import random
import threading
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.frozen import Frozen
from pytest_testdata.generators.traditional.fastrand import below, pick
from pytest_testdata.locales.countries import CALLING_CODES, COUNTRY_LOCALES, NANP, POSTAL_CODES
from pytest_testdata.locales.gazetteer import (
    CountryData,
    CountryNames,
    PhoneRange,
    common_words,
    country_data,
    country_names,
    places_match_postal_pattern,
)
from pytest_testdata.quality.rules import fold_name, latin_name

POOL_SIZE = 400
POOL_SEED = 20_240_601
_lock = threading.Lock()

Place = Sequence[Any]
"""[postal code or its outward part, town, state/region, phone area]: a row of the country's data."""

RESERVED_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net", "mail.example",
                                     "inbox.example")
"""Domains reserved for documentation and tests (RFC 2606, RFC 6761): mail to them reaches nobody."""
REAL_DOMAINS: dict[str, tuple[str, ...]] = {
    "US": ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com"),
    "CA": ("gmail.com", "outlook.com", "yahoo.ca", "hotmail.ca", "shaw.ca"),
    "GB": ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk", "sky.com"),
    "DE": ("gmail.com", "web.de", "gmx.de", "t-online.de", "freenet.de"),
    "FR": ("gmail.com", "orange.fr", "free.fr", "laposte.net", "sfr.fr"),
    "JP": ("gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com", "outlook.jp"),
    "BR": ("gmail.com", "hotmail.com", "uol.com.br", "bol.com.br", "terra.com.br"),
    "ES": ("gmail.com", "hotmail.es", "yahoo.es", "telefonica.net", "outlook.es"),
    "IT": ("gmail.com", "libero.it", "virgilio.it", "alice.it", "tiscali.it"),
    "NL": ("gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.nl", "outlook.com"),
    "AU": ("gmail.com", "bigpond.com", "outlook.com", "optusnet.com.au", "icloud.com"),
    "IN": ("gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com", "hotmail.com"),
}
"""Real providers' domains by country, used only when asked for (``email_domains="real"``)."""
EMAIL_DOMAIN_MODES = ("reserved", "real")

_INWARD_DRAWN = frozenset({"GB", "CA", "NL"})
_INWARD_SIZE = {"GB": 3, "CA": 3, "NL": 2}
INWARD_DRAWN = _INWARD_DRAWN
"""Countries whose :func:`postal_code` adds an inward part to the place's (any other: the place's own)."""
_GB_INWARD = "ABDEFGHJLNPQRSTUWXYZ"
_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
_NL_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
_NL_UNUSED = frozenset({"SA", "SD", "SS"})
FIXED_LINE_SHARE = 0.3
"""Share of phone numbers that are landlines of the address's area, where the country has mobile ranges."""


class CountryPool(Frozen):
    """Names and companies of one country, as the drawers read them."""

    __slots__ = ("country", "companies", "words")  # noqa: RUF023 (in field order: Frozen)

    country: str
    companies: tuple[str, ...]
    words: tuple[str, ...]

    def __init__(self, country: str, companies: tuple[str, ...], words: tuple[str, ...]) -> None:
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "companies", companies)
        object.__setattr__(self, "words", words)

    @property
    def data(self) -> CountryData:
        """The country's data, read on first use (most URLs and words need none of it)."""
        return data_of(self.country)

    @property
    def addresses(self) -> list[tuple[Any, ...]]:
        return self.data.places


@cache
def country_pool(country: str) -> CountryPool:
    """The pool for a country code (``US``, ``GB``...); its data is read on first use."""
    companies, words = common_words()
    if country not in LOADED_DATA:
        country_names(country)  # a code without data fails here, as it always did
    return CountryPool(country, companies, words)


_BUILT: dict[str, CountryPool] = {}


def pool(country: str) -> CountryPool:
    """:func:`country_pool`, looked up in a plain dict first: drawers ask for a pool for every name."""
    found = _BUILT.get(country)
    if found is None:
        found = _BUILT[country] = country_pool(country)
    return found


LOADED_DATA: dict[str, CountryData] = {}
"""Countries whose data is loaded (:func:`data_of` fills it; hot drawers read it before calling)."""


def data_of(country: str) -> CountryData:
    """The country's data, through a plain dict (drawers ask for it for every value)."""
    found = LOADED_DATA.get(country)
    if found is None:
        found = LOADED_DATA[country] = country_data(country)
    return found


LOADED_NAMES: dict[str, CountryNames] = {}
"""Countries whose names are loaded (:func:`names_of` fills it; name drawers read it before calling)."""


def names_of(country: str) -> CountryNames:
    """The country's weighted names, through a plain dict; read alone (not the places, streets and phone
    ranges) unless the country's whole data is loaded already."""
    found = LOADED_NAMES.get(country)
    if found is None:
        found = LOADED_NAMES[country] = LOADED_DATA.get(country) or country_names(country)
    return found


def weighted(rng: random.Random, names: Sequence[str], cumulative: Sequence[int]) -> str:
    """A name drawn by its weight (one ``rng.random()`` and a bisect)."""
    return names[bisect_right(cumulative, rng.random() * cumulative[-1])]


_EXACT = 2 ** 53
"""Every int of at most this size is a float exactly."""


def exact_floats(cumulative: Sequence[Any]) -> Sequence[Any]:
    """Cumulative weights as floats when each is an int a float holds exactly, else the weights themselves.

    :func:`weighted` bisects them with a float key (``rng.random() * cumulative[-1]``). A float and an int
    compare as the numbers they are, so the bisect finds the same place in the floats as in the ints, and the
    key is the same float (``float * int`` turns the int into that same float first). A float compared with a
    float costs about a tenth of a float compared with an int: a name's bisect over some 700 weights, about
    1,500 to 2,900 machine instructions, costs about 300."""
    if all(type(w) is int and -_EXACT <= w <= _EXACT for w in cumulative):
        return [float(w) for w in cumulative]
    return cumulative


NameDraw = tuple[Sequence[str], Sequence[Any]]
FIRST_DRAWS: dict[str, NameDraw] = {}
"""A country's first names and their cumulative weights for :func:`weighted` (:func:`exact_floats`), by country
(:func:`first_draws` fills it; name drawers read it before calling)."""
LAST_DRAWS: dict[str, NameDraw] = {}
"""The same for last names (:func:`last_draws`)."""


def first_draws(country: str) -> NameDraw:
    """The country's first names and weights to draw from (see :data:`FIRST_DRAWS`)."""
    found = FIRST_DRAWS.get(country)
    if found is None:
        data = names_of(country)
        found = FIRST_DRAWS[country] = (data.first_names, exact_floats(data.first_weights))
    return found


def last_draws(country: str) -> NameDraw:
    """The country's last names and weights to draw from (see :data:`LAST_DRAWS`)."""
    found = LAST_DRAWS.get(country)
    if found is None:
        data = names_of(country)
        found = LAST_DRAWS[country] = (data.last_names, exact_floats(data.last_weights))
    return found


def first_name(country: str, rng: random.Random) -> str:
    return weighted(rng, *first_draws(country))


def last_name(country: str, rng: random.Random) -> str:
    return weighted(rng, *last_draws(country))


def place(country: str, rng: random.Random) -> Place:
    return pick(rng, data_of(country).places)


@cache
def _places_by_state(country: str) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    for row in pool(country).data.places:
        out.setdefault(row[2], []).append(row)
    return out


def place_in(country: str, region: str, rng: random.Random) -> Place | None:
    """A place of the country in the state or region (None if the data has none there)."""
    rows = _places_by_state(country).get(region)
    return pick(rng, rows) if rows else None


def postal_code(country: str, found: Place, rng: random.Random) -> str:
    """The place's full postal code. GB, CA and NL places hold the outward part and list real inward codes of
    it (three characters each, two letters for NL), and one is chosen; a place without them (data built
    without the full lists) gets an inward part drawn in the country's format."""
    code = found[0]
    if country not in _INWARD_DRAWN:
        return str(code)
    if len(found) > 4:  # real inward codes (JP's fifth column is a district, but JP has no inward part)
        inwards: str = found[4]
        size = _INWARD_SIZE[country]
        at = size * below(rng, len(inwards) // size)
        return f"{code} {inwards[at:at + size]}"
    if country == "GB":
        return f"{code} {below(rng, 10)}{pick(rng, _GB_INWARD)}{pick(rng, _GB_INWARD)}"
    if country == "CA":
        return f"{code} {below(rng, 10)}{pick(rng, _CA_LETTERS)}{below(rng, 10)}"
    if country == "NL":
        letters = pick(rng, _NL_LETTERS) + pick(rng, _NL_LETTERS)
        return f"{code} {letters if letters not in _NL_UNUSED else 'AB'}"
    return str(code)


def postal_codes_fit(country: str) -> bool:
    """Whether every postal code :func:`postal_code` can give for a place of the country has the country's
    shape (``countries.postal_code_matches`` says yes to each): checked over all the country's places, once
    (vouch.py then leaves the postal-code rule out for its addresses). Countries whose codes take an inward
    part (GB, CA, NL: tens of thousands of them) say False: their codes are checked per record."""
    pattern = POSTAL_CODES.get(country)
    if pattern is None or country in _INWARD_DRAWN:
        return False
    places = data_of(country).places  # (read first: its ready form may know the answer)
    known = places_match_postal_pattern(country, pattern)
    if known is not None:
        return known
    match = pattern.match
    return all(match(str(row[0])) for row in places)


def town(found: Place) -> str:
    """The place's town."""
    return str(found[1])


_NUMBER_FIRST = frozenset({"US", "CA", "AU", "GB", "FR"})
_NUMBER_COMMA = frozenset({"IN"})
_NAME_COMMA = frozenset({"IT", "BR"})
_BIG_NUMBERS = frozenset({"US", "CA", "AU"})


def street(country: str, found: Place, rng: random.Random) -> str:
    """A street line in the country's way of writing it (countries.STREET_FORMATS)."""
    if country == "JP":  # the district, then chome-ban-go
        return f"{found[4]} {1 + below(rng, 9)}-{1 + below(rng, 30)}-{1 + below(rng, 20)}"
    # pick(rng, streets) and the below() calls written out (the same getrandbits draws, rejections and all):
    # two or three calls fewer per address, about a sixth of a user's addresses.
    streets = (LOADED_DATA.get(country) or data_of(country)).streets
    count = len(streets)
    if not count:
        return pick(rng, streets)  # (the usual IndexError)
    getrandbits = rng.getrandbits
    bits = count.bit_length()
    i = getrandbits(bits)
    while i >= count:
        i = getrandbits(bits)
    name = streets[i]
    r = rng.random()
    if country in _BIG_NUMBERS:
        if r < 0.3:  # 1 + below(rng, 99)
            n = getrandbits(7)
            while n >= 99:
                n = getrandbits(7)
            n += 1
        else:  # 100 + below(rng, 9900)
            n = getrandbits(14)
            while n >= 9900:
                n = getrandbits(14)
            n += 100
    elif r < 0.7:  # 1 + below(rng, 40)
        n = getrandbits(6)
        while n >= 40:
            n = getrandbits(6)
        n += 1
    else:  # 41 + below(rng, 260)
        n = getrandbits(9)
        while n >= 260:
            n = getrandbits(9)
        n += 41
    if country in _NUMBER_FIRST:
        return f"{n} {name}"
    if country in _NUMBER_COMMA:
        return f"{n}, {name}"
    if country in _NAME_COMMA:
        return f"{name}, {n}"
    return f"{name} {n}"


@cache
def address_lengths(country: str) -> dict[str, tuple[int, int]] | None:
    """The fewest and most characters of each string the address drawer (``drawers._address``) can write for
    a place of the country: ``street`` (:func:`street`), ``city`` and ``state`` (the place's own),
    ``postal_code`` (:func:`postal_code`, which the postal-code rule also draws through). Worked out once over
    all the country's places and streets; None when a value there is not a string (nothing is vouched for).
    Keep in step with :func:`street` and :func:`postal_code` (``tests/test_fast_paths.py`` draws many)."""
    places = data_of(country).places
    if not places or not all(type(row[1]) is str and type(row[2]) is str for row in places):
        return None
    city = (min(len(row[1]) for row in places), max(len(row[1]) for row in places))
    state = (min(len(row[2]) for row in places), max(len(row[2]) for row in places))
    codes = [len(str(row[0])) for row in places]
    # An inward part is a space and _INWARD_SIZE characters (a listed one, or drawn in the country's format).
    inward = 1 + _INWARD_SIZE[country] if country in _INWARD_DRAWN else 0
    code = (min(codes) + inward, max(codes) + inward)
    if country == "JP":  # the district (a str), a space, then 1-9, 1-30, 1-20 joined by hyphens
        if not all(type(row[4]) is str for row in places):
            return None
        districts = [len(row[4]) for row in places]
        return {"street": (min(districts) + 6, max(districts) + 8), "city": city, "state": state,
                "postal_code": code}
    streets = data_of(country).streets
    if not streets or not all(type(name) is str for name in streets):
        return None
    digits = 4 if country in _BIG_NUMBERS else 3  # 1..9999 or 1..300
    separator = 1 if country in _NUMBER_FIRST or country not in _NUMBER_COMMA | _NAME_COMMA else 2
    names = [len(name) for name in streets]
    return {"street": (min(names) + separator + 1, max(names) + separator + digits), "city": city,
            "state": state, "postal_code": code}


def phone_range(country: str, found: Place | None, rng: random.Random) -> PhoneRange:
    """A valid range: a landline of the place's area, else a mobile range (NANP numbers are all geographic)."""
    data = data_of(country)
    area = data.areas[found[3]] if found is not None and found[3] >= 0 else ()
    if area and (not data.mobile or rng.random() < FIXED_LINE_SHARE):
        return data.fixed[pick(rng, area)]
    if data.mobile:
        return pick(rng, data.mobile)
    return pick(rng, data.fixed)


PHONE_STYLES = ("international", "e164", "national")


def phones_fit(country: str) -> bool:
    """Whether every number :func:`phone_number` can give for the country in the international layout starts
    with the country's calling code and a space (``countries.phone_matches`` says yes to each): every layout
    of its ranges checked, once (vouch.py then leaves the phone rule out for its records). NANP countries
    say False: their numbers are also checked against the address's state, per record."""
    code = CALLING_CODES.get(country)
    if code is None or country in NANP:
        return False
    data = data_of(country)
    lead = code + " "
    return all(international.startswith(lead) for _, _, _, international in (*data.fixed, *data.mobile))


def phone_layouts_fit(country: str, test: Callable[[str], object]) -> bool:
    """Whether ``test`` passes every international layout of the country's ranges with a ``0`` in each of its
    ``{}`` fields (a layout with other braces says False). For a test that sees every digit alike (vouch.py
    asks only with the built-in phone pattern) that is every number :func:`phone_number` can give for the
    country in that layout, whatever digits it draws."""
    data = data_of(country)
    for _, _, _, international in (*data.fixed, *data.mobile):
        if "{" in international.replace("{}", "") or "}" in international.replace("{}", "") \
                or not test(international.replace("{}", "0")):
            return False
    return True


_Layout = tuple[str, Any, int] | None
_LAYOUTS: dict[str, _Layout] = {}
"""Each phone layout (``"+1 {}{}{}-{}{}{}-{}{}{}{}"``) as :func:`_layout` splits it, on first use."""
_UNSEEN: Any = object()


def _layout(text: str) -> _Layout:
    """A layout of ``{}`` fields as a ``%`` format of its runs of fields (``"+1 %s-%s-%s"``), a getter of the
    digits' slices that fill them and the number of fields: ``text.format(*digits)`` is ``form %
    slices(digits)`` for ``digits`` of at least that many characters (each field takes the next one; extra
    ones are left out by both). None for a layout with other braces, or no field: it is formatted as it is."""
    parts: list[str] = []
    cuts: list[slice] = []
    at = run = 0
    i = 0
    while i < len(text):
        if text.startswith("{}", i):
            run += 1
            i += 2
            continue
        if text[i] in "{}":
            return None
        if run:
            parts.append("%s")
            cuts.append(slice(at, at + run))
            at, run = at + run, 0
        parts.append("%%" if text[i] == "%" else text[i])
        i += 1
    if run:
        parts.append("%s")
        cuts.append(slice(at, at + run))
        at += run
    if not cuts:
        return None
    return "".join(parts), itemgetter(*cuts), at


def _laid_out(text: str, digits: str) -> str:
    """``text.format(*digits)``: the digits' slices put into the layout at once, not field by field (about
    2,500 machine instructions fewer for a ten-digit number)."""
    found: Any = _LAYOUTS.get(text, _UNSEEN)
    if found is _UNSEEN:
        found = _LAYOUTS[text] = _layout(text)
    if found is not None and len(digits) >= found[2]:
        laid: str = found[0] % found[1](digits)
        return laid
    return text.format(*digits)  # (too few digits: the same IndexError)


_POWERS_KEPT = 20
_POWERS = tuple((10 ** k, (10 ** k).bit_length()) for k in range(_POWERS_KEPT))
"""``10 ** k`` and its bit length, for the free digits of a phone number (worked out once, not per number)."""


def phone_number(country: str, found: Place | None, rng: random.Random, style: str = "international") -> str:
    """A number valid for the country by libphonenumber's rules, in the asked layout."""
    # phone_range(), pick(), below() and _laid_out() written out, the same draws in the same order: five
    # calls fewer for every phone number (a user's phone, and a redrawn one).
    data = LOADED_DATA.get(country) or data_of(country)
    area = data.areas[found[3]] if found is not None and found[3] >= 0 else ()
    getrandbits = rng.getrandbits
    ranges: Any  # indices into data.fixed (the area's), or the ranges themselves
    fixed_of_area = bool(area) and (not data.mobile or rng.random() < FIXED_LINE_SHARE)
    ranges = area if fixed_of_area else (data.mobile or data.fixed)
    count = len(ranges)
    if not count:
        return phone_number_slow(country, found, rng, style)  # (no range: the usual IndexError)
    bits = count.bit_length()
    i = getrandbits(bits)
    while i >= count:
        i = getrandbits(bits)
    chosen: PhoneRange = data.fixed[ranges[i]] if fixed_of_area else ranges[i]
    prefix, length, national, international = chosen
    free = length - len(prefix)
    if free > 0:  # prefix + str(below(rng, 10 ** free)).zfill(free): f"{n:0{free}d}" costs more
        n, bits = _POWERS[free] if free < _POWERS_KEPT else (10 ** free, (10 ** free).bit_length())
        r = getrandbits(bits)
        while r >= n:
            r = getrandbits(bits)
        digits = prefix + str(r).zfill(free)
    else:
        digits = prefix
    if style == "e164":
        return CALLING_CODES[country] + digits
    text = national if style == "national" else international
    laid: Any = _LAYOUTS.get(text, _UNSEEN)
    if laid is not _UNSEEN and laid is not None and len(digits) >= laid[2]:
        return laid[0] % laid[1](digits)  # type: ignore[no-any-return]
    return _laid_out(text, digits)


def phone_number_slow(country: str, found: Place | None, rng: random.Random, style: str = "international") -> str:
    """:func:`phone_number` through :func:`phone_range` and the helpers it writes out (the same draws)."""
    prefix, length, national, international = phone_range(country, found, rng)
    free = length - len(prefix)
    digits = prefix + (str(below(rng, 10 ** free)).zfill(free) if free > 0 else "")
    if style == "e164":
        return CALLING_CODES[country] + digits
    return _laid_out(national if style == "national" else international, digits)


class Values:
    """Draws values for coherence rules with a caller's seeded ``random.Random``."""

    def __init__(self, email_domains: str = "reserved") -> None:
        if email_domains not in EMAIL_DOMAIN_MODES:
            raise TestdataUsageError(
                f"email_domains: {email_domains!r} is not a choice. Allowed: {', '.join(EMAIL_DOMAIN_MODES)} "
                "('reserved', the default, uses example.com and other reserved domains that reach no inbox; "
                "'real' uses real mail providers' domains)."
            )
        self.email_domains = email_domains
        # The reserved domains, how many and their bit length, worked out once (email() draws one per user)
        self._reserved = (RESERVED_DOMAINS, len(RESERVED_DOMAINS), len(RESERVED_DOMAINS).bit_length()) \
            if email_domains != "real" and RESERVED_DOMAINS else None

    def phone(self, country: str, rng: random.Random, region: str | None = None) -> str:
        """A valid number of the country (``+44 7911 123456``), of the region's area where it has one."""
        found = place_in(country, region, rng) if region is not None else None
        return phone_number(country, found, rng)

    def postal_code(self, country: str, rng: random.Random) -> str:
        return postal_code(country, place(country, rng), rng)

    def email(self, first: str, last: str, rng: random.Random, country: str = "US") -> str:
        """``first.last1234@example.com``: built from the name; a reserved domain unless real ones are asked."""
        # pick() and below() written out (the same getrandbits draws): two calls fewer for every user.
        getrandbits = rng.getrandbits
        reserved = self._reserved
        if reserved is not None:
            domains, count, bits = reserved
        else:
            domains = REAL_DOMAINS.get(country, REAL_DOMAINS["US"]) if self.email_domains == "real" \
                else RESERVED_DOMAINS
            count = len(domains)
            if not count:
                return pick(rng, domains)  # (the usual IndexError)
            bits = count.bit_length()
        i = getrandbits(bits)
        while i >= count:
            i = getrandbits(bits)
        domain = domains[i]
        style = rng.random()
        # fold_name(x) or latin_name(x) is latin_name(x): a cached call first, the function when it is empty.
        f = fold_name(first) or latin_name(first) or "user"
        lname = fold_name(last) or latin_name(last) or "mail"
        local = f"{f}.{lname}" if style < 0.5 else f"{f[0]}{lname}" if style < 0.8 else f"{f}_{lname}"
        n = getrandbits(14)  # 1 + below(rng, 9999)
        while n >= 9999:
            n = getrandbits(14)
        return f"{local}{n + 1}@{domain}"

    def later_timestamp(self, after: str, rng: random.Random) -> str:
        from pytest_testdata.generators.traditional.timestamps import shift

        return shift(after, 60 + below(rng, 14 * 86_400 - 60))


VALUES = Values()
REAL_VALUES = Values("real")


def values_for(email_domains: object) -> Values:
    """The value source for a request's ``email_domains`` option (``None``: the reserved default)."""
    if email_domains is None or email_domains == "reserved":
        return VALUES
    if email_domains == "real":
        return REAL_VALUES
    return Values(str(email_domains))  # raises the usage error naming the allowed values


@lru_cache(maxsize=256)
def faker_pool(country: str, provider: str) -> tuple[str, ...]:
    """Values of any Faker provider (``x-gen: "faker.city"``) for a country, built once, seeded."""
    from faker import Faker

    with _lock:
        fake = Faker(COUNTRY_LOCALES[country])
        fake.seed_instance(POOL_SEED)
        method = getattr(fake, provider, None) if not provider.startswith("_") else None
        if not callable(method):
            raise TestdataUsageError(
                f"x-gen 'faker.{provider}': Faker has no provider {provider!r}. Use a Faker method that "
                "takes no arguments, such as faker.city, faker.job or faker.iban."
            )
        try:
            values = tuple(dict.fromkeys(str(method()) for _ in range(POOL_SIZE)))
        except TypeError as exc:
            raise TestdataUsageError(
                f"x-gen 'faker.{provider}': the provider needs arguments ({exc}). Use one that takes none."
            ) from None
    return values
