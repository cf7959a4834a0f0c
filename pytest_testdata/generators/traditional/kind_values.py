"""Drawers for the value kinds of the field-name table that the older drawers do not cover.

Each kind has one or more *forms* (``#3a7bd5`` and ``3a7bd5`` and ``teal`` for a colour; ``de-DE`` and
``de_DE`` for a locale): :mod:`pytest_testdata.generators.traditional.kinds` uses the first form whose values
satisfy the field's constraints. Lists come from Faker's provider data (currencies, colours, jobs, time
zones, languages, MIME types, file extensions), read once and kept as tuples, so a draw is one pick from a
seeded ``random.Random``; values are made test-safe where a real one could reach somebody: IP addresses in
the documentation ranges (RFC 5737, RFC 3849), domains under reserved names (RFC 2606), IBANs and card
numbers that are published test numbers. The two test-number lists are written out here: no library ships
them, and a generated Luhn- or mod-97-valid number could be a real customer's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date as _date
from functools import cache
from typing import Any

from pytest_testdata.generators.traditional import timestamps
from pytest_testdata.generators.traditional.drawers import Draw, RecordState, _first_name, _last_name
from pytest_testdata.generators.traditional.fastrand import below, pick
from pytest_testdata.generators.traditional.pools import pool
from pytest_testdata.locales.countries import COUNTRY_LOCALES, CURRENCIES
from pytest_testdata.locales.gazetteer import read_data
from pytest_testdata.quality.rules import latin_name

TEST_IBANS: tuple[str, ...] = (
    "DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606", "NL91ABNA0417164300",
    "ES9121000418450200051332", "IT60X0542811101000000123456", "AT611904300234573201", "BE68539007547034",
    "CH9300762011623852957", "IE29AIBK93115212345678", "LU280019400644750000", "PT50000201231234567890154",
    "FI2112345600000785", "DK5000400440116243", "NO9386011117947", "SE4550000000058398257466",
    "PL61109010140000071219812874", "CZ6508000000192000145399",
)
"""The example IBANs of the SWIFT IBAN registry (also the SEPA test IBANs of payment sandboxes): valid
check digits (ISO 7064 mod 97-10), no real account behind them."""
TEST_CARDS: tuple[str, ...] = (
    "4242424242424242", "4111111111111111", "4012888888881881", "4000056655665556", "5555555555554444",
    "5105105105105100", "2223003122003222", "5200828282828210", "378282246310005", "371449635398431",
    "6011111111111117", "6011000990139424", "3056930009020004", "36227206271667", "3566002020360505",
    "6200000000000005",
)
"""Card numbers the card networks' and payment providers' test environments document (Visa, Mastercard,
American Express, Discover, Diners Club, JCB, UnionPay): they pass the Luhn check and charge nobody."""
COMMON_CURRENCIES: tuple[str, ...] = ("USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "CNY", "SEK", "NZD", "MXN",
                                      "SGD", "HKD", "NOK", "INR", "BRL", "ZAR", "DKK", "PLN", "KRW")
"""The currencies most payments are in, for records whose country's currency is not drawn."""
PROGRAMMING_LANGUAGES: tuple[str, ...] = (
    "Python", "JavaScript", "TypeScript", "Java", "Go", "Rust", "C#", "C++", "C", "Ruby", "PHP", "Kotlin", "Swift",
    "Shell", "Scala", "Dart", "Elixir", "Haskell", "Lua", "R", "HTML", "CSS", "Jupyter Notebook", "Vue",
)
"""The languages most repositories are in (Faker has no provider for them)."""
STATUSES: tuple[str, ...] = ("active", "active", "pending", "inactive", "completed", "open", "closed", "draft",
                             "archived", "suspended")
_OFFSETS = ("Z", "+00:00", "+01:00", "+02:00", "-05:00", "-08:00", "+05:30", "+09:00")
_DOC_V4 = ("192.0.2.", "198.51.100.", "203.0.113.")
_RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
_SERVICES = ("api", "www", "app", "shop", "mail", "cdn", "auth", "files", "portal", "status")
_DIRS = ("docs", "src", "assets", "reports", "uploads", "images", "data", "exports", "config", "notes")
_PASSWORD_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*+?@"
_BIRTH_FIRST = timestamps.ANCHOR.date().toordinal() - 85 * 365
_BIRTH_SPAN = 67 * 365


