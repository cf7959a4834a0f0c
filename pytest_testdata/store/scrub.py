"""PII scrubbing for ingested production samples, and the leak guard for generated records.

:class:`Scrubber` replaces personal data with consistent pseudonyms: names, emails, phone numbers, card
numbers and street addresses, found by field name (``email``, ``first_name``, ``street``...) and, in any
other text, by shape (an email address, a phone number, a Luhn-valid card number, or one of the record's
own names). Pseudonyms are drawn from the shipped locale data (the pools the traditional generator uses:
weighted names, real streets, phone numbers valid for the country and, in North America, of the address's
state) by a random generator seeded from the original value, so one customer becomes the same pseudonym in
every sample (relations survive) and a scrubbed record still passes the entity's rules, while the original
never reaches the store. What the store
keeps instead is a *fingerprint* of each original value (a SHA-256), which :func:`guard` uses to check that
no generated record carries one verbatim.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_testdata.generators.traditional import pools
from pytest_testdata.locales.countries import COUNTRY_LOCALES

Record = dict[str, Any]

EMAIL_KEYS = frozenset({"email", "email_address", "contact_email", "customer_email"})
PHONE_KEYS = frozenset({"phone", "phone_number", "mobile", "telephone", "tel"})
FIRST_KEYS = frozenset({"first_name", "given_name", "firstname"})
LAST_KEYS = frozenset({"last_name", "family_name", "surname", "lastname"})
FULL_NAME_KEYS = frozenset({"full_name", "customer_name", "recipient_name", "name_on_card", "cardholder_name",
                            "cardholder", "billing_name", "shipping_name"})
STREET_KEYS = frozenset({"street", "street_address", "address_line1", "address_line2", "line1", "line2",
                         "address1", "address2"})
CARD_KEYS = frozenset({"card_number", "pan", "cc_number", "credit_card_number"})
LAST4_KEYS = frozenset({"card_last_four", "last4", "last_four"})

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<![\w])\+?\d[\d ().-]{6,}\d(?![\w])")
CARD_RE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
TEST_CARD = "4111 1111 1111 1111"
"""The card number every scrubbed card number becomes: a well-known test number, Luhn-valid."""


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _hash(text: str) -> str:
    return hashlib.sha256(("testdata-pii\x1f" + text).encode()).hexdigest()


def fingerprints(value: str) -> set[str]:
    """The fingerprints of a value: its folded text and, for 7+ digits (phones, cards), its digits."""
    out = {_hash(_fold(value))}
    digits = _digits(value)
    if len(digits) >= 7:
        out.add(_hash("#" + digits))
    return out


def luhn_valid(digits: str) -> bool:
    """True for a number passing the Luhn checksum (every real card number does)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0 and 13 <= len(digits) <= 19


def _letters(text: str) -> str:
    """Lower-case ASCII letters and digits of a text, accents folded (``O'Connell`` -> ``oconnell``)."""
    folded = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]+", "", "".join(c for c in folded if not unicodedata.combining(c)).lower())


def _seeded(original: str) -> random.Random:
    """A random generator seeded from the original value: the same original, the same pseudonym."""
    return random.Random(int(_hash(original)[:16], 16))


def _known(country: str) -> str:
    """The country whose locale data draws the pseudonyms (US for a country the data does not cover)."""
    return country if country in COUNTRY_LOCALES else "US"


@dataclass
class ScrubReport:
    """What a scrub changed: counts by kind and the fingerprints of every original value."""

    replaced: Counter[str] = field(default_factory=Counter)
    hashes: set[str] = field(default_factory=set)


