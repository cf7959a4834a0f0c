"""The shipped per-country data: weighted names, street names, real places and valid phone ranges.

Each country is one JSON file under ``locales/data/`` (built by ``tools/build_locale_data.py`` from Faker,
GeoNames and libphonenumber; docs/data-licences.md), read on first use of that country: a few
milliseconds, and no Faker, no phonenumbers at run time.

A *place* is a real postal code with its town and state/region. For GB, CA and NL the file holds the
postal code's outward part (``SW1A``, ``K1A``, ``1011``), which fixes the area, and lists up to eight real
inward codes of it (``SW1A 2AA``, ``K1A 0B1`` and ``1011 AB`` exist), from lists of full UK, Canadian and Dutch
postal codes. A place also names its *phone area*: the fixed-line ranges whose geographic description
(libphonenumber's) is the place's town or region, so a landline number agrees with the address.
"""

from __future__ import annotations

import gc
import json
import marshal
import re
import zlib
from functools import cache
from pathlib import Path
from typing import Any

from pytest_testdata.locales.countries import NANP, POSTAL_CODES

DATA_DIR = Path(__file__).with_name("data")

PhoneRange = tuple[str, int, str, str]
"""A range of valid numbers: (leading digits of the national number, its length, national layout,
international layout); a layout has ``{}`` for each digit of the national number."""


class CountryNames:
    """One country's weighted first and last names, as read from its file.

    A plain class, not a dataclass: creating a dataclass costs about half a millisecond at import, paid by
    every fresh process's first record; these are read-only by convention and never compared."""

    __slots__ = ("country", "first_names", "first_weights", "last_names", "last_weights")

    country: str
    first_names: list[str]
    first_weights: list[int]
    """Cumulative weights of ``first_names`` (for a bisect)."""
    last_names: list[str]
    last_weights: list[int]

    def __init__(self, country: str, first_names: list[str], first_weights: list[int], last_names: list[str],
                 last_weights: list[int]) -> None:
        self.country = country
        self.first_names, self.first_weights = first_names, first_weights
        self.last_names, self.last_weights = last_names, last_weights

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.country!r})"


class CountryData(CountryNames):
    """One country's data, as read from its file (lists as JSON gives them: reading stays fast; the rows of
    places and areas as tuples)."""

    __slots__ = ("areas", "fixed", "mobile", "places", "romaji", "streets")

    romaji: dict[str, str]
    """Latin spellings of names written in another script (ja_JP), for email addresses."""
    streets: list[str]
    places: list[tuple[Any, ...]]
    """(postal code or its outward part, town, state/region, phone area index or -1) (JP: and the district;
    GB, CA and NL: and real inward codes of the outward part, three characters each (NL: two letters), in one
    string)."""
    mobile: list[PhoneRange]
    fixed: list[PhoneRange]
    areas: list[tuple[int, ...]]
    """Each area's fixed ranges (indices into ``fixed``)."""

    def __init__(self, names: CountryNames, romaji: dict[str, str], streets: list[str],
                 places: list[tuple[Any, ...]], mobile: list[PhoneRange], fixed: list[PhoneRange],
                 areas: list[tuple[int, ...]]) -> None:
        super().__init__(names.country, names.first_names, names.first_weights, names.last_names,
                         names.last_weights)
        self.romaji, self.streets, self.places = romaji, streets, places
        self.mobile, self.fixed, self.areas = mobile, fixed, areas


def _layout(template: str) -> str:
    """``"(###) ###-####"`` -> ``"({}{}{}) {}{}{}-{}{}{}{}"``, for ``str.format(*digits)``."""
    return template.replace("{", "{{").replace("}", "}}").replace("#", "{}")


def _ranges(rows: list[list[Any]], layouts: list[str]) -> list[PhoneRange]:
    return [(p, n, layouts[nat], layouts[intl]) for p, n, nat, intl in rows]


def read_data(name: str) -> dict[str, Any]:
    """One shipped data file of ``locales/data/`` (``US``, ``common``, ``kinds``...), parsed."""
    return _parsed((DATA_DIR / f"{name}.json").read_text("utf-8"))  # type: ignore[no-any-return]