class _Country:
    """A country's ISO alpha-3 code, name and time zones. A plain class, not a NamedTuple: making one ran
    ``namedtuple``'s code generation at every fresh process's first record."""

    __slots__ = ("alpha_3_code", "name", "timezones")

    def __init__(self, alpha_3_code: str, name: str, timezones: tuple[str, ...]) -> None:
        self.alpha_3_code, self.name, self.timezones = alpha_3_code, name, timezones


@cache
def _faker_data() -> dict[str, tuple[Any, ...]]:
    """Faker's provider data used here, as ``tools/build_locale_data.py`` wrote it from Faker's classes into
    ``locales/data/kinds.json``: read once, with no Faker import (its scan of its locales took longer than a
    user schema's first records)."""
    raw = read_data("kinds")
    return {
        "currencies": tuple(raw["currencies"]),
        "colours": tuple(raw["colours"]),
        "jobs": tuple(raw["jobs"]),
        "timezones": tuple(raw["timezones"]),
        "languages": tuple((code, tuple(regions)) for code, regions in raw["languages"]),
        "mime_types": tuple(raw["mime_types"]),
        "extensions": tuple(raw["extensions"]),
    }


@cache
def _by_country() -> dict[str, _Country]:
    raw = read_data("kinds")["countries"]
    return {code: _Country(alpha3, name, tuple(zones)) for code, (alpha3, name, zones) in raw.items()}


def _word(state: RecordState) -> str:
    """A lower-case ASCII word (path, host and slug safe)."""
    words = pool("US").words
    for _ in range(8):
        word = pick(state.rng, words).lower()
        if word.isascii() and word.isalpha():
            return word
    return "data"


def _folded(state: RecordState) -> tuple[str, str]:
    first = state.first or _first_name(state)
    last = state.last or _last_name(state)
    return latin_name(first) or "user", latin_name(last) or "name"


def first_name(state: RecordState) -> str:
    """A first name of the record's country, remembered for the email or username drawn after it."""
    state.first = found = _first_name(state)
    return found


def last_name(state: RecordState) -> str:
    state.last = found = _last_name(state)
    return found


def person_name(state: RecordState) -> str:
    """First and last name of the record's country, remembered for the email or username drawn after it
    (``contact.name`` then ``contact.email``). An object that also has ``first_name`` and ``last_name`` gets
    its whole name from them by a rule (identity.py): a nested ``author`` is someone else."""
    state.first, state.last = first_drawn, last_drawn = _first_name(state), _last_name(state)
    return f"{first_drawn} {last_drawn}"


def username(state: RecordState) -> str:
    first, last = _folded(state)
    return username_of(first, last, state.rng)


def username_of(first: str, last: str, rng: random.Random) -> str:
    """A username from a folded first and last name: ``maria.schneider``, ``mschneider``,
    ``maria_schneider42``, ``maria1987``, ``schneiderm3``."""
    style = below(rng, 5)
    if style == 0:
        return f"{first}.{last}"
    if style == 1:
        return f"{first[0]}{last}"
    if style == 2:
        return f"{first}_{last}{below(rng, 100)}"
    if style == 3:
        return f"{first}{1960 + below(rng, 46)}"
    return f"{last}{first[0]}{below(rng, 10)}"


def job_title(state: RecordState) -> str:
    return str(pick(state.rng, _faker_data()["jobs"]))


def currency(state: RecordState) -> str:
    """The record's country's currency most of the time, else a common one, now and then any ISO 4217 code."""
    r = state.rng.random()
    if r < 0.6:
        return CURRENCIES.get(state.country, "USD")
    if r < 0.95:
        return pick(state.rng, COMMON_CURRENCIES)
    return str(pick(state.rng, _faker_data()["currencies"]))


def iban(state: RecordState) -> str:
    return pick(state.rng, TEST_IBANS)


def iban_grouped(state: RecordState) -> str:
    compact = iban(state)
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def card_number(state: RecordState) -> str:
    return pick(state.rng, TEST_CARDS)


def card_grouped(state: RecordState) -> str:
    number = card_number(state)
    if len(number) == 15:  # American Express: 4-6-5
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def card_last_four(state: RecordState) -> str:
    """Four digits (the draws of a ``^[0-9]{4}$`` pattern's drawer, so such a field keeps its values)."""
    return f"{below(state.rng, 10_000):04d}"