class Scrubber:
    """Replaces PII in records. With ``only`` set, replaces just the values whose fingerprint is in it."""

    def __init__(self, only: Collection[str] | None = None) -> None:
        self.only = only

    def scrub(self, record: Record) -> tuple[Record, ScrubReport]:
        """A scrubbed copy of the record and the report of what was replaced."""
        report = ScrubReport()
        names = self._names(record, report)
        out = self._walk(record, _country(record), _region(record), names, report)
        return out, report

    # -- decisions ------------------------------------------------------------------------------------

    def _hit(self, value: str) -> bool:
        return self.only is None or bool(fingerprints(value) & set(self.only))

    def _names(self, record: Record, report: ScrubReport) -> dict[str, str]:
        """Original name -> pseudonym, for every name field anywhere in the record."""
        found: dict[str, str] = {}
        self._collect_names(record, found, _country(record), report)
        return found

    def _collect_names(self, node: Any, found: dict[str, str], country: str, report: ScrubReport) -> None:
        if isinstance(node, Mapping):
            first = next((node[k] for k in node if k.lower() in FIRST_KEYS and isinstance(node[k], str)), None)
            last = next((node[k] for k in node if k.lower() in LAST_KEYS and isinstance(node[k], str)), None)
            here = _known(_country(node) or country)
            whole = f"{first or ''} {last or ''}".strip()
            # A first name alone identifies nobody (and a guard replacing every "Anna" would be noise); the
            # whole name and the surname are what get fingerprinted and checked.
            if whole and (self.only is None or self._hit(whole) or (last and self._hit(last))):
                rng = _seeded(whole)
                if first:
                    found.setdefault(first, pools.first_name(here, rng))
                if last:
                    found.setdefault(last, pools.last_name(here, rng))
                    report.hashes |= fingerprints(last)
                report.hashes |= fingerprints(whole)
            for key, value in node.items():
                if key.lower() in FULL_NAME_KEYS and isinstance(value, str) and value.strip() and self._hit(value):
                    rng = _seeded(value)
                    found.setdefault(value, f"{pools.first_name(here, rng)} {pools.last_name(here, rng)}")
                    report.hashes |= fingerprints(value)
                self._collect_names(value, found, country, report)
        elif isinstance(node, list):
            for value in node:
                self._collect_names(value, found, country, report)

    def _walk(self, node: Any, country: str, region: str, names: dict[str, str], report: ScrubReport,
              key: str = "") -> Any:
        if isinstance(node, Mapping):
            here, area = (_country(node), _region(node)) if _country(node) else (country, region)
            out = {k: self._walk(v, here, area, names, report, k.lower()) for k, v in node.items()}
            self._rederive_email(out, node, here, report)
            return out
        if isinstance(node, list):
            return [self._walk(v, country, region, names, report, key) for v in node]
        if not isinstance(node, str) or not node.strip():
            return node
        return self._value(node, key, _known(country), region, names, report)

    def _value(self, value: str, key: str, country: str, region: str, names: dict[str, str],
               report: ScrubReport) -> str:
        if key in FIRST_KEYS | LAST_KEYS | FULL_NAME_KEYS:
            if value in names:
                report.replaced["name"] += 1
                return names[value]
            return value
        if key in EMAIL_KEYS and self._hit(value):
            rng = _seeded(value)
            first, last = pools.first_name(country, rng), pools.last_name(country, rng)
            return self._swap(value, pools.VALUES.email(first, last, rng, country), "email", report)
        if key in PHONE_KEYS and self._hit(value):
            return self._swap(value, _phone(country, region, value), "phone", report)
        if key in CARD_KEYS and self._hit(value):
            return self._swap(value, TEST_CARD, "card_number", report)
        if key in LAST4_KEYS and self._hit(value) and re.fullmatch(r"\d{4}", value):
            return self._swap(value, f"{int(_hash(value)[:8], 16) % 10000:04d}", "card_last_four", report)
        if key in STREET_KEYS and self._hit(value):
            rng = _seeded(value)
            found = (pools.place_in(country, region, rng) if region else None) or pools.place(country, rng)
            return self._swap(value, pools.street(country, found, rng), "street", report)
        return self._free_text(value, country, region, names, report)

    def _free_text(self, text: str, country: str, region: str, names: dict[str, str],
                   report: ScrubReport) -> str:
        """PII inside other text: emails, card numbers, phone numbers and the record's own names."""
        def email(m: re.Match[str]) -> str:
            if not self._hit(m.group()):
                return m.group()
            report.replaced["email"] += 1
            report.hashes |= fingerprints(m.group())
            return "customer@example.com"

        def card(m: re.Match[str]) -> str:
            if not luhn_valid(_digits(m.group())) or not self._hit(m.group()):
                return m.group()
            report.replaced["card_number"] += 1
            report.hashes |= fingerprints(m.group())
            return TEST_CARD

        def phone(m: re.Match[str]) -> str:
            # Nine digits, or seven after a "+": short of that it is more likely a date or an amount.
            # E.164 numbers have at most 15 digits (a longer run is a card or an id).
            wanted = 7 if m.group().startswith("+") else 9
            if not wanted <= len(_digits(m.group())) <= 15 or not self._hit(m.group()):
                return m.group()
            report.replaced["phone"] += 1
            report.hashes |= fingerprints(m.group())
            return _phone(country, region, m.group())

        out = EMAIL_RE.sub(email, text)
        out = CARD_RE.sub(card, out)
        out = PHONE_RE.sub(phone, out)
        for original, pseudonym in names.items():
            if len(original) >= 3 and original in out:
                before = out
                out = re.sub(rf"\b{re.escape(original)}\b", pseudonym, out)
                report.replaced["name"] += out != before
        return out

    def _rederive_email(self, out: Record, original: Mapping[str, Any], country: str,
                        report: ScrubReport) -> None:
        """Keep an email derived from the (pseudonymous) name, as real accounts' emails often are.

        Also when only the names were replaced: an email that spells the original name
        (``margaret.oconnell6424@...``) would carry the person into the record under a new name.
        """
        first = next((k for k in out if k.lower() in FIRST_KEYS), None)
        last = next((k for k in out if k.lower() in LAST_KEYS), None)
        email = next((k for k in out if k.lower() in EMAIL_KEYS), None)
        if not (first and last and email):
            return
        names = (out[first], out[last], original[first], original[last], original[email])
        if not all(isinstance(v, str) for v in names):
            return
        changed = out[email] != original[email]
        renamed = (out[first], out[last]) != (original[first], original[last])
        local = _letters(str(original[email]).split("@")[0])
        spelled = any(len(n) >= 3 and n in local for n in (_letters(original[first]), _letters(original[last])))
        if not (changed or (renamed and spelled)):
            return
        if not changed:
            self._swap(str(original[email]), "", "email", report)
        rng = _seeded(str(original[email]))
        out[email] = pools.VALUES.email(out[first], out[last], rng, _known(country))

    @staticmethod
    def _swap(original: str, replacement: str, kind: str, report: ScrubReport) -> str:
        report.replaced[kind] += 1
        report.hashes |= fingerprints(original)
        return replacement


