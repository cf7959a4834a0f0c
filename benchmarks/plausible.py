"""Plausibility of generated values by field category: the shape check ``bench_schemas.py`` reports.

A field's category comes from its name (and, for a person's name, its parent's name), the way a reader of
the schema would guess what belongs there. Each category has one check of the value's shape: an email
that parses, a currency code that ISO 4217 lists, a date string that parses, a username with no spaces.
Values of other fields are not judged, nor values the schema chose itself (an ``enum`` or ``const``: a
``content_type`` whose values are ``Issue`` and ``PullRequest`` is not a MIME type). ``None`` (a null where
the schema allows one) is not judged either.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlparse

import pycountry

CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies)
"""ISO 4217 as pycountry lists it (a source apart from the Faker data the generator reads)."""
COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries) | frozenset(c.alpha_3 for c in pycountry.countries)
COUNTRY_NAMES = frozenset(c.name.lower() for c in pycountry.countries)
LANGUAGES = frozenset(getattr(lang, "alpha_2", "") for lang in pycountry.languages) - {""} | frozenset(
    lang.alpha_3 for lang in pycountry.languages)
TIME_ZONES = frozenset(zoneinfo.available_timezones())
MEDIA_TYPES = ("application", "audio", "font", "image", "message", "model", "multipart", "text", "video")
CSS_COLOURS = frozenset({"black", "white", "red", "green", "blue", "yellow", "orange", "purple", "pink", "brown",
                         "gray", "grey", "cyan", "magenta", "navy", "teal", "olive", "maroon", "silver", "lime",
                         "aqua", "fuchsia", "indigo", "violet", "gold", "beige", "coral", "salmon", "khaki"})
COMPANY_PARENTS = ("company", "organization", "organisation", "employer", "vendor", "supplier", "merchant")
PERSON_PARENTS = ("user", "author", "owner", "contact", "customer", "committer", "person", "assignee", "member",
                  "creator", "actor", "sender", "reviewer", "requester", "employee", "buyer", "seller", "tagger",
                  "maintainer", "admin", "invitee", "inviter", "account_holder", "billing_details", "individual")

PET_PARENTS = ("pet", "animal", "dog", "cat", "puppy", "kitten")
WORK_PARENTS = ("issue", "pull_request", "ticket", "task", "todo", "bug", "discussion", "merge_request", "incident")
MILESTONE_PARENTS = ("milestone", "sprint", "iteration")

Check = Callable[[Any], bool]
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,38}$")
_PERSON = re.compile(r"^[A-ZÀ-Ý][\w'\u2019.-]+(?: [A-ZÀ-Ý\w][\w'\u2019.-]*)+$")
_HEX_COLOUR = re.compile(r"^#?(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{7,24}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_WORDS = re.compile(r"[A-Za-zÀ-ÿ]{2,}")
_SEMVER = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
"""semver.org's grammar (with an optional ``v``)."""
_MIME = re.compile(r"^(" + "|".join(MEDIA_TYPES) + r")/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$")
_FILE_NAME = re.compile(r"^[^/\\\s]+\.[A-Za-z0-9]{1,8}$")
_HOSTNAME = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_COMPANY = re.compile(r"^[A-Z0-9][\w&.,'\u2019()/ -]{1,80}$")
_JOB = re.compile(r"^[A-Z][A-Za-z&,'\u2019()/ -]{2,80}$")
_POSTAL = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,8}[A-Z0-9]$")
_LOCALE = re.compile(r"^([a-z]{2,3})(?:[-_]([A-Z]{2}|\d{3}))?$")
_PET = re.compile(r"^[A-Z][a-z'\u2019-]{1,15}(?: [A-Z][a-z'\u2019-]{1,15})?$")
_MILESTONE = re.compile(r"^(?=.{1,40}$)[\w.+-]+(?: [\w.+-]+){0,5}$")
_SKU = re.compile(r"^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$")
_PURL = re.compile(r"^pkg:[a-z][a-z0-9.+-]*/[^\s@]+(@[^\s@]+)?$")
"""A package URL by the purl spec (github.com/package-url/purl-spec): ``pkg:type/namespace/name@version``."""
_VOUCHER = re.compile(r"^[A-Z0-9][A-Z0-9_-]{3,24}$")
_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9/_-]{3,30}$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,30}$")  # a git tag such as v0.0.1 (GitHub's example) is one too
MONEY_NAMES = ("price", "amount", "total", "subtotal", "sub_total", "cost", "fee", "balance", "tax", "discount")
"""Number fields holding money: these names, or a name ending in ``_`` and one of them (``unit_price``)."""


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_email(v: Any) -> bool:
    return isinstance(v, str) and bool(_EMAIL.match(v))