# Always four digits: below(rng, 10_000) zero-padded to four (kinds.kind_drawer needs no check of them).
card_last_four.makes_value = {"type": "string", "pattern": "^[0-9]{4}$",  # type: ignore[attr-defined]
                              "minLength": 4, "maxLength": 4}


@cache
def four_digits() -> list[str]:
    """``f"{i:04d}"`` for ``i`` from 0 to 9,999, by index: the hundred two-digit texts joined in pairs (a few
    million machine instructions, once a process, when the first builder with a card's last four digits is
    compiled). A look-up costs about 80 instructions, the f-string's format spec about 2,300 (an order's card).
    ``tests/test_builder_shortcuts.py`` compares every entry with the f-string."""
    pairs = [f"{i:02d}" for i in range(100)]
    return [high + low for high in pairs for low in pairs]


# As an expression of a straight-line builder (straight.py): below's first getrandbits draw, and below itself
# when it is refused (its rejection loop starts afresh with the same draws); the text from four_digits' table.
card_last_four.inline = lambda entity: (  # type: ignore[attr-defined]
    "@DIGITS[@v if (@v := rng.getrandbits(14)) < 10000 else @BELOW(rng, 10000)]",
    {"BELOW": below, "DIGITS": four_digits()})


def timestamp(state: RecordState) -> str:
    return timestamps.draw(state.rng)


def date(state: RecordState) -> str:
    return timestamps.draw(state.rng)[:10]


def birth_date(state: RecordState) -> str:
    """A birthday of somebody 18 to 85 years old at the generator's anchor date (2026-01-01)."""
    return _date.fromordinal(_BIRTH_FIRST + below(state.rng, _BIRTH_SPAN)).isoformat()


def time_with_offset(state: RecordState) -> str:
    return timestamps.draw(state.rng)[11:19] + pick(state.rng, _OFFSETS)


def time_plain(state: RecordState) -> str:
    return timestamps.draw(state.rng)[11:19]


def time_short(state: RecordState) -> str:
    return timestamps.draw(state.rng)[11:16]


def hex_colour(state: RecordState) -> str:
    return f"#{state.rng.getrandbits(24):06x}"


def hex_colour_bare(state: RecordState) -> str:
    return f"{state.rng.getrandbits(24):06x}"


def colour_name(state: RecordState) -> str:
    return str(pick(state.rng, _faker_data()["colours"]))


def country_alpha3(state: RecordState) -> str:
    found = _by_country().get(state.country)
    return str(found.alpha_3_code) if found is not None else "USA"


def country_name(state: RecordState) -> str:
    found = _by_country().get(state.country)
    return str(found.name) if found is not None else "United States"


def timezone(state: RecordState) -> str:
    """One of the record's country's time zones most of the time, else any IANA zone."""
    found = _by_country().get(state.country)
    if found is not None and found.timezones and state.rng.random() < 0.8:
        return str(pick(state.rng, found.timezones))
    return str(pick(state.rng, _faker_data()["timezones"]))


def _locale_parts(state: RecordState) -> tuple[str, str]:
    if state.rng.random() < 0.75:
        language, _, region = COUNTRY_LOCALES.get(state.country, "en_US").partition("_")
        return language, region
    language, regions = pick(state.rng, _faker_data()["languages"])
    return str(language), str(pick(state.rng, regions))


def language(state: RecordState) -> str:
    return _locale_parts(state)[0]


def locale_bcp47(state: RecordState) -> str:
    language_, region = _locale_parts(state)
    return f"{language_}-{region}"


def locale_posix(state: RecordState) -> str:
    language_, region = _locale_parts(state)
    return f"{language_}_{region}"


def domain(state: RecordState) -> str:
    r = state.rng.random()
    if r < 0.5:
        return f"{pick(state.rng, _SERVICES)}.{_word(state)}.example"
    return f"{pick(state.rng, _SERVICES)}.{pick(state.rng, _RESERVED_DOMAINS)}"


def ipv4(state: RecordState) -> str:
    return f"{pick(state.rng, _DOC_V4)}{1 + below(state.rng, 254)}"


def ipv6(state: RecordState) -> str:
    bits = state.rng.getrandbits
    return f"2001:db8:{bits(16):x}:{bits(16):x}::{bits(16):x}:{1 + below(state.rng, 0xfffe):x}"


def ip(state: RecordState) -> str:
    return ipv6(state) if state.rng.random() < 0.2 else ipv4(state)