def _parsed(text: str) -> Any:
    """``json.loads`` with the garbage collector paused: a country's file is some 40,000 lists and strings,
    whose allocation would otherwise run collections over every object of the process (a quarter of the
    parse); JSON makes no reference cycles, so nothing is left for a collector to find."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return json.loads(text)
    finally:
        if was_enabled:
            gc.enable()


_read = read_data
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _read_leading(name: str, wanted: frozenset[str]) -> dict[str, Any]:
    """The members ``wanted`` of a data file's top-level object, parsing its members in order only until
    they are all read (the rest of the file is not parsed); every member when one is missing."""
    text = (DATA_DIR / f"{name}.json").read_text("utf-8")
    space, decode = _SPACE.match, _DECODER.raw_decode
    found: dict[str, Any] = {}
    pos = space(text, 0).end()  # type: ignore[union-attr]
    if text[pos:pos + 1] == "{":
        pos += 1
        while len(found) < len(wanted):
            pos = space(text, pos).end()  # type: ignore[union-attr]
            if text[pos:pos + 1] != '"':
                break
            key, pos = decode(text, pos)
            pos = space(text, pos).end()  # type: ignore[union-attr]
            if text[pos:pos + 1] != ":":
                break
            value, pos = decode(text, space(text, pos + 1).end())  # type: ignore[union-attr]
            if key in wanted:
                found[key] = value
            pos = space(text, pos).end()  # type: ignore[union-attr]
            if text[pos:pos + 1] == ",":
                pos += 1
    if len(found) < len(wanted):
        return _parsed(text)  # type: ignore[no-any-return]
    return found


def _split_districts(rows: list[list[Any]]) -> list[tuple[Any, ...]]:
    """JP rows hold ``city|district`` as their town: (code, city, prefecture, area, district)."""
    out = []
    for code, town, state, area in rows:
        city, _, district = str(town).partition("|")
        out.append((code, city, state, area, district or city))
    return out


def _check_country(country: str) -> None:
    if not (country.isascii() and country.isalpha() and (DATA_DIR / f"{country}.json").is_file()):
        # Never a path built from an arbitrary string (an invalid variant's "not_a_valid_country").
        raise KeyError(f"no locale data for country {country!r}")


_NAME_MEMBERS = frozenset(("first_names", "last_names"))


@cache
def country_names(country: str) -> CountryNames:
    """The weighted names of a country code, read once per process without the rest of its file (a user
    schema's person names need no more: its places are most of the file, tens of thousands of rows whose
    parsing made the garbage collector run full collections); KeyError for another code."""
    _check_country(country)
    return _names(country, _read_leading(country, _NAME_MEMBERS))


def _names(country: str, raw: dict[str, Any]) -> CountryNames:
    return CountryNames(country, raw["first_names"][0], raw["first_names"][1], raw["last_names"][0],
                        raw["last_names"][1])


@cache
def country_data(country: str) -> CountryData:
    """The data of a country code (``US``, ``JP``...), read once per process; KeyError for another code.

    Read from the country's ready form (:func:`ready_form`) when it was written from the country's file as
    it is now, else from the file itself (the same data, some three times the work)."""
    _check_country(country)
    source = (DATA_DIR / f"{country}.json").read_bytes()
    fields = _ready_fields(country, source)
    if fields is None:
        fields = data_fields(country, _parsed(source.decode("utf-8")))
    first_names, first_weights, last_names, last_weights, romaji, streets, places, mobile, fixed, areas = fields
    return CountryData(CountryNames(country, first_names, first_weights, last_names, last_weights),
                       romaji=romaji, streets=streets, places=places, mobile=mobile, fixed=fixed, areas=areas)


CountryFields = tuple[list[str], list[int], list[str], list[int], dict[str, str], list[str], list[tuple[Any, ...]],
                      list[PhoneRange], list[PhoneRange], list[tuple[int, ...]]]
"""What :class:`CountryData` holds, in the order of its arguments (names first)."""


def data_fields(country: str, raw: dict[str, Any]) -> CountryFields:
    """:class:`CountryData`'s content, from the country's parsed file."""
    phone = raw["phone"]
    layouts = [_layout(t) for t in phone["layouts"]]
    return (
        raw["first_names"][0], raw["first_names"][1], raw["last_names"][0], raw["last_names"][1],
        raw.get("romaji") or {},
        raw["streets"],
        # Rows as tuples: tuples of strings and numbers leave the garbage collector's lists, so its full
        # collections do not walk some 70,000 rows of every country loaded, again and again.
        _split_districts(raw["places"]) if country == "JP" else [tuple(row) for row in raw["places"]],
        _ranges(phone["mobile"], layouts),
        _ranges(phone["fixed"], layouts),
        [tuple(area) for area in phone["areas"]],
    )


READY_SUFFIX = ".marshal"
"""A country's ready form sits beside its file: ``US.json`` -> ``US.marshal`` (``tools/build_country_ready.py``)."""
READY_FORMAT = 2
"""Bumped when :func:`data_fields` changes what it makes: older ready forms are then not used."""
READY_MARSHAL_VERSION = 4
"""The marshal format written: every Python this package supports (3.10 on) reads it."""


def ready_form(country: str, source: bytes) -> bytes:
    """The ready form of a country's file (its bytes ``source``): :func:`data_fields`'s result in ``marshal``'s
    format, which Python reads back as the very lists, tuples, strings and numbers, without parsing JSON and
    turning its rows into tuples (a fresh process's first US record spent some 9 ms there). Headed by the
    format number and the source's CRC-32 and length, so that a form written from another version of the
    file, or by another format, is never used; followed by facts of the data that every process would
    compute the same (:func:`places_match_postal_pattern`). Only plain data: no code, nothing executed when
    read."""
    fields = data_fields(country, json.loads(source.decode("utf-8")))
    pattern = POSTAL_CODES.get(country)
    facts = {} if pattern is None else {
        "postal_codes": (pattern.pattern, pattern.flags, all(pattern.match(str(row[0])) for row in fields[6])),
    }
    return marshal.dumps((READY_FORMAT, zlib.crc32(source), len(source), fields, facts), READY_MARSHAL_VERSION)