def _is_url(v: Any) -> bool:
    if not isinstance(v, str):
        return False
    try:
        parsed = urlparse(v)
    except ValueError:  # "http://[": not a URL at all
        return False
    return parsed.scheme in ("http", "https") and "." in parsed.netloc and " " not in v


def _is_datetime(v: Any) -> bool:
    if not isinstance(v, str):
        return False
    text = v.replace("Z", "+00:00").replace("z", "+00:00")
    for parse in (datetime.fromisoformat, date.fromisoformat):
        try:
            parse(text)
            return True
        except ValueError:
            continue
    return False


def _is_person(v: Any) -> bool:
    return isinstance(v, str) and bool(_PERSON.match(v)) and not any(ch.isdigit() for ch in v)


def _is_ip(v: Any) -> bool:
    try:
        ipaddress.ip_address(v)
        return True
    except ValueError:
        return False


def _is_uuid(v: Any) -> bool:
    try:
        uuid.UUID(str(v))
        return isinstance(v, str)
    except ValueError:
        return False


def _luhn(v: Any) -> bool:
    """A card number: 12 to 19 digits (spaces allowed) that pass the Luhn check."""
    if not isinstance(v, str):
        return False
    digits = v.replace(" ", "").replace("-", "")
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _iban(v: Any) -> bool:
    """An IBAN: a country code, check digits that pass ISO 7064 mod 97-10, 15 to 34 characters."""
    if not isinstance(v, str):
        return False
    text = v.replace(" ", "").upper()
    if not 15 <= len(text) <= 34 or not text.isalnum() or text[:2] not in COUNTRY_CODES:
        return False
    moved = text[4:] + text[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _coordinate(limit: float) -> Check:
    def check(v: Any) -> bool:
        if isinstance(v, bool):
            return False
        try:
            value = float(v)
        except (TypeError, ValueError):
            return False
        return -limit <= value <= limit
    return check


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text).lower() if ch.isalnum())


@cache
def _regions() -> frozenset[str]:
    names = set()
    for sub in pycountry.subdivisions:
        names.add(_fold(sub.name))
        names.add(_fold(sub.name.split(" [")[0]))  # "Swansea [Abertawe]"
        names.update(_fold(part) for part in sub.name.split("/"))
        names.add(_fold(sub.code.split("-", 1)[1]))
    return frozenset(names)


def _is_locale(v: Any) -> bool:
    match = _LOCALE.match(v) if isinstance(v, str) else None
    if match is None or match.group(1) not in LANGUAGES:
        return False
    region = match.group(2)
    return region is None or region.isdigit() or region in COUNTRY_CODES


def _is_birth_date(v: Any) -> bool:
    if not _is_datetime(v):
        return False
    year = int(str(v)[:4])
    return 1900 <= year <= date.today().year


