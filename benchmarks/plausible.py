"""Plausibility of generated values by field category: the shape check ``bench_schemas.py`` reports.

A field's category comes from its name (and, for a person's name, its parent's name), the way a reader of
the schema would guess what belongs there. Each category has one check of the value's shape: an email
that parses, a currency code that ISO 4217 lists, a date string that parses, a username with no spaces.
Values of other fields are not judged. ``None`` (a null where the schema allows one) is not judged either.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

from faker.providers.currency import Provider as _Currencies
from faker.providers.date_time import Provider as _Dates

CURRENCIES = frozenset(code for code, _ in _Currencies.currencies)
COUNTRY_CODES = frozenset(c.alpha_2_code for c in _Dates.countries)
CSS_COLOURS = frozenset({"black", "white", "red", "green", "blue", "yellow", "orange", "purple", "pink", "brown",
                         "gray", "grey", "cyan", "magenta", "navy", "teal", "olive", "maroon", "silver", "lime",
                         "aqua", "fuchsia", "indigo", "violet", "gold", "beige", "coral", "salmon", "khaki"})
PERSON_PARENTS = ("user", "author", "owner", "contact", "customer", "committer", "person", "assignee", "member",
                  "creator", "actor", "sender", "reviewer", "requester", "employee", "buyer", "seller", "tagger",
                  "maintainer", "admin", "invitee", "inviter", "account_holder", "billing_details", "individual")

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,38}$")
_PERSON = re.compile(r"^[A-ZÀ-Ý][\w'\u2019.-]+(?: [A-ZÀ-Ý\w][\w'\u2019.-]*)+$")
_HEX_COLOUR = re.compile(r"^#?(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{7,24}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_WORDS = re.compile(r"[A-Za-zÀ-ÿ]{2,}")


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


def _is_prose(v: Any) -> bool:
    if not isinstance(v, str) or not v.strip():
        return False
    words = _WORDS.findall(v)
    return len(words) >= 2 and sum(map(len, words)) >= 0.6 * len(v.replace(" ", ""))


Check = Callable[[Any], bool]
CATEGORIES: dict[str, Check] = {
    "email": _is_email,
    "url": _is_url,
    "currency": lambda v: isinstance(v, str) and v.upper() in CURRENCIES,
    "username": lambda v: isinstance(v, str) and bool(_USERNAME.match(v)),
    "person_name": _is_person,
    "date": _is_datetime,
    "colour": lambda v: isinstance(v, str) and (bool(_HEX_COLOUR.match(v)) or v.lower() in CSS_COLOURS),
    "age": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 120,
    "country": lambda v: isinstance(v, str) and (v.upper() in COUNTRY_CODES or (len(v) > 3 and v.istitle())),
    "ip": _is_ip,
    "uuid": _is_uuid,
    "sha": lambda v: isinstance(v, str) and bool(_SHA.match(v)),
    "phone": lambda v: isinstance(v, str) and bool(_PHONE.match(v)) and sum(c.isdigit() for c in v) >= 7,
    "slug": lambda v: isinstance(v, str) and bool(_SLUG.match(v)),
    "prose": _is_prose,
}


def category(name: str, parent: str, schema: dict[str, Any]) -> str | None:
    """The category of a field, from its name and its parent's; None when it has none."""
    n = name.lower().replace("-", "_")
    declared = schema.get("type")
    kinds = set(declared) if isinstance(declared, list) else {declared}
    if "string" not in kinds and "integer" not in kinds:
        return None
    if "integer" in kinds and "string" not in kinds:
        return "age" if n == "age" else None
    if "email" in n:
        return "email"
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
    if schema.get("format") is None and (n.endswith("_at") or n.endswith("_date") or n in ("date", "timestamp")):
        return "date"
    if "color" in n or "colour" in n:
        return "colour"
    if n in ("country", "country_code"):
        return "country"
    if n in ("ip", "ip_address", "ipv4", "ipv6"):
        return "ip"
    if n in ("uuid", "guid"):
        return "uuid"
    if n in ("sha", "commit_sha", "head_sha", "base_sha", "tree_sha", "commit_id"):
        return "sha"
    if "phone" in n or n in ("mobile", "telephone"):
        return "phone"
    if n == "slug" or n.endswith("_slug"):
        return "slug"
    if n in ("description", "body", "summary", "comment", "message", "bio", "title") and \
            schema.get("format") is None and not schema.get("enum") and not schema.get("pattern"):
        return "prose"
    return None


def judged_values(record: Any, schema: dict[str, Any], defs: dict[str, Any],
                  parent: str = "") -> Iterator[tuple[str, Any]]:
    """``(category, value)`` for every value of a record whose field has a category."""
    if not isinstance(record, dict):
        return
    properties = _resolve(schema, defs).get("properties", {})
    for name, value in record.items():
        sub = _resolve(properties.get(name, {}), defs)
        if value is None:
            continue
        if isinstance(value, dict):
            yield from judged_values(value, sub, defs, parent=name)
        elif isinstance(value, list):
            items = _resolve(sub.get("items", {}) if isinstance(sub.get("items"), dict) else {}, defs)
            for item in value:
                if isinstance(item, dict):
                    yield from judged_values(item, items, defs, parent=name)
        else:
            kind = category(name, parent, sub)
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
