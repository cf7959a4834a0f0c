"""Independent shape checks for realistic values by kind: libraries and standards the generator does not use
to make them (pycountry's ISO lists, the system's IANA time-zone database, ``ipaddress``, the Luhn and
ISO 7064 mod 97-10 checks, semver.org's grammar, ``datetime.fromisoformat``)."""

from __future__ import annotations

import ipaddress
import re
import uuid
import zoneinfo
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any

import pycountry

from .judges import fold

Check = Callable[[Any], bool]


@cache
def _iso() -> dict[str, frozenset[str]]:
    return {
        "currencies": frozenset(c.alpha_3 for c in pycountry.currencies),
        "alpha2": frozenset(c.alpha_2 for c in pycountry.countries),
        "alpha3": frozenset(c.alpha_3 for c in pycountry.countries),
        "names": frozenset(c.name for c in pycountry.countries),
        "languages": frozenset(getattr(lang, "alpha_2", "") for lang in pycountry.languages) - {""}
        | frozenset(lang.alpha_3 for lang in pycountry.languages),
        "regions": frozenset(fold(s.name.split(" [")[0]) for s in pycountry.subdivisions)
        | frozenset(fold(s.name) for s in pycountry.subdivisions)
        | frozenset(fold(s.code.split("-", 1)[1]) for s in pycountry.subdivisions),
    }


def luhn(value: Any) -> bool:
    digits = str(value).replace(" ", "")
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def iban(value: Any) -> bool:
    text = str(value).replace(" ", "")
    if not 15 <= len(text) <= 34 or text[:2] not in _iso()["alpha2"] or not text.isalnum():
        return False
    return int("".join(str(int(ch, 36)) for ch in text[4:] + text[:4])) % 97 == 1


def iso_datetime(value: Any) -> bool:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in str(value)


def iso_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def birth_date(value: Any) -> bool:
    if not iso_date(value):
        return False
    age = (date.today() - date.fromisoformat(value)).days / 365.25
    return 0 <= age <= 120


def ip(version: int | None = None) -> Check:
    def check(value: Any) -> bool:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return version is None or address.version == version
    return check


def number_within(low: float, high: float) -> Check:
    return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and low <= v <= high


def locale(value: Any) -> bool:
    match = re.fullmatch(r"([a-z]{2,3})[-_]([A-Z]{2})", str(value))
    return bool(match) and match.group(1) in _iso()["languages"] and match.group(2) in _iso()["alpha2"]


SEMVER = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
MEDIA = re.compile(r"^(application|audio|font|image|message|model|multipart|text|video)/[A-Za-z0-9][\w.+-]*$")
PERSON = re.compile(r"^[A-ZÀ-Ý][\w'\u2019.-]+(?: [A-ZÀ-Ý\w][\w'\u2019.-]*)+$")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,38}$")
HOSTNAME = re.compile(r"^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
RESERVED_HOST = re.compile(r"(^|\.)(example\.(com|org|net)|[a-z0-9-]+\.example|example)$")

SHAPES: dict[str, Check] = {
    "currency": lambda v: v in _iso()["currencies"],
    "username": lambda v: bool(USERNAME.match(str(v))),
    "person.name": lambda v: bool(PERSON.match(str(v))) and not any(c.isdigit() for c in str(v)),
    "job_title": lambda v: isinstance(v, str) and v[:1].isupper() and not any(c.isdigit() for c in v),
    "timestamp": iso_datetime,
    "date": iso_date,
    "birth_date": birth_date,
    "colour": lambda v: bool(re.fullmatch(r"#[0-9a-f]{6}", str(v))),
    "age": number_within(0, 120),
    "iban": iban,
    "card.number": luhn,
    "ip": ip(),
    "ipv4": ip(4),
    "ipv6": ip(6),
    "latitude": number_within(-90, 90),
    "longitude": number_within(-180, 180),
    "timezone": lambda v: v in zoneinfo.available_timezones(),
    "language": lambda v: v in _iso()["languages"],
    "locale": locale,
    "address.country": lambda v: v in _iso()["alpha2"],
    "address.state": lambda v: fold(str(v)) in _iso()["regions"],
    "package_url": lambda v: bool(re.fullmatch(r"pkg:(npm|pypi|maven|gem|cargo|golang|nuget)/[^\s@]+@\d+\.\d+\.\d+",
                                               str(v))),
    # a flat, suite or floor: short, no sentence, a number or a letter that names the unit ("Hinterhaus" aside)
    "address.line2": lambda v: len(str(v)) <= 30 and not str(v).endswith(".") and (
        bool(re.search(r"\d|\b[A-Z]\b", str(v))) or str(v) == "Hinterhaus"),
    "slug": lambda v: bool(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", str(v))),
    "version": lambda v: bool(SEMVER.match(str(v))),
    "file.name": lambda v: bool(re.fullmatch(r"[^/\\\s]+\.[A-Za-z0-9]{1,8}", str(v))),
    "mime_type": lambda v: bool(MEDIA.match(str(v))),
    "hash.sha1": lambda v: bool(re.fullmatch(r"[0-9a-f]{40}", str(v))),
    "hash.sha256": lambda v: bool(re.fullmatch(r"[0-9a-f]{64}", str(v))),
    "url": lambda v: str(v).startswith("https://") and " " not in str(v),
    "domain": lambda v: bool(HOSTNAME.match(str(v))) and bool(RESERVED_HOST.search(str(v))),
    "uuid": lambda v: str(uuid.UUID(str(v))) == v,
    "money": lambda v: number_within(0, 1_000_000)(v) and round(float(v), 2) == v,
    "identifier": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 999_999,
    "quantity": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10_000,
    "rating": number_within(0, 10),
    "weight": lambda v: number_within(0, 100_000)(v) and v > 0,
    "sku": lambda v: bool(re.fullmatch(r"[A-Z0-9]+(?:-[A-Z0-9]+)*", str(v))) and 5 <= len(str(v)) <= 20,
    "code": lambda v: bool(re.fullmatch(r"[A-Z0-9]+(?:-[A-Z0-9]+)?", str(v))) and 4 <= len(str(v)) <= 12,
    "promo_code": lambda v: bool(re.fullmatch(r"[A-Z][A-Z0-9]{3,19}", str(v))),
    "reference": lambda v: bool(re.fullmatch(r"[A-Z]{2,4}-\d{4}-\d{6}", str(v))),
    "house_number": lambda v: bool(re.fullmatch(r"[1-9]\d{0,3}[a-c]?", str(v))),
    "category": lambda v: isinstance(v, str) and v.isalpha() and v.lower() == v,
    "tag": lambda v: isinstance(v, str) and v.isalnum() and v.lower() == v and len(v) <= 20,
    "country_name": lambda v: v in _iso()["names"],
}
"""Kind -> the shape its values must have."""
