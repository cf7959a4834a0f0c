"""PII scrubbing of production samples, and the leak guard on generated records."""

from __future__ import annotations

import json
import re
from typing import Any

import phonenumbers

from pytest_testdata.generators.traditional.pools import RESERVED_DOMAINS
from pytest_testdata.locales.gazetteer import phone_fits_region
from pytest_testdata.store.scrub import TEST_CARD, fingerprints, guard, luhn_valid, scrub

RAW_USER: dict[str, Any] = {
    "user_id": "5f0c6a52-93a4-4c4b-9d55-4a3e7f9e2b10",
    "email": "margaret.oconnell@gmail.com",
    "first_name": "Margaret",
    "last_name": "O'Connell",
    "phone": "+1 617-842-3391",
    "addresses": [{"street": "88 Beacon Hill Road", "city": "Boston", "state": "MA", "postal_code": "02108",
                   "country": "US"}],
    "loyalty_tier": "gold",
    "created_at": "2023-05-01T10:00:00Z",
    "updated_at": "2025-05-01T10:00:00Z",
}
RAW_PAYMENT_NOTE = {
    "payment_id": "a3b7e1e4-1f64-4b0a-8f5e-0c1d2e3f4a5b",
    "card_number": "4539 1488 0343 6467",
    "note": "Customer Margaret O'Connell called from +44 20 7946 1234, card 5555-5555-5555-4444, "
            "email margaret.oconnell@gmail.com; order placed 2025-10-20, total 1234.56",
    "amount": 1234.56,
}
PII = ["margaret.oconnell@gmail.com", "Margaret", "O'Connell", "+1 617-842-3391", "617-842-3391",
       "88 Beacon Hill Road", "4539 1488 0343 6467", "5555-5555-5555-4444", "+44 20 7946 1234"]


def dumped(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False)


def test_the_same_original_always_becomes_the_same_pseudonym() -> None:
    assert scrub(RAW_USER)[0] == scrub(RAW_USER)[0]


def test_a_scrubbed_uk_number_in_e164_stays_a_valid_uk_number_in_e164() -> None:
    clean, _ = scrub({"phone": "+442079461234", "addresses": [{"country": "GB", "city": "London"}]})
    assert re.fullmatch(r"\+44\d{9,10}", clean["phone"]) and clean["phone"] != "+442079461234"
    assert phonenumbers.is_valid_number(phonenumbers.parse(clean["phone"]))


def test_names_emails_phones_and_streets_are_replaced_coherently() -> None:
    clean, report = scrub(RAW_USER)
    text = dumped(clean)
    for value in PII[:6]:
        assert value not in text
    assert clean["first_name"] != "Margaret" and clean["last_name"] != "O'Connell"
    local = clean["email"].split("@")[0]
    assert clean["email"].split("@")[1] in RESERVED_DOMAINS  # reaches no inbox
    assert clean["first_name"][0].lower() in local  # still derived from the (new) name
    # A stand-in that still passes the user's rules: a valid US number of a Massachusetts area code.
    number = phonenumbers.parse(clean["phone"])
    assert phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) == "US"
    assert phone_fits_region(clean["phone"], "US", "MA") is True
    assert clean["addresses"][0]["street"] != RAW_USER["addresses"][0]["street"]
    # What is not personal stays: ids, city, postal code, tier, timestamps.
    for key in ("user_id", "loyalty_tier", "created_at"):
        assert clean[key] == RAW_USER[key]
    assert clean["addresses"][0]["city"] == "Boston"
    assert report.replaced["email"] == 1 and report.replaced["phone"] == 1 and report.replaced["street"] == 1
    assert report.replaced["name"] == 2


def test_pii_inside_free_text_and_card_numbers_are_replaced() -> None:
    clean, report = scrub(RAW_PAYMENT_NOTE)
    text = dumped(clean)
    for value in PII[3:]:
        assert value not in text, value
    assert clean["card_number"] == TEST_CARD
    assert "2025-10-20" in clean["note"] and "1234.56" in clean["note"]  # dates and amounts are not phones
    assert report.replaced["card_number"] == 2 and report.replaced["phone"] == 1


def test_a_records_own_names_are_replaced_in_its_other_text() -> None:
    raw = {**RAW_USER, "notes": "Margaret O'Connell prefers evening delivery; ask for Margaret."}
    clean, _ = scrub(raw)
    assert "Margaret" not in clean["notes"] and "O'Connell" not in clean["notes"]
    assert clean["notes"].startswith(f"{clean['first_name']} {clean['last_name']} prefers evening delivery")


def test_the_same_person_gets_the_same_pseudonym_in_every_sample() -> None:
    first, _ = scrub(RAW_USER)
    again, _ = scrub({**RAW_USER, "user_id": "another"})
    assert (first["first_name"], first["last_name"], first["email"]) == (
        again["first_name"], again["last_name"], again["email"])


def test_fingerprints_hold_no_pii_and_match_reformatted_numbers() -> None:
    _, report = scrub(RAW_USER)
    assert not any(re.search(r"margaret|connell|6178423391|beacon", h, re.I) for h in report.hashes)
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in report.hashes)
    assert fingerprints("+1 (617) 842 3391") & report.hashes  # same digits, other formatting
    assert fingerprints("MARGARET.OCONNELL@GMAIL.COM") & report.hashes


def test_the_guard_replaces_only_values_it_has_fingerprints_for() -> None:
    _, report = scrub(RAW_USER)
    leaked = {**RAW_USER, "loyalty_tier": "silver"}
    records = [leaked, {"first_name": "Margaret", "last_name": "Jones", "email": "m.jones@example.com"}]
    n = guard(records, report.hashes)
    text = dumped(records[0])
    for value in ("margaret.oconnell@gmail.com", "O'Connell", "617-842-3391", "88 Beacon Hill Road"):
        assert value not in text
    assert records[0]["loyalty_tier"] == "silver"
    assert records[1] == {"first_name": "Margaret", "last_name": "Jones", "email": "m.jones@example.com"}
    assert n >= 4


def test_the_guard_with_no_fingerprints_changes_nothing() -> None:
    records = [dict(RAW_USER)]
    assert guard(records, frozenset()) == 0
    assert records[0] == RAW_USER


def test_luhn() -> None:
    assert luhn_valid("4539148803436467") and luhn_valid("5555555555554444")
    assert not luhn_valid("4539148803436468") and not luhn_valid("1234")


def test_an_email_spelling_a_guarded_name_goes_with_the_name() -> None:
    """The RAG strategy adds a number to a pattern's email, so the exact email no longer matches; the name
    still does, and an email spelling that name would carry the person under a new name."""
    known = fingerprints("Margaret O'Connell") | fingerprints("O'Connell")
    records = [{"first_name": "Margaret", "last_name": "O'Connell", "email": "margaret.oconnell6424@gmail.com"}]
    assert guard(records, known) == 3
    assert "oconnell" not in records[0]["email"] and records[0]["email"].split("@")[1] in RESERVED_DOMAINS