def mac_address(state: RecordState) -> str:
    """A locally administered unicast address (``x2``, ``x6``, ``xA`` or ``xE`` first): no vendor's."""
    first = (state.rng.getrandbits(8) & 0xFC) | 0x02
    rest = state.rng.getrandbits(40).to_bytes(5, "big")
    return ":".join(f"{b:02x}" for b in (first, *rest))


def user_agent(state: RecordState) -> str:
    from pytest_testdata.generators.traditional.pools import faker_pool

    return pick(state.rng, faker_pool("US", "user_agent"))


def slug(state: RecordState) -> str:
    return "-".join(_word(state) for _ in range(2 + below(state.rng, 3)))


def version(state: RecordState) -> str:
    r = state.rng
    major = below(r, 4) if r.random() < 0.7 else below(r, 20)
    return f"{major}.{below(r, 25)}.{below(r, 12)}"


def version_v(state: RecordState) -> str:
    return "v" + version(state)


_LINE2: dict[str, tuple[str, ...]] = {
    "US": ("Apt {n}", "Apt {n}{L}", "Suite {d}00", "Unit {n}", "# {n}", "Floor {f}"),
    "CA": ("Apt {n}", "Suite {d}00", "Unit {n}"), "AU": ("Unit {n}", "Level {f}", "Apt {n}"),
    "GB": ("Flat {n}", "Flat {n}{L}", "Unit {n}", "Floor {f}"), "IN": ("Flat {f}0{d}", "Floor {f}", "Block {L}"),
    "DE": ("{f}. OG", "Hinterhaus", "App. {n}", "{f}. OG links"), "FR": ("Bâtiment {L}", "Appartement {n}",
                                                                        "Escalier {L}, {f}e étage"),
    "ES": ("{f}º {L}", "Piso {f}, Puerta {n}", "Escalera {L}"), "IT": ("Scala {L}, Interno {n}", "Piano {f}"),
    "NL": ("{f} hoog", "Huis {L}"), "JP": ("{f}0{d}号室",), "BR": ("Apto {f}0{d}", "Bloco {L}, Apto {f}0{d}"),
}
"""A flat, suite or floor as each country writes it on an address's second line."""


def address_line2(state: RecordState) -> str:
    """An address's second line: ``Apt 4B``, ``Flat 3``, ``2. OG``, ``Bâtiment B`` (the record's country)."""
    rng = state.rng
    form = pick(rng, _LINE2.get(state.country, _LINE2["US"]))
    return form.format(n=1 + below(rng, 9) if below(rng, 2) else 10 + below(rng, 40), d=1 + below(rng, 9),
                       f=1 + below(rng, 8), L="ABCDEF"[below(rng, 6)])


def file_name(state: RecordState) -> str:
    return f"{_word(state)}-{_word(state)}.{pick(state.rng, _faker_data()['extensions'])}"


def file_path(state: RecordState) -> str:
    depth = 1 + below(state.rng, 2)
    return "/".join([*(pick(state.rng, _DIRS) for _ in range(depth)), file_name(state)])


def mime_type(state: RecordState) -> str:
    return str(pick(state.rng, _faker_data()["mime_types"]))


def hex_digest(length: int) -> Draw:
    """A lower-case hex digest of ``length`` characters (40: SHA-1, 64: SHA-256, 32: MD5)."""
    bits = length * 4

    def draw(state: RecordState) -> str:
        return f"{state.rng.getrandbits(bits):0{length}x}"
    return draw


def password(state: RecordState) -> str:
    return "".join(pick(state.rng, _PASSWORD_CHARS) for _ in range(12 + below(state.rng, 5)))


def token(state: RecordState) -> str:
    return f"{state.rng.getrandbits(128):032x}"


def programming_language(state: RecordState) -> str:
    return pick(state.rng, PROGRAMMING_LANGUAGES)


def status(state: RecordState) -> str:
    return pick(state.rng, STATUSES)


def as_text(draw: Draw, spec: Callable[[float], str]) -> Draw:
    """A number drawer's values as strings (``"48.137154"``), for a coordinate typed as a string."""
    return lambda s: spec(draw(s))


# -- identifiers people read: codes, references, SKUs -------------------------------------------------------

