"""The shipped per-country data: weighted names, street names, real places and valid phone ranges.

Each country is one JSON file under ``locales/data/`` (built by ``tools/build_locale_data.py`` from Faker,
GeoNames and libphonenumber; docs/data-licences.md), read on first use of that country: a few
milliseconds, and no Faker, no phonenumbers at run time.

A *place* is a real postal code with its town and state/region. For GB, CA and NL the file holds the
postal code's outward part (``SW1A``, ``K1A``, ``1011``), which fixes the area; the inward part is drawn
(``SW1A 2AB``). A place also names its *phone area*: the fixed-line ranges whose geographic description
(libphonenumber's) is the place's town or region, so a landline number agrees with the address.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).with_name("data")

PhoneRange = tuple[str, int, str, str]
"""A range of valid numbers: (leading digits of the national number, its length, national layout,
international layout); a layout has ``{}`` for each digit of the national number."""


@dataclass(frozen=True)
class CountryData:
    """One country's data, as read from its file (lists as JSON gives them: reading stays fast)."""

    country: str
    first_names: list[str]
    first_weights: list[int]
    """Cumulative weights of ``first_names`` (for a bisect)."""
    last_names: list[str]
    last_weights: list[int]
    romaji: dict[str, str]
    """Latin spellings of names written in another script (ja_JP), for email addresses."""
    streets: list[str]
    places: list[list[Any]]
    """[postal code or its outward part, town, state/region, phone area index or -1]."""
    mobile: list[PhoneRange]
    fixed: list[PhoneRange]
    areas: list[list[int]]
    """Each area's fixed ranges (indices into ``fixed``)."""


def _layout(template: str) -> str:
    return template.replace("{", "{{").replace("}", "}}").replace("#", "{}")


def _ranges(rows: list[list[Any]], layouts: list[str]) -> list[PhoneRange]:
    return [(p, n, layouts[nat], layouts[intl]) for p, n, nat, intl in rows]


def _read(name: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / f"{name}.json").read_text("utf-8"))  # type: ignore[no-any-return]


@cache
def country_data(country: str) -> CountryData:
    """The data of a country code (``US``, ``JP``...), read once per process."""
    raw = _read(country)
    phone = raw["phone"]
    layouts = [_layout(t) for t in phone["layouts"]]
    return CountryData(
        country=country,
        first_names=raw["first_names"][0], first_weights=raw["first_names"][1],
        last_names=raw["last_names"][0], last_weights=raw["last_names"][1],
        romaji=raw.get("romaji") or {},
        streets=raw["streets"],
        places=raw["places"],
        mobile=_ranges(phone["mobile"], layouts),
        fixed=_ranges(phone["fixed"], layouts),
        areas=phone["areas"],
    )


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
