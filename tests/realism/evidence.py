"""The realism figures of docs/usage.md: per locale, 10,000 users judged by tests/realism/judges.py.

``python -m tests.realism.evidence`` prints the table; tests/realism/test_users_are_real.py asserts the
thresholds of issue 12 on the same figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import judges

Record = dict[str, Any]
COUNT = 10_000
SEED = 12
RESERVED = re.compile(r"@(example\.(com|org|net)|[a-z0-9-]+\.example)$")
"""Domains reserved for tests and documentation (RFC 2606, RFC 6761)."""


@dataclass(frozen=True)
class Rates:
    """Fractions of one locale's users (or of their addresses) that pass each judge."""

    distinct: float
    """addresses (street, city, state, postal code) over the batch's number of addresses"""
    exists: float
    """postal codes that exist in full (judges.CHECKS says how each country is looked up)"""
    fits: float | None
    """of those, codes that lie in the address's state (None where the judge cannot tell)"""
    phones: float
    """phone numbers valid for the country by libphonenumber"""
    reserved: float
    """emails on a reserved domain"""


def addresses(users: list[Record]) -> list[Record]:
    return [a for u in users for a in u["addresses"]]


def rates(country: str, users: list[Record]) -> Rates:
    found = addresses(users)
    distinct = len({(a["street"], a["city"], a["state"], a["postal_code"]) for a in found}) / len(found)
    fits = [judges.postal_code_fits(a) for a in found]
    in_state = [f[1] for f in fits if f[1] is not None]
    return Rates(
        distinct=distinct,
        exists=sum(f[0] for f in fits) / len(fits),
        fits=sum(in_state) / len(in_state) if in_state else None,
        phones=sum(judges.phone_valid(u["phone"], country) for u in users) / len(users),
        reserved=sum(bool(RESERVED.search(u["email"])) for u in users) / len(users),
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def main() -> None:
    from pytest_testdata.engine import Engine
    from pytest_testdata.locales.countries import COUNTRY_LOCALES
    from pytest_testdata.types import GenerationRequest

    engine = Engine()
    print("| locale | addresses distinct | postal codes that exist | in the stated state | phones valid "
          "| emails on reserved domains | what the postal-code judge looks up |")
    print("|---|---|---|---|---|---|---|")
    for country, locale in sorted(COUNTRY_LOCALES.items(), key=lambda item: item[1]):
        users = engine.generate(GenerationRequest.checked("user", COUNT, seed=SEED, locale=locale)).records
        r = rates(country, users)
        print(f"| {locale} | {_pct(r.distinct)} | {_pct(r.exists)} | {_pct(r.fits)} | {_pct(r.phones)} "
              f"| {_pct(r.reserved)} | {judges.CHECKS[country]} |", flush=True)


if __name__ == "__main__":
    main()