_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: codes people read out are written without them
_CODE_CHARS = _CODE_LETTERS + "23456789"
_PROMO_WORDS = ("SAVE", "WELCOME", "SPRING", "SUMMER", "AUTUMN", "WINTER", "FREESHIP", "VIP", "BLACKFRIDAY",
                "NEWYEAR", "THANKS", "FLASH", "EXTRA", "HOLIDAY", "BACK2SCHOOL", "FRIENDS", "LOYAL", "BONUS")
_PROMO_AMOUNTS = ("5", "10", "15", "20", "25", "30", "50")


def code(state: RecordState) -> str:
    """A short code as systems print them: two or three letters, a dash, three or four digits (``KX-4821``)."""
    r = state.rng
    letters = "".join(pick(r, _CODE_LETTERS) for _ in range(2 + below(r, 2)))
    low = 100 if below(r, 2) else 1000
    return f"{letters}-{low + below(r, 9 * low)}"


def code_compact(state: RecordState) -> str:
    """A code with no separator (``K7Q2XM``), for fields whose pattern has no dash."""
    return "".join(pick(state.rng, _CODE_CHARS) for _ in range(6 + below(state.rng, 3)))


def promo_code(state: RecordState) -> str:
    """A voucher code as shops name them: a word and an amount (``SPRING15``, ``WELCOME10``)."""
    r = state.rng
    return f"{pick(r, _PROMO_WORDS)}{pick(r, _PROMO_AMOUNTS)}"


def reference(state: RecordState) -> str:
    """A document reference (``REF-2025-048213``); a field's own name gives the prefix (:func:`reference_for`)."""
    return _reference(state, "REF")


def _reference(state: RecordState, prefix: str) -> str:
    r = state.rng
    return f"{prefix}-{2019 + below(r, 8)}-{below(r, 1_000_000):06d}"


_REFERENCE_PREFIXES = {"invoice": "INV", "order": "ORD", "purchase_order": "PO", "receipt": "RCT", "ticket": "TKT",
                       "booking": "BKG", "reservation": "RES", "confirmation": "CNF", "tracking": "TRK",
                       "shipment": "SHP", "case": "CASE", "claim": "CLM", "quote": "QTE", "contract": "CTR",
                       "policy": "POL", "credit_note": "CN", "refund": "RFD", "return": "RMA", "transaction": "TXN",
                       "payment": "PAY", "account": "ACC", "customer": "CUS", "membership": "MEM", "serial": "SN"}


def reference_for(name: str) -> Draw:
    """References of one field, prefixed after its name: ``invoice_number`` gives ``INV-2024-003918``."""
    from pytest_testdata.generators.traditional.field_names import snake

    key = snake(name)
    for suffix in ("_number", "_no", "_num", "_reference", "_ref", "_code", "_id"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
            break
    prefix = _REFERENCE_PREFIXES.get(key) or (key.split("_")[-1][:3].upper() if key.isascii() and key else "REF")
    prefix = prefix if prefix.isalpha() else "REF"
    return lambda state: _reference(state, prefix)


def house_number(state: RecordState) -> str:
    """A house or building number: mostly small, now and then with a letter (``12``, ``7b``)."""
    r = state.rng
    number = 1 + (below(r, 40) if r.random() < 0.7 else below(r, 400))
    return f"{number}{pick(r, 'abc')}" if r.random() < 0.08 else str(number)


# -- catalogue words ---------------------------------------------------------------------------------------------

_TAGS = ("new", "sale", "featured", "bestseller", "limited", "gift", "eco", "organic", "handmade", "vintage",
         "premium", "outdoor", "indoor", "kids", "summer", "winter", "clearance", "bundle", "exclusive", "popular",
         "recommended", "local", "vegan", "travel", "home", "office", "fitness", "kitchen", "garden", "tech",
         "urgent", "bug", "enhancement", "documentation", "question", "backend", "frontend", "billing", "vip")


@cache
def _categories() -> tuple[str, ...]:
    from pytest_testdata.generators.traditional.vocab import PRODUCT_NOUNS

    return tuple(PRODUCT_NOUNS)


def category(state: RecordState) -> str:
    """A shop's product category, as the built-in products use them (``electronics``, ``books``)."""
    return pick(state.rng, _categories())


def category_title(state: RecordState) -> str:
    return category(state).title()


def tag(state: RecordState) -> str:
    """A short lower-case label (``sale``, ``eco``, ``bug``)."""
    return pick(state.rng, _TAGS)
