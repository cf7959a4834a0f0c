"""Per-country facts that coherence rules check: calling codes, postal-code shapes, Faker locales."""

from __future__ import annotations

import re

COUNTRY_LOCALES: dict[str, str] = {"US": "en_US", "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "CA": "en_CA"}
CALLING_CODES: dict[str, str] = {"US": "+1", "CA": "+1", "GB": "+44", "DE": "+49", "FR": "+33"}
POSTAL_CODES: dict[str, re.Pattern[str]] = {
    "US": re.compile(r"^\d{5}(-\d{4})?$"),
    "CA": re.compile(r"^[A-Z]\d[A-Z] \d[A-Z]\d$"),
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$"),
    "DE": re.compile(r"^\d{5}$"),
    "FR": re.compile(r"^\d{5}$"),
}
CURRENCIES: dict[str, str] = {"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FR": "EUR"}
LOCALE_COUNTRIES: dict[str, str] = {locale: country for country, locale in COUNTRY_LOCALES.items()}


def phone_matches(phone: object, country: object) -> bool:
    """True when the phone number starts with the country's calling code."""
    code = CALLING_CODES.get(str(country))
    return isinstance(phone, str) and code is not None and phone.startswith(code + " ")


def postal_code_matches(postal_code: object, country: object) -> bool:
    """True when the postal code has the country's shape."""
    pattern = POSTAL_CODES.get(str(country))
    return isinstance(postal_code, str) and pattern is not None and bool(pattern.match(postal_code))
