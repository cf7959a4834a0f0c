"""Seeded pools of Faker values, built once per process and locale.

Calling Faker for every value costs tens of microseconds; drawing from a pool costs well under one.
Pools are filled from a Faker instance seeded with a fixed value, so their content depends only on the
Faker release, and records depend only on the per-call seed that picks from them.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from functools import cache, lru_cache

from pytest_testdata.generators.traditional.fastrand import below, pick
from pytest_testdata.generators.traditional.vocab import EMAIL_DOMAINS
from pytest_testdata.locales.countries import CALLING_CODES, COUNTRY_LOCALES
from pytest_testdata.quality.rules import fold_name

POOL_SIZE = 400
POOL_SEED = 20_240_601
_lock = threading.Lock()


@dataclass(frozen=True)
class CountryPool:
    """Values of one country: names, addresses (street, city, state, postal code) and companies."""

    country: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    addresses: tuple[tuple[str, str, str, str], ...]
    companies: tuple[str, ...]
    words: tuple[str, ...]


def _state(fake: object) -> str:
    for attr in ("state_abbr", "province_abbr", "administrative_unit", "county", "region", "city"):
        method = getattr(fake, attr, None)
        if method is not None:
            try:
                return str(method())
            except (AttributeError, TypeError):
                continue
    return ""


@cache
def country_pool(country: str) -> CountryPool:
    """The pool for a country code (``US``, ``GB``...), built on first use."""
    from faker import Faker  # imported here: Faker is slow to import and plugin start-up stays light

    with _lock:
        fake = Faker(COUNTRY_LOCALES[country])
        fake.seed_instance(POOL_SEED)
        first = tuple(fake.first_name() for _ in range(POOL_SIZE))
        last = tuple(fake.last_name() for _ in range(POOL_SIZE))
        addresses = []
        for _ in range(POOL_SIZE):
            street = fake.street_address().replace("\n", ", ")
            postcode = fake.postcode()
            if country == "CA" and len(postcode) == 6:
                postcode = f"{postcode[:3]} {postcode[3:]}"
            addresses.append((street, fake.city(), _state(fake), postcode.upper()))
        companies = tuple(fake.company() for _ in range(POOL_SIZE // 2))
        words = tuple(dict.fromkeys(fake.words(nb=POOL_SIZE)))
    return CountryPool(country, first, last, tuple(addresses), companies, words)


_BUILT: dict[str, CountryPool] = {}


def pool(country: str) -> CountryPool:
    """:func:`country_pool`, looked up in a plain dict first: drawers ask for a pool for every name."""
    found = _BUILT.get(country)
    if found is None:
        found = _BUILT[country] = country_pool(country)
    return found


class Values:
    """Draws values from the pools with a caller's seeded ``random.Random``."""

    def phone(self, country: str, rng: random.Random) -> str:
        """A mobile-style number with the country's calling code: ``+44 7911 123456``."""
        code = CALLING_CODES[country]
        # rng.randrange(a, b) is a + below(rng, b - a): the same draws, fewer calls.
        if code == "+1":
            return f"+1 {201 + below(rng, 789)}-{200 + below(rng, 799)}-{below(rng, 10000):04d}"
        if country == "GB":
            return f"+44 7{100 + below(rng, 899)} {below(rng, 1000000):06d}"
        if country == "DE":
            return f"+49 15{below(rng, 10)} {10**7 + below(rng, 9 * 10**7)}"
        return (f"+33 {6 + below(rng, 2)} {below(rng, 100):02d} {below(rng, 100):02d} {below(rng, 100):02d} "
                f"{below(rng, 100):02d}")

    def postal_code(self, country: str, rng: random.Random) -> str:
        return pick(rng, pool(country).addresses)[3]

    def email(self, first: str, last: str, rng: random.Random, country: str = "US") -> str:
        domain = pick(rng, EMAIL_DOMAINS.get(country, EMAIL_DOMAINS["US"]))
        style = rng.random()
        f, lname = fold_name(first) or "user", fold_name(last) or "mail"
        local = f"{f}.{lname}" if style < 0.5 else f"{f[0]}{lname}" if style < 0.8 else f"{f}_{lname}"
        return f"{local}{1 + below(rng, 9999)}@{domain}"

    def later_timestamp(self, after: str, rng: random.Random) -> str:
        from pytest_testdata.generators.traditional.timestamps import shift

        return shift(after, 60 + below(rng, 14 * 86_400 - 60))


@lru_cache(maxsize=256)
def faker_pool(country: str, provider: str) -> tuple[str, ...]:
    """Values of any Faker provider (``x-gen: "faker.city"``) for a country, built once, seeded."""
    from faker import Faker

    from pytest_testdata.errors import TestdataUsageError

    with _lock:
        fake = Faker(COUNTRY_LOCALES[country])
        fake.seed_instance(POOL_SEED)
        method = getattr(fake, provider, None) if not provider.startswith("_") else None
        if not callable(method):
            raise TestdataUsageError(
                f"x-gen 'faker.{provider}': Faker has no provider {provider!r}. Use a Faker method that "
                "takes no arguments, such as faker.city, faker.job or faker.iban."
            )
        try:
            values = tuple(dict.fromkeys(str(method()) for _ in range(POOL_SIZE)))
        except TypeError as exc:
            raise TestdataUsageError(
                f"x-gen 'faker.{provider}': the provider needs arguments ({exc}). Use one that takes none."
            ) from None
    return values