def _last_word(parent: str) -> str:
    """What a parent is, by the last word of its name (``pull-request`` -> ``pull_request``, ``pets`` -> ``pet``)."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", parent).lower().replace("-", "_").strip("_")
    for whole in (snake, snake.rstrip("s")):
        if whole in WORK_PARENTS:
            return whole
    last = snake.rsplit("_", 1)[-1]
    return last[:-1] if last.endswith("s") and not last.endswith("ss") else last


def _is_pet_name(v: Any) -> bool:
    """One or two capitalised words of letters, as pets are called (``Bella``, ``Mister Whiskers``)."""
    return isinstance(v, str) and bool(_PET.match(v))


def _is_summary_line(v: Any) -> bool:
    """An issue's or pull request's title: 2 to 20 words, no full stop at the end, and not Title Case
    throughout (``Fix the login form``, ``Update README.md``; not ``Deluxe Programming Handbook``)."""
    if not isinstance(v, str) or v.endswith(".") or not v[:1].isalnum():
        return False
    words = v.split()
    return 2 <= len(words) <= 20 and (len(words) < 3 or any(w[:1].islower() for w in words[1:]))


def _is_prose(v: Any) -> bool:
    if not isinstance(v, str) or not v.strip():
        return False
    words = _WORDS.findall(v)
    return len(words) >= 2 and sum(map(len, words)) >= 0.6 * len(v.replace(" ", ""))


CATEGORIES: dict[str, Check] = {
    "email": _is_email,
    "url": _is_url,
    "purl": lambda v: isinstance(v, str) and bool(_PURL.match(v)),
    "currency": lambda v: isinstance(v, str) and v.upper() in CURRENCIES,
    "username": lambda v: isinstance(v, str) and bool(_USERNAME.match(v)),
    "person_name": _is_person,
    "date": _is_datetime,
    "colour": lambda v: isinstance(v, str) and (bool(_HEX_COLOUR.match(v)) or v.lower() in CSS_COLOURS),
    "age": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 120,
    "country": lambda v: isinstance(v, str) and (v.upper() in COUNTRY_CODES or v.lower() in COUNTRY_NAMES),
    "ip": _is_ip,
    "uuid": _is_uuid,
    "sha": lambda v: isinstance(v, str) and bool(_SHA.match(v)),
    "phone": lambda v: isinstance(v, str) and bool(_PHONE.match(v)) and sum(c.isdigit() for c in v) >= 7,
    "slug": lambda v: isinstance(v, str) and bool(_SLUG.match(v)),
    "prose": _is_prose,
    "pet_name": _is_pet_name,
    "summary_line": _is_summary_line,
    "milestone": lambda v: isinstance(v, str) and bool(_MILESTONE.match(v)),
    "company": lambda v: isinstance(v, str) and bool(_COMPANY.match(v)) and any(ch.isalpha() for ch in v),
    "job_title": lambda v: isinstance(v, str) and bool(_JOB.match(v)) and len(v.split()) <= 8,
    "birth_date": _is_birth_date,
    "iban": _iban,
    "card_number": _luhn,
    "latitude": _coordinate(90),
    "longitude": _coordinate(180),
    "timezone": lambda v: isinstance(v, str) and v in TIME_ZONES,
    "language": lambda v: isinstance(v, str) and v.lower() in LANGUAGES,
    "locale": _is_locale,
    "version": lambda v: isinstance(v, str) and bool(_SEMVER.match(v)),
    "file_name": lambda v: isinstance(v, str) and bool(_FILE_NAME.match(v)),
    "mime_type": lambda v: isinstance(v, str) and bool(_MIME.match(v.split(";")[0].strip())),
    "domain": lambda v: isinstance(v, str) and bool(_HOSTNAME.match(v)),
    "region": lambda v: isinstance(v, str) and _fold(v) in _regions(),
    "postal_code": lambda v: isinstance(v, str) and bool(_POSTAL.match(v.upper())) and any(c.isdigit() for c in v),
    "money": lambda v: _is_number(v) and 0 <= v <= 1_000_000 and round(v, 2) == v,
    "quantity": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10_000,
    "rating": lambda v: _is_number(v) and 0 <= v <= 10,
    "sku": lambda v: isinstance(v, str) and bool(_SKU.match(v)),
    "voucher": lambda v: isinstance(v, str) and bool(_VOUCHER.match(v)),
    "reference": lambda v: isinstance(v, str) and bool(_REFERENCE.match(v)) and any(c.isdigit() for c in v),
    "category": lambda v: isinstance(v, str) and 2 <= len(v) <= 40 and bool(_WORDS.fullmatch(v.replace(" ", "")))
    and len(v.split()) <= 4 and not v.endswith("."),
    "tag": lambda v: isinstance(v, str) and bool(_TAG.match(v)),
}


def category(name: str, parent: str, schema: dict[str, Any], root: str = "") -> str | None:
    """The category of a field, from its name, its parent's and the entity's (``root``); None when it has
    none."""
    n = name.lower().replace("-", "_")
    if "enum" in schema or "const" in schema:
        return None
    declared = schema.get("type")
    kinds = set(declared) if isinstance(declared, list) else {declared}
    if "string" not in kinds and "integer" not in kinds and "number" not in kinds:
        return None
    if kinds & {"integer", "number"} and "string" not in kinds:
        if n in ("lat", "latitude") or n.endswith("_latitude"):
            return "latitude"
        if n in ("lng", "lon", "long", "longitude") or n.endswith("_longitude"):
            return "longitude"
        # A range the schema sets decides what fits there: only open-ended money, quantities and ratings are
        # judged by what such fields hold in real data.
        bounded = any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                                            "multipleOf"))
        if not bounded and (n in MONEY_NAMES or n.endswith(tuple(f"_{m}" for m in MONEY_NAMES))):
            return "money"
        if not bounded and n in ("quantity", "qty") and "integer" in kinds:
            return "quantity"
        if not bounded and n in ("rating", "stars"):
            return "rating"
        return "age" if n == "age" and "integer" in kinds else None
    if "email" in n:
        return "email"
    if n in ("package_url", "purl") or n.endswith("_purl"):
        return "purl"
    if n in ("url", "href", "homepage", "website", "blog") or n.endswith("_url") or n.endswith("_uri"):
        return "url"
    if "currency" in n:
        return "currency"
    if n in ("login", "username", "user_name", "handle", "screen_name", "nickname"):
        return "username"
    if n in ("full_name", "fullname", "first_name", "last_name", "given_name", "family_name", "display_name") and \
            "repo" not in parent.lower():
        return "person_name"
    if n == "name" and any(p in parent.lower() for p in PERSON_PARENTS):
        return "person_name"
    if n in ("birthday", "birth_date", "birthdate", "date_of_birth", "dob"):
        return "birth_date"
    if schema.get("format") is None and (n.endswith("_at") or n.endswith("_date") or n in ("date", "timestamp")):
        return "date"
    if "color" in n or "colour" in n:
        return "colour"
    if n in ("country", "country_code"):
        return "country"
    if n in ("company", "company_name", "organization_name", "employer", "employer_name") or (
            n == "name" and any(p in parent.lower() for p in COMPANY_PARENTS)):
        return "company"
    if n in ("job_title", "occupation", "jobtitle"):
        return "job_title"
    if "iban" in n.split("_"):
        return "iban"
    if n in ("card_number", "credit_card_number", "cc_number", "pan"):
        return "card_number"
    if n in ("lat", "latitude"):
        return "latitude"
    if n in ("lng", "lon", "longitude"):
        return "longitude"
    if n in ("timezone", "time_zone", "tz") or n.endswith("_timezone"):
        return "timezone"
    if n in ("language", "lang", "language_code") and schema.get("format") is None and not any(
            p in f"{root} {parent}".lower() for p in ("repo", "project", "gist", "code", "package")):
        return "language"
    if n == "locale" or n.endswith("_locale"):
        return "locale"
    if n in ("version", "semver", "app_version"):
        return "version"
    if n in ("file_name", "filename") or (n == "name" and parent.lower() in ("file", "attachment", "asset")):
        return "file_name"
    if n in ("mime_type", "content_type", "media_type", "mimetype"):
        return "mime_type"
    if n in ("domain", "hostname", "domain_name"):
        return "domain"
    if n in ("region", "province", "state_province", "state_code") or (
            n == "state" and any(p in parent.lower() for p in ("address", "location", "billing", "shipping"))):
        return "region"
    if n in ("postal_code", "postcode", "zip", "zip_code", "zipcode"):
        return "postal_code"
    if n in ("ip", "ip_address", "ipv4", "ipv6"):
        return "ip"
    if n in ("uuid", "guid"):
        return "uuid"
    if n in ("sha", "commit_sha", "head_sha", "base_sha", "tree_sha", "commit_id", "sha1", "sha256", "md5",
             "checksum", "digest"):
        return "sha"
    if "phone" in n or n in ("mobile", "telephone"):
        return "phone"
    if n == "slug" or n.endswith("_slug"):
        return "slug"
    if schema.get("format") is None and not schema.get("pattern"):
        if n == "sku" or n.endswith("_sku"):
            return "sku"
        if n in ("coupon_code", "promo_code", "voucher_code", "discount_code", "promotion_code"):
            return "voucher"
        if n in ("invoice_number", "order_number", "reference_number", "booking_reference", "confirmation_code",
                 "receipt_number", "ticket_number"):
            return "reference"
        if n in ("category", "category_name", "product_category"):
            return "category"
        if n in ("tag", "tags", "label", "labels", "keyword", "keywords"):
            return "tag"
    what = _last_word(parent)
    if n == "pet_name" or (n == "name" and what in PET_PARENTS):
        return "pet_name"
    if n == "title" and what in PERSON_PARENTS:
        return "job_title"
    if n in ("title", "summary", "subject") and what in WORK_PARENTS and schema.get("format") is None:
        return "summary_line"
    if n == "title" and what in MILESTONE_PARENTS and schema.get("format") is None:
        return "milestone"
    if n in ("description", "body", "summary", "comment", "message", "bio", "title") and \
            schema.get("format") is None and not schema.get("enum") and not schema.get("pattern"):
        return "prose"
    return None


def judged_values(record: Any, schema: dict[str, Any], defs: dict[str, Any],
                  parent: str | None = None, root: str | None = None) -> Iterator[tuple[str, Any]]:
    """``(category, value)`` for every value of a record whose field has a category (a top-level field's
    parent is the schema's title: a reader knows the entity a schema describes)."""
    if not isinstance(record, dict):
        return
    if parent is None:
        title = schema.get("title")
        parent = title if isinstance(title, str) else ""
    if root is None:
        root = parent
    properties = _resolve(schema, defs).get("properties", {})
    # An object with an owner and a visibility is a repository whatever its field is called (GitHub's
    # `parent`, `source`, `template_repository`): its `full_name` is `owner/name`, not a person's.
    if "owner" in properties and ("private" in properties or "fork" in properties):
        parent = f"{parent} repository"
    for name, value in record.items():
        sub = _resolve(properties.get(name, {}), defs)
        if value is None:
            continue
        if isinstance(value, dict):
            yield from judged_values(value, sub, defs, parent=name, root=root)
        elif isinstance(value, list):
            items = _resolve(sub.get("items", {}) if isinstance(sub.get("items"), dict) else {}, defs)
            scalar = category(name, parent, items, root) if items.get("type") == "string" else None
            for item in value:
                if isinstance(item, dict):
                    yield from judged_values(item, items, defs, parent=name, root=root)
                elif scalar == "tag" and item is not None:  # a list of labels: each one is judged
                    yield scalar, item
        else:
            kind = category(name, parent, sub, root)
            if kind is not None:
                yield kind, value


def _resolve(schema: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """Follow ``#/$defs/X`` references and take the first non-null branch of a union (for the category)."""
    for _ in range(8):
        if not isinstance(schema, dict):
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            schema = defs.get(ref.rsplit("/", 1)[1], {})
            continue
        for union in ("anyOf", "oneOf"):
            branches = schema.get(union)
            if isinstance(branches, list):
                shaped = [b for b in branches if isinstance(b, dict) and b.get("type") != "null"]
                if shaped:
                    schema = {**shaped[0], **{k: v for k, v in schema.items() if k != union}}
                    break
        else:
            return schema
    return schema if isinstance(schema, dict) else {}
