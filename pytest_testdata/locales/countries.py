"""Per-country facts that generation and the coherence rules share: locales, calling codes, postal-code
shapes, currencies, how a street address is written.

The places, names and phone ranges themselves are data files (:mod:`pytest_testdata.locales.gazetteer`).
"""

from __future__ import annotations

import re

COUNTRY_LOCALES: dict[str, str] = {
    "US": "en_US", "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "CA": "en_CA", "JP": "ja_JP", "BR": "pt_BR",
    "ES": "es_ES", "IT": "it_IT", "NL": "nl_NL", "AU": "en_AU", "IN": "en_IN",
}
CALLING_CODES: dict[str, str] = {
    "US": "+1", "CA": "+1", "GB": "+44", "DE": "+49", "FR": "+33", "JP": "+81", "BR": "+55", "ES": "+34",
    "IT": "+39", "NL": "+31", "AU": "+61", "IN": "+91",
}
POSTAL_CODES: dict[str, re.Pattern[str]] = {
    "US": re.compile(r"^\d{5}(-\d{4})?\Z"),
    "CA": re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d\Z"),
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\Z"),
    "DE": re.compile(r"^\d{5}\Z"),
    "FR": re.compile(r"^\d{5}\Z"),
    "JP": re.compile(r"^\d{3}-\d{4}\Z"),
    "BR": re.compile(r"^\d{5}-\d{3}\Z"),
    "ES": re.compile(r"^(0[1-9]|[1-4]\d|5[0-2])\d{3}\Z"),
    "IT": re.compile(r"^\d{5}\Z"),
    "NL": re.compile(r"^[1-9]\d{3} [A-Z]{2}\Z"),
    "AU": re.compile(r"^\d{4}\Z"),
    "IN": re.compile(r"^[1-9]\d{5}\Z"),
}
CURRENCIES: dict[str, str] = {
    "US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "JP": "JPY", "BR": "BRL", "ES": "EUR",
    "IT": "EUR", "NL": "EUR", "AU": "AUD", "IN": "INR",
}
NANP = frozenset({"US", "CA"})
"""Countries of the North American Numbering Plan: every number has a geographic area code."""
LOCALE_COUNTRIES: dict[str, str] = {locale: country for country, locale in COUNTRY_LOCALES.items()}
STREET_FORMATS: dict[str, str] = {
    "US": "{n} {s}", "CA": "{n} {s}", "AU": "{n} {s}", "GB": "{n} {s}", "FR": "{n} {s}", "IN": "{n}, {s}",
    "DE": "{s} {n}", "NL": "{s} {n}", "ES": "{s} {n}", "IT": "{s}, {n}", "BR": "{s}, {n}", "JP": "{s} {n}",
}
"""How a street line is written: ``{n}`` the house number, ``{s}`` the street (for JP, the town district,
and the number is chome-ban-go). The drawers (generators/traditional/pools.street) write these inline."""


def phone_matches(phone: object, country: object) -> bool:
    """True when the phone number carries the country's calling code (``+44 20 ...`` or E.164 ``+4420...``)."""
    code = CALLING_CODES.get(str(country))
    if not isinstance(phone, str) or code is None or not phone.startswith(code):
        return False
    if phone.startswith(" ", len(code)):  # the rest starts with a space: no slice made to see it
        return True
    rest = phone[len(code):]
    return rest.isdigit() and 6 <= len(rest) <= 14


def postal_code_matches(postal_code: object, country: object) -> bool:
    """True when the postal code has the country's shape."""
    pattern = POSTAL_CODES.get(str(country))
    return isinstance(postal_code, str) and pattern is not None and bool(pattern.match(postal_code))
