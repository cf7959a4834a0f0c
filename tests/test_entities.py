"""The six built-in entities from the traditional strategy: coherence rules, constraints, uniqueness.

The rules are asserted directly on the records (with this file's own arithmetic, patterns and word
lists), not only through the coherence scorer, so a scorer bug cannot hide a generator bug.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.types import GenerationRequest

CALLING_CODES = {"US": "+1 ", "CA": "+1 ", "GB": "+44 ", "DE": "+49 ", "FR": "+33 "}
POSTAL = {
    "US": r"\d{5}(-\d{4})?", "CA": r"[A-Z]\d[A-Z] \d[A-Z]\d", "GB": r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}",
    "DE": r"\d{5}", "FR": r"\d{5}",
}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
CARD_METHODS = {"credit_card", "debit_card"}
POSITIVE = {"love", "excellent", "great", "recommend", "perfect", "superb", "fantastic", "impressed", "happy"}
NEGATIVE = {"disappointed", "broke", "waste", "poor", "avoid", "terrible", "returned", "faulty", "flimsy",
            "refund", "regret", "failed"}

Record = dict[str, Any]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def make(engine: Engine, entity: str, count: int = 300, seed: int = 11, **kwargs: Any) -> list[Record]:
    result = engine.generate(GenerationRequest.checked(entity, count, seed=seed, **kwargs))
    assert result.metadata.violations == [], result.metadata.violations[:3]
    assert result.metadata.coherence == 1.0
    return result.records


def cents(value: float) -> float:
    return round(value, 2)


def fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_text.lower())


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def assert_ordered(*stamps: str | None) -> None:
    present = [s for s in stamps if s is not None]
    assert all(ISO.match(s) for s in present), present
    assert present == sorted(present), present


def test_cart_totals_add_up(engine: Engine) -> None:
    carts = make(engine, "cart")
    for cart in carts:
        assert 1 <= len(cart["items"]) <= 8
        expected = cents(sum(i["quantity"] * i["unit_price"] for i in cart["items"]))
        assert abs(cart["subtotal"] - expected) <= 0.011 * len(cart["items"])
        assert 0 <= cart["tax"] <= cents(cart["subtotal"] * 0.25) + 0.01
        assert abs(cart["total"] - (cart["subtotal"] + cart["tax"])) <= 0.011
        assert cart["currency"] in {"USD", "EUR", "GBP", "CAD", "JPY", "BRL", "AUD", "INR"}
        assert_ordered(cart["created_at"], cart["updated_at"])
        for item in cart["items"]:
            assert re.fullmatch(r"[A-Z]{3}-\d{5}", item["sku"])
            # unit_price is a product's price (schemas/product.json), which datasets copy into the item
            assert 1 <= item["quantity"] <= 10 and 0.5 <= item["unit_price"] <= 9999.99
    # Realistic spread, not one fixed shape.
    assert len({len(c["items"]) for c in carts}) >= 4
    assert len({c["currency"] for c in carts}) >= 3


def test_order_totals_payment_status_and_addresses_agree(engine: Engine) -> None:
    orders = make(engine, "order")
    for order in orders:
        totals = order["totals"]
        for item in order["items"]:
            assert abs(item["line_total"] - cents(item["quantity"] * item["unit_price"])) <= 0.011
        assert abs(totals["subtotal"] - cents(sum(i["line_total"] for i in order["items"]))) <= 0.011 * len(
            order["items"])
        expected = totals["subtotal"] + totals["tax"] + totals["shipping"] - totals["discount"]
        assert abs(totals["total"] - expected) <= 0.04
        assert totals["discount"] <= totals["subtotal"] * 0.3 + 0.01
        assert order["payment"]["amount"] == totals["total"]
        method, last_four = order["payment"]["method"], order["payment"]["card_last_four"]
        if method in CARD_METHODS:
            assert re.fullmatch(r"\d{4}", last_four)
        else:
            assert last_four is None
        status = order["status"]
        assert (order["paid_at"] is not None) == (status in {"paid", "processing", "shipped", "delivered",
                                                             "refunded"})
        assert (order["shipped_at"] is not None) == (status in {"shipped", "delivered"})
        assert (order["delivered_at"] is not None) == (status == "delivered")
        assert_ordered(order["created_at"], order["paid_at"], order["shipped_at"], order["delivered_at"],
                       order["updated_at"])
        ship, bill = order["shipping_address"], order["billing_address"]
        assert ship["country"] == bill["country"]
        assert re.fullmatch(POSTAL[ship["country"]], ship["postal_code"])
    assert {o["status"] for o in orders} >= {"pending", "paid", "shipped", "delivered"}


def test_payment_card_last_four_only_for_cards(engine: Engine) -> None:
    payments = make(engine, "payment")
    for payment in payments:
        if payment["method"] in CARD_METHODS:
            assert re.fullmatch(r"\d{4}", payment["card_last_four"])
        else:
            assert payment["card_last_four"] is None
        assert 0.01 <= payment["amount"] <= 50000
        assert_ordered(payment["created_at"], payment["updated_at"])
    methods = {p["method"] for p in payments}
    assert methods & CARD_METHODS and methods - CARD_METHODS


def test_product_in_stock_iff_stock(engine: Engine) -> None:
    products = make(engine, "product")
    for product in products:
        assert product["in_stock"] is (product["stock_quantity"] > 0)
        assert product["category"] in {"electronics", "books", "clothing", "home", "toys", "sports", "beauty",
                                       "grocery"}
        assert product["description"].startswith(product["name"])
        assert_ordered(product["created_at"], product["updated_at"])
    assert {p["in_stock"] for p in products} == {True, False}


def test_review_text_agrees_with_the_rating(engine: Engine) -> None:
    reviews = make(engine, "review")
    for review in reviews:
        text = words(review["title"] + " " + review["body"])
        if review["rating"] >= 4:
            assert text & POSITIVE and not text & NEGATIVE, review
        elif review["rating"] <= 2:
            assert text & NEGATIVE and not text & POSITIVE, review
        assert_ordered(review["created_at"], review["updated_at"])
    assert {r["rating"] for r in reviews} == {1, 2, 3, 4, 5}


def test_user_email_phone_and_postal_codes_follow_name_and_country(engine: Engine) -> None:
    users = make(engine, "user")
    for user in users:
        local = fold(user["email"].split("@")[0])
        assert fold(user["last_name"]) in local and local.startswith(fold(user["first_name"])[0])
        countries = {a["country"] for a in user["addresses"]}
        assert len(countries) == 1
        (country,) = countries
        assert user["phone"].startswith(CALLING_CODES[country])
        for address in user["addresses"]:
            assert re.fullmatch(POSTAL[country], address["postal_code"]), address
        assert_ordered(user["created_at"], user["updated_at"])
    assert {next(iter({a["country"] for a in u["addresses"]})) for u in users} == set(CALLING_CODES)


# Our own reading of what a shopper expects; deliberately not imported from the generator's vocabulary.
CATEGORY_WORDS = {
    "electronics": ("Earbuds", "Charger", "Speaker", "Watch", "Monitor", "Keyboard", "Headphones", "SSD",
                    "Webcam", "Power Bank"),
    "grocery": ("Olive Oil", "Coffee", "Tea", "Chocolate", "Maple Syrup", "Trail Mix"),
    "books": ("Cookbook", "Novel", "Guide", "Journal", "Poetry", "History", "Handbook", "Atlas"),
}


def test_product_name_and_price_follow_the_category(engine: Engine) -> None:
    products = make(engine, "product", 400)
    for product in products:
        words_of_category = CATEGORY_WORDS.get(product["category"])
        if words_of_category:
            assert any(w in product["name"] for w in words_of_category), product
    grocery = [p["price"] for p in products if p["category"] == "grocery"]
    electronics = [p["price"] for p in products if p["category"] == "electronics"]
    assert grocery and electronics
    assert max(grocery) <= 40.99 and min(electronics) >= 12.0
    assert sorted(grocery)[len(grocery) // 2] < sorted(electronics)[len(electronics) // 2]


def test_cart_items_are_products_of_several_categories(engine: Engine) -> None:
    carts = [c for c in make(engine, "cart", 200) if len(c["items"]) >= 4]
    mixed = 0
    for cart in carts:
        found = {cat for item in cart["items"] for cat, ws in CATEGORY_WORDS.items()
                 if any(w in item["name"] for w in ws)}
        mixed += len(found) > 1
    assert carts and mixed > len(carts) // 4, "line items of one cart should not all share one category"


def test_email_domains_are_reserved_unless_real_ones_are_asked_for(engine: Engine) -> None:
    reserved = ("@example.com", "@example.org", "@example.net", ".example")
    users = make(engine, "user", 200)
    assert all(u["email"].endswith(reserved) for u in users), [u["email"] for u in users][:5]
    for locale, tlds in (("de_DE", (".de", "gmail.com")), ("fr_FR", (".fr", "gmail.com", "laposte.net"))):
        users = make(engine, "user", 60, locale=locale, options={"email_domains": "real"})
        assert all(u["email"].endswith(tlds) for u in users), [u["email"] for u in users][:5]
        assert any(not u["email"].endswith("gmail.com") for u in users)


def test_an_unknown_email_domains_option_names_the_choices(engine: Engine) -> None:
    expected = r"email_domains: 'corporate' is not a choice\. Allowed: reserved, real"
    with pytest.raises(TestdataUsageError, match=expected):
        make(engine, "user", 1, options={"email_domains": "corporate"})


@pytest.mark.parametrize(("locale", "country"), [("en_GB", "GB"), ("de_DE", "DE"), ("fr_FR", "FR"),
                                                  ("en_CA", "CA"), ("en_US", "US")])
def test_locale_fixes_the_country(engine: Engine, locale: str, country: str) -> None:
    for user in make(engine, "user", 50, locale=locale):
        assert {a["country"] for a in user["addresses"]} == {country}
        assert user["phone"].startswith(CALLING_CODES[country])


def test_records_are_json_compatible_and_complete(engine: Engine) -> None:
    import json

    for entity in engine.registry.names():
        schema = engine.registry.get(entity)
        for record in make(engine, entity, 20):
            assert json.loads(json.dumps(record)) == record
            assert set(record) == set(schema.fields)


Check = Callable[[Record], bool]
CONSTRAINT_CASES: list[tuple[str, dict[str, Any], Check]] = [
    ("cart", {"total": {"max": 500}}, lambda r: r["total"] <= 500),
    ("cart", {"total": {"min": 2000}}, lambda r: r["total"] >= 2000),
    ("cart", {"total": {"min": 100, "max": 120}}, lambda r: 100 <= r["total"] <= 120),
    ("cart", {"currency": {"enum": ["EUR"]}}, lambda r: r["currency"] == "EUR"),
    ("cart", {"items": {"length": 2}}, lambda r: len(r["items"]) == 2),
    ("cart", {"items.quantity": {"max": 1}}, lambda r: all(i["quantity"] == 1 for i in r["items"])),
    ("order", {"totals.total": {"max": 200}}, lambda r: r["totals"]["total"] <= 200),
    ("order", {"status": {"enum": ["delivered"]}}, lambda r: r["delivered_at"] is not None),
    ("payment", {"amount": {"min": 5, "max": 6}}, lambda r: 5 <= r["amount"] <= 6),
    ("payment", {"method": {"enum": ["paypal"]}}, lambda r: r["card_last_four"] is None),
    ("product", {"price": {"min": 10, "max": 20}}, lambda r: 10 <= r["price"] <= 20),
    ("product", {"stock_quantity": {"max": 0}}, lambda r: r["in_stock"] is False),
    ("product", {"name": {"max_length": 12}}, lambda r: len(r["name"]) <= 12),
    ("product", {"sku": {"regex": r"^ZZ[A-Z]-\d{5}$"}}, lambda r: r["sku"].startswith("ZZ")),
    ("review", {"rating": {"enum": [1]}}, lambda r: r["rating"] == 1 and bool(words(r["body"]) & NEGATIVE)),
    ("review", {"body": {"min_length": 300}}, lambda r: len(r["body"]) >= 300),
    ("user", {"loyalty_tier": {"enum": ["gold", "platinum"]}}, lambda r: r["loyalty_tier"] in {"gold",
                                                                                               "platinum"}),
    ("user", {"email": {"regex": r"@example\.[a-z.]+$"}}, lambda r: "@example." in r["email"]),
    ("user", {"first_name": {"regex": "^A"}}, lambda r: r["first_name"].startswith("A")
     and len(r["first_name"]) > 2),  # a real name starting with A, not the regex's bare minimum
    ("user", {"addresses.country": {"enum": ["DE"]}}, lambda r: r["phone"].startswith("+49 ")),
]


@pytest.mark.parametrize(("entity", "constraints", "check"), CONSTRAINT_CASES,
                         ids=[f"{e}-{next(iter(c))}-{'-'.join(map(str, next(iter(c.values()))))}"
                              for e, c, _ in CONSTRAINT_CASES])
def test_constraints_are_honoured(engine: Engine, entity: str, constraints: dict[str, Any],
                                  check: Check) -> None:
    records = make(engine, entity, 40, constraints=constraints)
    failing = [r for r in records if not check(r)]
    assert failing == []


@pytest.mark.parametrize(("entity", "field", "low", "high"), [
    ("cart", "total", 100, 120), ("cart", "total", 500, 510), ("cart", "total", 10, 12),
    ("cart", "total", None, 20), ("cart", "total", 2000, None), ("order", "totals.total", 100, 120)])
def test_a_narrow_range_on_a_total_is_met_for_every_seed(engine: Engine, entity: str, field: str,
                                                        low: float | None, high: float | None) -> None:
    # A total is derived from its items: the generator rescales the items' prices (fit.py) rather than
    # hoping for a lucky draw. Before, a scale below 1 also cut the items to one and the total jumped
    # past the range: 100 to 120 failed for about one cart in twenty, strict mode raising on it.
    bound = {k: v for k, v in (("min", low), ("max", high)) if v is not None}
    outer, inner = field.partition(".")[::2]
    for seed in range(60):
        result = engine.generate(GenerationRequest.checked(entity, 5, seed=seed, constraints={field: bound}))
        assert result.metadata.violations == []  # the items still add up to the total: met, not forced
        for record in result.records:
            value = record[outer][inner] if inner else record[outer]
            assert (low is None or value >= low) and (high is None or value <= high), (seed, value)


def test_unmet_constraints_are_reported_never_hidden(engine: Engine) -> None:
    # A minimum length of 119 on names whose drawer pads to the length it must meet passes; a regex no
    # realistic value and no generator can meet alongside the schema's own pattern is reported instead.
    from pytest_testdata.errors import ConstraintViolationError

    with pytest.raises(ConstraintViolationError, match=r"product: 5 of 5 records .* record 0: sku: '[a-z]{2}' does "
                       r"not match '\^\[A-Z\]\{3\}-\[0-9\]\{5\}\$' \[regex\]"):
        engine.generate(GenerationRequest.checked("product", 5, seed=1, constraints={"sku": {"regex": "^[a-z]{2}$"}}))
    result = engine.generate(GenerationRequest.checked(
        "product", 5, seed=1, constraints={"sku": {"regex": "^[a-z]{2}$"}}, strict=False))
    assert not result.valid
    assert {v.rule for v in result.metadata.violations} == {"regex"}
    assert result.metadata.details["unmet_constraints"] == 5


@pytest.mark.parametrize(("entity", "field"), [("user", "email"), ("product", "sku"), ("user", "user_id"),
                                                ("order", "order_id")])
def test_unique_fields_are_unique_within_a_run(engine: Engine, entity: str, field: str) -> None:
    batch = make(engine, entity, 3000, seed=5)
    more = make(engine, entity, 3000, seed=6)
    values = [r[field] for r in batch + more]
    assert len(set(values)) == len(values)


def test_the_same_request_gives_the_same_records_in_one_process(engine: Engine) -> None:
    first = make(engine, "user", 200, seed=42)
    assert make(engine, "user", 200, seed=42) == first
    assert make(engine, "user", 200, seed=43) != first