_FACTS: dict[str, dict[str, Any]] = {}
"""What the ready forms of the countries read so far say of their data (:func:`ready_form`)."""


def places_match_postal_pattern(country: str, pattern: re.Pattern[str]) -> bool | None:
    """Whether ``pattern`` matches the postal code (or outward part) of every place of the country, as its
    ready form says when it was written for this very pattern (a check of some 6,000 codes, 4 ms of a fresh
    process's first user record); None when it cannot say (the data not read from a ready form yet, or
    another pattern)."""
    known = _FACTS.get(country, {}).get("postal_codes")
    if known is None or known[0] != pattern.pattern or known[1] != pattern.flags:
        return None
    return bool(known[2])


def _ready_fields(country: str, source: bytes) -> CountryFields | None:
    """The country's data from its ready form, if there is one written from ``source`` by this format."""
    try:
        blob = (DATA_DIR / f"{country}{READY_SUFFIX}").read_bytes()
    except OSError:
        return None
    was_enabled = gc.isenabled()
    gc.disable()  # as _parsed: tens of thousands of new tuples, and no cycle among them
    try:
        found = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):  # not a form this Python reads: the file serves
        return None
    finally:
        if was_enabled:
            gc.enable()
    if not (type(found) is tuple and len(found) == 5 and found[0] == READY_FORMAT
            and found[1] == zlib.crc32(source) and found[2] == len(source)):
        return None
    fields: CountryFields = found[3]
    _FACTS[country] = found[4]
    return fields


@cache
def common_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Company names and plain words (English) for brands, sentences and URLs."""
    raw = _read("common")
    return tuple(raw["companies"]), tuple(raw["words"])


ROMANIZED = ("JP",)
"""Countries whose names are written in another script and whose data holds their Latin spellings."""


def latin_spelling(name: str) -> str | None:
    """The Latin spelling of a name in another script (``佐藤`` -> ``Sato``), if the data knows it."""
    for country in ROMANIZED:
        found = country_data(country).romaji.get(name)
        if found is not None:
            return found
    return None


AREA_CODES_FILE = "area_codes"
"""The shipped table of NANP area codes per state (``locales/data/area_codes.json``), written by
``tools/build_area_codes.py`` from the country files with :func:`compute_area_codes` (a test checks that
the shipped table is what it computes): computing it on first use cost a fresh process's first user record
some 3 ms."""


def area_codes_by_state(country: str) -> dict[str, frozenset[str]]:
    """NANP area codes of each state or province (``{"NJ": {"201", "551", ...}}``), from the shipped data."""
    found = _AREA_CODES.get(country)
    if found is None:
        table = read_data(AREA_CODES_FILE).get(country)
        if table is None:
            raise KeyError(f"no area codes for country {country!r}")
        found = _AREA_CODES[country] = {state: frozenset(codes) for state, codes in table.items()}
    return found


def compute_area_codes(country: str) -> dict[str, list[str]]:
    """A NANP country's area codes per state, computed from its data file: each place's phone area names
    fixed-line ranges, whose first three digits are the area code (sorted, for a stable file)."""
    data = country_data(country)
    per_area = [{data.fixed[i][0][:3] for i in area} for area in data.areas]
    areas_of: dict[str, set[int]] = {}
    for row in data.places:
        if row[3] >= 0:
            areas_of.setdefault(row[2], set()).add(row[3])
    return {state: sorted(set().union(*(per_area[a] for a in areas))) for state, areas in sorted(areas_of.items())}


def phone_fits_region(phone: str, country: str, region: str) -> bool | None:
    """Whether a NANP number's area code serves the state; None where the data cannot tell."""
    if country not in NANP:
        return None
    codes = _AREA_CODES.get(country)
    if codes is None:
        codes = area_codes_by_state(country)
    in_state = codes.get(region)
    if in_state is None:
        return None
    # "+1 201-555-0123" and "+12015550123" (ours) without building a string of digits; others the long way.
    area = phone[3:6] if phone.startswith(" ", 2) else phone[2:5]  # (startswith: phone[2:3] == " ", no slice)
    if not (phone.startswith("+1") and area.isdigit() and len(area) == 3):
        digits = "".join(ch for ch in phone if ch.isdigit())
        if len(digits) != 11 or not digits.startswith("1"):
            return None
        area = digits[1:4]
    return area in in_state


_AREA_CODES: dict[str, dict[str, frozenset[str]]] = {}