def _country(node: Any) -> str:
    """The record's country: its own ``country`` field, else its first address's."""
    if not isinstance(node, Mapping):
        return ""
    country = node.get("country")
    if isinstance(country, str):
        return country
    for key in ("addresses", "shipping_address", "billing_address", "address"):
        value = node.get(key)
        value = value[0] if isinstance(value, list) and value else value
        if isinstance(value, Mapping) and isinstance(value.get("country"), str):
            return str(value["country"])
    return ""


def _region(node: Any) -> str:
    """The record's state or region, next to its country (its own, else its first address's)."""
    if not isinstance(node, Mapping):
        return ""
    if isinstance(node.get("country"), str):
        state = node.get("state") or node.get("region")
        return state if isinstance(state, str) else ""
    for key in ("addresses", "shipping_address", "billing_address", "address"):
        value = node.get(key)
        value = value[0] if isinstance(value, list) and value else value
        if isinstance(value, Mapping) and isinstance(value.get("country"), str):
            return _region(value)
    return ""


def _phone(country: str, region: str, original: str) -> str:
    """A number valid for the country (of the region's area in North America), in the original's layout."""
    rng = _seeded(original)
    style = "e164" if re.fullmatch(r"\+\d+", original) else "international" if original.startswith("+") else "national"
    found = pools.place_in(country, region, rng) if region else None
    return pools.phone_number(country, found, rng, style)


def scrub(record: Record) -> tuple[Record, ScrubReport]:
    """Scrub every PII value of a record (see :class:`Scrubber`)."""
    return Scrubber().scrub(record)


def guard(records: list[Record], known: Collection[str]) -> int:
    """Replace, in place, any value of ``records`` whose fingerprint is in ``known``; returns how many.

    ``known`` is the store's fingerprint set (of the PII scrubbed out of ingested production samples).
    """
    if not known:
        return 0
    scrubber = Scrubber(only=known)
    replaced = 0
    for i, record in enumerate(records):
        clean, report = scrubber.scrub(record)
        n = sum(report.replaced.values())
        if n:
            records[i] = clean
            replaced += n
    return replaced
