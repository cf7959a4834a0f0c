"""Writes pytest_testdata/store/seeds/*.json, the 35 curated patterns, from the compact specs below.

Run `python tools/build_seed_patterns.py` after editing a spec. Totals are computed here (cents, half-up)
so the realistic patterns are coherent by construction; each defect's `meta.breaks` lists the schema and
coherence rules the validator and scorer report for it, so a reader sees what the shape breaks on purpose.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from pytest_testdata.quality.coherence import scorer_for
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.schemas.registry import SchemaRegistry

OUT = Path(__file__).resolve().parent.parent / "pytest_testdata" / "store" / "seeds"
REGISTRY = SchemaRegistry()


def uid(*parts: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256("/".join(parts).encode()).digest()[:16], version=4))


def cents(value: Decimal | float | str) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def items(key: str, rows: list[tuple[str, str, int, str]], line_total: bool = False) -> list[dict[str, Any]]:
    out = []
    for sku, name, qty, price in rows:
        item: dict[str, Any] = {"product_id": uid(key, "product", sku), "sku": sku, "name": name,
                                "quantity": qty, "unit_price": float(price)}
        if line_total:
            item["line_total"] = cents(Decimal(price) * qty)
        out.append(item)
    return out


def subtotal(rows: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(str(i["unit_price"])) * i["quantity"] for i in rows), Decimal(0))


def cart(key: str, rows: list[tuple[str, str, int, str]], rate: str, currency: str, created: str,
         updated: str, **override: Any) -> dict[str, Any]:
    its = items(key, rows)
    sub = subtotal(its)
    tax = Decimal(str(cents(sub * Decimal(rate))))
    record = {"cart_id": uid(key, "cart"), "customer_id": uid(key, "customer"), "items": its,
              "subtotal": cents(sub), "tax": float(tax), "total": cents(sub + tax), "currency": currency,
              "created_at": created, "updated_at": updated}
    record.update(override)
    return record


def address(street: str, city: str, state: str, postal: str, country: str) -> dict[str, str]:
    return {"street": street, "city": city, "state": state, "postal_code": postal, "country": country}


def order(key: str, rows: list[tuple[str, str, int, str]], rate: str, shipping: str, discount: str,
          currency: str, ship: dict[str, str], bill: dict[str, str], method: str, last4: str | None,
          status: str, times: dict[str, str | None], **override: Any) -> dict[str, Any]:
    its = items(key, rows, line_total=True)
    sub = subtotal(its)
    tax = Decimal(str(cents(sub * Decimal(rate))))
    disc = Decimal(discount)
    total = cents(sub + tax + Decimal(shipping) - disc)
    record: dict[str, Any] = {
        "order_id": uid(key, "order"), "customer_id": uid(key, "customer"), "items": its,
        "shipping_address": ship, "billing_address": bill,
        "payment": {"method": method, "amount": total, "card_last_four": last4},
        "status": status,
        "totals": {"subtotal": cents(sub), "tax": float(tax), "shipping": float(shipping),
                   "discount": float(disc), "total": total, "currency": currency},
        "created_at": times["created_at"], "paid_at": times.get("paid_at"), "shipped_at": times.get("shipped_at"),
        "delivered_at": times.get("delivered_at"), "updated_at": times["updated_at"],
    }
    record.update(override)
    return record


def payment(key: str, method: str, amount: str, currency: str, status: str, last4: str | None, created: str,
            updated: str) -> dict[str, Any]:
    return {"payment_id": uid(key, "payment"), "order_id": uid(key, "order"), "method": method,
            "amount": float(amount), "currency": currency, "status": status, "card_last_four": last4,
            "created_at": created, "updated_at": updated}


def product(key: str, name: str, description: str, price: str, category: str, sku: str, stock: int, brand: str,
            created: str, updated: str, in_stock: bool | None = None) -> dict[str, Any]:
    return {"product_id": uid(key, "product"), "name": name, "description": description, "price": float(price),
            "category": category, "sku": sku, "in_stock": stock > 0 if in_stock is None else in_stock,
            "stock_quantity": stock, "brand": brand, "created_at": created, "updated_at": updated}


def review(key: str, rating: int, title: str, body: str, verified: bool, votes: int, created: str,
           updated: str) -> dict[str, Any]:
    return {"review_id": uid(key, "review"), "product_id": uid(key, "product"), "user_id": uid(key, "user"),
            "rating": rating, "title": title, "body": body, "verified_purchase": verified, "helpful_votes": votes,
            "created_at": created, "updated_at": updated}


def user(key: str, first: str, last: str, email: str, phone: str, addresses: list[dict[str, str]], tier: str,
         created: str, updated: str) -> dict[str, Any]:
    return {"user_id": uid(key, "user"), "email": email, "first_name": first, "last_name": last, "phone": phone,
            "addresses": addresses, "loyalty_tier": tier, "created_at": created, "updated_at": updated}


P: list[dict[str, Any]] = []


def add(key: str, entity: str, title: str, description: str, tags: list[str], record: dict[str, Any],
        defect: str | None = None, shift: str = "days") -> None:
    P.append({"key": key, "collection": "testdata_defects" if defect else "testdata_patterns", "entity": entity,
              "title": title, "description": description, "tags": tags, "defect": defect, "shift": shift,
              "meta": {"source": "curated"}, "record": record})


US1 = address("1847 Valencia Street", "San Francisco", "CA", "94110", "US")
US2 = address("402 W 43rd Street Apt 5B", "New York", "NY", "10036", "US")
GB1 = address("14 Cranbourn Street", "London", "Greater London", "WC2H 7AH", "GB")
DE1 = address("Torstraße 112", "Berlin", "Berlin", "10119", "DE")
FR1 = address("27 Rue des Martyrs", "Paris", "Île-de-France", "75009", "FR")
CA1 = address("355 Rue Sainte-Catherine O", "Montréal", "QC", "H3B 1A5", "CA")

# ---- carts: realistic ----
add("cart-holiday-electronics", "cart", "Holiday electronics gift cart",
    "December gift shopping: noise-cancelling headphones, two smart speakers and USB-C cables, US sales tax.",
    ["holiday", "christmas", "gifts", "electronics", "december", "us"],
    cart("cart-holiday-electronics", [("AUD-20417", "Noise-Cancelling Wireless Headphones", 1, "199.99"),
                                      ("SPK-31008", "Smart Speaker Mini", 2, "49.99"),
                                      ("CBL-00512", "USB-C Cable 2-Pack", 3, "12.99")],
         "0.0825", "USD", "2025-12-14T18:22:05Z", "2025-12-14T18:41:37Z"))
add("cart-back-to-school-books", "cart", "Back-to-school books and stationery",
    "UK back-to-school cart: a revision guide, notebooks and a geometry set; books are zero-rated for VAT.",
    ["school", "books", "stationery", "september", "uk", "zero tax"],
    cart("cart-back-to-school-books", [("BKS-11820", "GCSE Maths Revision Guide", 1, "7.99"),
                                       ("STN-40215", "A4 Lined Notebook 5-Pack", 2, "6.49"),
                                       ("STN-40388", "Geometry Set with Compass", 1, "4.25")],
         "0", "GBP", "2025-08-28T07:55:12Z", "2025-08-28T08:03:40Z"))
add("cart-weekly-grocery-restock", "cart", "Weekly grocery restock",
    "Canadian weekly grocery cart with pantry staples in several quantities, 5% GST.",
    ["grocery", "weekly", "pantry", "canada", "repeat customer"],
    cart("cart-weekly-grocery-restock", [("GRC-50021", "Organic Rolled Oats 1 kg", 2, "5.79"),
                                         ("GRC-50377", "Maple Syrup Grade A 500 ml", 1, "11.49"),
                                         ("GRC-51102", "Free-Range Eggs, Dozen", 3, "4.99"),
                                         ("GRC-52240", "Basmati Rice 2 kg", 1, "8.99")],
         "0.05", "CAD", "2025-10-05T15:10:44Z", "2025-10-06T09:02:19Z"))

# ---- carts: defects ----
add("defect-cart-zero-quantity", "cart", "Cart line with quantity zero",
    "A line item left at quantity 0 after the shopper decremented it; totals code that divides by quantity "
    "or shows per-unit prices breaks, and the line should have been removed.",
    ["zero quantity", "boundary", "decrement", "edge"],
    cart("defect-cart-zero-quantity", [("AUD-20417", "Noise-Cancelling Wireless Headphones", 0, "199.99"),
                                       ("CBL-00512", "USB-C Cable 2-Pack", 1, "12.99")],
         "0.0825", "USD", "2025-11-28T10:00:00Z", "2025-11-28T10:04:31Z"), defect="zero_quantity")
add("defect-cart-huge-quantity", "cart", "Cart with a huge quantity",
    "A quantity of 10,000 typed by mistake (or a bot): overflows stock checks, 32-bit cent totals and "
    "shipping-weight calculations.",
    ["huge quantity", "overflow", "boundary", "bulk", "edge"],
    cart("defect-cart-huge-quantity", [("GRC-50021", "Organic Rolled Oats 1 kg", 10000, "5.79")],
         "0.05", "CAD", "2025-10-07T03:12:09Z", "2025-10-07T03:12:30Z"), defect="huge_quantity")
add("defect-cart-empty", "cart", "Empty cart at checkout",
    "A cart whose last item was removed in another tab: items is an empty list and every total is 0.00; "
    "checkout must refuse it rather than create a zero-value order.",
    ["empty cart", "empty list", "checkout", "edge"],
    {"cart_id": uid("defect-cart-empty", "cart"), "customer_id": uid("defect-cart-empty", "customer"),
     "items": [], "subtotal": 0.0, "tax": 0.0, "total": 0.0, "currency": "EUR",
     "created_at": "2025-09-12T21:40:00Z", "updated_at": "2025-09-12T21:47:13Z"}, defect="empty_cart")
add("defect-cart-duplicate-skus", "cart", "Same SKU on two cart lines",
    "The same SKU added twice as separate lines (a double click racing the add-to-cart call); stock "
    "reservation and line merging must treat them as one product.",
    ["duplicate sku", "race", "double click", "merge lines"],
    cart("defect-cart-duplicate-skus", [("SPK-31008", "Smart Speaker Mini", 1, "49.99"),
                                        ("SPK-31008", "Smart Speaker Mini", 1, "49.99"),
                                        ("CBL-00512", "USB-C Cable 2-Pack", 1, "12.99")],
         "0.0825", "USD", "2025-11-29T00:00:03Z", "2025-11-29T00:00:04Z"), defect="duplicate_skus")
add("defect-cart-rounding-half-cent", "cart", "Tax that lands on half a cent",
    "Prices chosen so that tax is exactly x.xx5: 3 x 0.55 = 1.65 at 10% tax is 0.165. Half-up, banker's "
    "rounding and float arithmetic disagree by a cent.",
    ["rounding", "half cent", "tax", "float", "banker's rounding", "edge"],
    cart("defect-cart-rounding-half-cent", [("STN-40001", "Pencil Eraser", 3, "0.55")],
         "0.10", "GBP", "2025-06-30T23:59:59Z", "2025-07-01T00:00:01Z"),
    defect="rounding_half_cent")

# ---- orders: realistic ----
add("order-delivered-electronics", "order", "Delivered electronics order paid by card",
    "A US order for a laptop sleeve and a wireless mouse, paid by credit card, shipped and delivered two "
    "days later; state sales tax and flat shipping.",
    ["delivered", "electronics", "credit card", "us", "completed lifecycle"],
    order("order-delivered-electronics", [("ACC-70214", "Neoprene Laptop Sleeve 14-inch", 1, "24.99"),
                                          ("ACC-70551", "Wireless Ergonomic Mouse", 1, "39.99")],
          "0.0725", "5.99", "0", "USD", US1, US1, "credit_card", "4242", "delivered",
          {"created_at": "2025-10-20T14:03:11Z", "paid_at": "2025-10-20T14:03:15Z",
           "shipped_at": "2025-10-21T09:30:00Z", "delivered_at": "2025-10-23T16:45:52Z",
           "updated_at": "2025-10-23T16:45:52Z"}))
add("order-refunded-clothing", "order", "Refunded clothing order paid with PayPal",
    "A UK clothing order paid through PayPal and refunded before dispatch (wrong size chosen); no card "
    "digits because PayPal is not a card method, and a 10% first-order discount.",
    ["refunded", "clothing", "paypal", "uk", "discount", "return"],
    order("order-refunded-clothing", [("CLO-22018", "Merino Crew-Neck Jumper", 1, "65.00"),
                                      ("CLO-22307", "Organic Cotton T-Shirt", 2, "18.00")],
          "0.20", "3.95", "10.10", "GBP", GB1, GB1, "paypal", None, "refunded",
          {"created_at": "2025-11-02T19:20:44Z", "paid_at": "2025-11-02T19:21:02Z",
           "updated_at": "2025-11-03T08:15:27Z"}))
add("order-pending-bank-transfer", "order", "Order waiting for a bank transfer",
    "A German order for kitchenware awaiting payment by bank transfer (SEPA); nothing paid or shipped yet.",
    ["pending", "bank transfer", "sepa", "germany", "home", "unpaid"],
    order("order-pending-bank-transfer", [("HOM-61120", "Cast Iron Dutch Oven 5 l", 1, "89.90"),
                                          ("HOM-61342", "Chef's Knife 20 cm", 1, "54.50")],
          "0.19", "4.90", "0", "EUR", DE1, DE1, "bank_transfer", None, "pending",
          {"created_at": "2025-09-15T08:42:10Z", "updated_at": "2025-09-15T08:42:10Z"}))

# ---- orders: defects ----
add("defect-order-currency-mismatch", "order", "Order total in GBP for a US shopper",
    "Totals in GBP while both addresses are in the US and the card is a US card: currency conversion, tax "
    "jurisdiction and the payment amount's currency disagree.",
    ["currency mismatch", "multi-currency", "conversion", "cross-border", "edge"],
    order("defect-order-currency-mismatch", [("ACC-70551", "Wireless Ergonomic Mouse", 2, "39.99")],
          "0.0725", "5.99", "0", "GBP", US2, US2, "credit_card", "1881", "paid",
          {"created_at": "2025-07-04T12:00:00Z", "paid_at": "2025-07-04T12:00:09Z",
           "updated_at": "2025-07-04T12:00:09Z"}), defect="currency_mismatch")
add("defect-order-leap-day", "order", "Order placed at the last second of Feb 29",
    "Created 23:59:59 on a leap day and shipped the next day: date arithmetic that adds a year, counts "
    "'days in February' or builds 'same day next year' fails on it.",
    ["leap day", "leap year", "february 29", "date arithmetic", "edge"],
    order("defect-order-leap-day", [("BKS-11820", "Perpetual Calendar Desk Block", 1, "29.00")],
          "0.0725", "4.50", "0", "USD", US1, US1, "debit_card", "0071", "shipped",
          {"created_at": "2024-02-29T23:59:59Z", "paid_at": "2024-02-29T23:59:59Z",
           "shipped_at": "2024-03-01T10:15:00Z", "updated_at": "2024-03-01T10:15:00Z"}),
    defect="leap_day_timestamp", shift="years")
add("defect-order-dst-fallback", "order", "Order updated in the repeated DST hour",
    "US daylight-saving fall-back: created 01:30 EDT, updated 01:10 EST the same night (40 minutes later "
    "as an instant, 20 minutes earlier on the wall clock). Sorting by local time or comparing strings "
    "puts the update before the creation.",
    ["time zone", "dst", "daylight saving", "offset", "ordering", "edge"],
    order("defect-order-dst-fallback", [("SPK-31008", "Smart Speaker Mini", 1, "49.99")],
          "0.0725", "5.99", "0", "USD", US2, US2, "credit_card", "5100", "paid",
          {"created_at": "2025-11-02T01:30:00-04:00", "paid_at": "2025-11-02T01:31:12-04:00",
           "updated_at": "2025-11-02T01:10:00-05:00"}), defect="timezone_edge", shift="none")

# ---- payments: realistic ----
add("payment-captured-credit-card", "payment", "Captured credit card payment",
    "A US credit card payment authorised and captured a few seconds later.",
    ["captured", "credit card", "usd", "successful"],
    payment("payment-captured-credit-card", "credit_card", "87.43", "USD", "captured", "4242",
            "2025-10-20T14:03:15Z", "2025-10-20T14:03:21Z"))
add("payment-apple-pay-authorized", "payment", "Apple Pay payment authorised, not yet captured",
    "A French Apple Pay payment authorised at checkout and waiting for capture at dispatch; wallet payments "
    "carry no card digits.",
    ["authorized", "apple pay", "wallet", "eur", "france"],
    payment("payment-apple-pay-authorized", "apple_pay", "142.80", "EUR", "authorized", None,
            "2025-11-18T10:22:40Z", "2025-11-18T10:22:41Z"))
add("payment-refunded-debit-card", "payment", "Refunded debit card payment",
    "A UK debit card payment captured and later refunded after a return.",
    ["refunded", "debit card", "gbp", "return"],
    payment("payment-refunded-debit-card", "debit_card", "59.95", "GBP", "refunded", "8815",
            "2025-09-03T16:05:00Z", "2025-09-12T11:30:09Z"))

# ---- payments: defects ----
add("defect-payment-expired-card", "payment", "Card declined as expired at the month boundary",
    "A card that expired at the end of June charged at 00:00:05 UTC on July 1: the gateway declines it "
    "while a local-time expiry check (UTC-7) still thinks it is June 30.",
    ["expired card", "declined", "month boundary", "expiry", "edge"],
    payment("defect-payment-expired-card", "credit_card", "42.00", "USD", "failed", "0341",
            "2025-07-01T00:00:05Z", "2025-07-01T00:00:06Z"), defect="expired_card", shift="years")
add("defect-payment-minimum-amount", "payment", "One-cent payment",
    "A payment of 0.01, the smallest amount: below most gateways' minimum charge and a divide-by-small "
    "trap for fee percentages.",
    ["minimum amount", "one cent", "boundary", "fees", "edge"],
    payment("defect-payment-minimum-amount", "debit_card", "0.01", "EUR", "captured", "7702",
            "2025-05-05T05:05:05Z", "2025-05-05T05:05:07Z"), defect="minimum_amount")
add("defect-payment-card-without-digits", "payment", "Card payment with no card digits",
    "A credit card payment whose card_last_four is null (a tokenised wallet card mislabelled as a plain "
    "card): receipts and fraud checks that expect four digits crash.",
    ["missing card digits", "null", "tokenised card", "receipt"],
    payment("defect-payment-card-without-digits", "credit_card", "19.99", "CAD", "captured", None,
            "2025-08-08T18:00:00Z", "2025-08-08T18:00:02Z"), defect="card_method_without_last_four")

# ---- products: realistic ----
add("product-wireless-headphones", "product", "Wireless headphones in stock",
    "A mid-range electronics product with healthy stock.",
    ["electronics", "audio", "in stock", "bestseller"],
    product("product-wireless-headphones", "Noise-Cancelling Wireless Headphones",
            "Over-ear Bluetooth headphones with active noise cancelling, 30-hour battery and a fold-flat case.",
            "199.99", "electronics", "AUD-20417", 342, "Sonora Audio", "2024-03-11T09:00:00Z",
            "2025-11-30T22:14:05Z"))
add("product-hardcover-cookbook", "product", "Hardcover cookbook, low stock",
    "A book with only a few copies left.",
    ["books", "cookbook", "low stock", "gift"],
    product("product-hardcover-cookbook", "The Weeknight Kitchen (Hardcover)",
            "One hundred dinners in under thirty minutes, with seasonal menus and a pantry guide.",
            "28.50", "books", "BKS-30991", 4, "Harbour Press", "2023-09-01T00:00:00Z", "2025-12-01T07:45:12Z"))
add("product-yoga-mat-sold-out", "product", "Yoga mat sold out",
    "A sports product that sold out: in_stock false and stock 0.",
    ["sports", "sold out", "out of stock", "fitness"],
    product("product-yoga-mat-sold-out", "Natural Rubber Yoga Mat 6 mm",
            "Non-slip natural rubber mat with alignment lines, 183 x 68 cm, carrying strap included.",
            "64.00", "sports", "SPT-44120", 0, "Asana Works", "2024-06-20T12:00:00Z", "2025-12-02T18:20:00Z"))

# ---- products: defects ----
add("defect-product-unicode-name", "product", "Product name with emoji, RTL text and combining marks",
    "A name mixing an emoji with a skin-tone modifier, Arabic (right-to-left) text and a combining accent: "
    "byte-length limits, slugs, PDF invoices and case folding mangle it.",
    ["unicode", "emoji", "rtl", "arabic", "combining characters", "encoding", "edge"],
    product("defect-product-unicode-name", "Café Crème 👍🏽 Mug — كوب قهوة",
            "Stoneware mug, 350 ml; the name is deliberately full of multi-byte and right-to-left characters.",
            "14.90", "home", "HOM-70007", 25, "Ça Va Céramique", "2025-01-15T10:00:00Z", "2025-01-15T10:00:00Z"),
    defect="unicode_name")
add("defect-product-very-long-name", "product", "Product name at the 120-character limit",
    "A name exactly 120 characters long (the schema's maximum): truncation in emails, table columns and "
    "search indexes shows up here.",
    ["very long name", "max length", "truncation", "boundary", "edge"],
    product("defect-product-very-long-name", ("Professional Heavy-Duty Stainless Steel Adjustable Kitchen "
                                              "Shelf Organizer Rack With Removable Hooks And Non-Slip Feet XL")[:120]
            .ljust(120, "X"),
            "A shelf rack whose name fills the whole field; used to test truncation and wrapping.",
            "49.99", "home", "HOM-70120", 12, "Kitchenly", "2025-02-02T02:02:02Z", "2025-02-03T03:03:03Z"),
    defect="very_long_name")
add("defect-product-stock-flag-mismatch", "product", "In stock flag true with zero stock",
    "in_stock says true while stock_quantity is 0 (a cache that missed the last sale): the storefront "
    "sells an item the warehouse cannot ship.",
    ["stock mismatch", "stale cache", "oversell", "inventory"],
    product("defect-product-stock-flag-mismatch", "Trail Running Shoes",
            "Lightweight trail shoes with a rock plate and a 6 mm drop.", "119.00", "sports", "SPT-45502", 0,
            "Ridgeline", "2024-04-04T04:04:04Z", "2025-12-03T12:00:00Z", in_stock=True),
    defect="stock_flag_mismatch")

# ---- reviews: realistic ----
add("review-five-star-verified", "review", "Five-star verified review",
    "An enthusiastic verified-purchase review of headphones with many helpful votes.",
    ["positive", "five stars", "verified", "electronics", "helpful"],
    review("review-five-star-verified", 5, "Excellent sound, great battery",
           "I love these headphones: the noise cancelling is excellent on the train and the battery lasts all "
           "week. Comfortable enough for long flights. Would recommend.", True, 128,
           "2025-11-05T20:11:00Z", "2025-11-05T20:11:00Z"))
add("review-two-star-broken", "review", "Two-star review: product broke",
    "A disappointed verified review: the item broke within weeks and the buyer asked for a refund.",
    ["negative", "two stars", "broke", "refund", "quality"],
    review("review-two-star-broken", 2, "Broke after three weeks",
           "Disappointed. The hinge broke after three weeks of light use and the replacement part is not sold "
           "separately. Asked for a refund.", True, 17, "2025-10-01T08:30:00Z", "2025-10-02T09:00:00Z"))
add("review-four-star-unverified", "review", "Four-star unverified review",
    "A positive but measured review from someone who did not buy on the site.",
    ["positive", "four stars", "unverified", "books"],
    review("review-four-star-unverified", 4, "Solid weeknight recipes",
           "Solid, reliable recipes that are easy to follow on a busy evening. A few need ingredients that are "
           "hard to find, but most are great.", False, 3, "2025-12-01T19:45:00Z", "2025-12-01T19:45:00Z"))

# ---- reviews: defects ----
add("defect-review-unicode-body", "review", "Review with emoji, CJK and a zero-width joiner",
    "A positive review whose title and body mix emoji sequences (ZWJ family emoji), Japanese and a "
    "right-to-left mark: sanitisers, length counters and sentiment tokenisers choke on it.",
    ["unicode", "emoji", "zwj", "cjk", "japanese", "encoding", "edge"],
    review("defect-review-unicode-body", 5, "Great 👨‍👩‍👧‍👦 gift ‏!!",
           "Perfect family present 🎁 — 素晴らしい品質です。 Love it, would recommend 💯. "
           "\u200fمنتج رائع\u200f", True, 2, "2025-12-24T23:58:00Z", "2025-12-25T00:01:00Z"),
    defect="unicode_text")

add("defect-review-sarcastic-one-star", "review", "Sarcastic one-star review full of positive words",
    "A one-star review written sarcastically ('Great. Just perfect.'): keyword sentiment scores it positive, "
    "so moderation queues and rating/sentiment consistency checks misfire.",
    ["sarcasm", "one star", "sentiment mismatch", "moderation", "edge"],
    review("defect-review-sarcastic-one-star", 1, "Great. Just perfect.",
           "Amazing how the box arrived on time and the mug inside was in three pieces. Fantastic packaging, "
           "perfect experience, love waiting two weeks for support.", True, 41,
           "2025-01-02T09:00:00Z", "2025-01-02T09:00:00Z"), defect="sentiment_mismatch")

# ---- users: realistic ----
add("user-us-gold-two-addresses", "user", "US gold-tier customer with two addresses",
    "A long-standing US customer with home and work addresses in the same country.",
    ["us", "gold", "loyal", "two addresses", "repeat customer"],
    user("user-us-gold-two-addresses", "Dana", "Whitfield", "dana.whitfield@example.com", "+1 415-555-0142",
         [US1, US2], "gold", "2021-04-18T16:20:00Z", "2025-11-30T09:12:44Z"))
add("user-gb-new-bronze", "user", "New UK bronze-tier customer",
    "A customer who signed up this week in the UK.",
    ["uk", "new customer", "bronze", "sign up"],
    user("user-gb-new-bronze", "Priya", "Raman", "priya.raman@example.co.uk", "+44 20 7946 0321", [GB1],
         "bronze", "2025-12-01T11:02:33Z", "2025-12-01T11:02:33Z"))
add("user-fr-platinum", "user", "French platinum customer",
    "A French platinum-tier customer with an accented name and a Paris address.",
    ["france", "platinum", "accents", "vip"],
    user("user-fr-platinum", "Hélène", "Marchand", "helene.marchand@example.fr", "+33 1 70 36 42 18", [FR1],
         "platinum", "2019-02-11T08:00:00Z", "2025-10-14T17:35:02Z"))

# ---- users: defects ----
add("defect-user-unicode-long-name", "user", "User with an apostrophe, diacritics and a 60-character surname",
    "A Québec customer named Zoë Ó Súilleabháin-D'Arcy with a hyphenated, apostrophised surname at the "
    "60-character limit: escaping, email derivation, name splitting and column widths break.",
    ["unicode", "apostrophe", "diacritics", "hyphen", "very long name", "canada", "edge"],
    user("defect-user-unicode-long-name", "Zoë",
         "Ó Súilleabháin-D'Arcy de la Fontaine-Beauchemin-Villeneuve"[:60].ljust(60, "e"),
         "zoe.osuilleabhain-darcy@example.ca", "+1 514-555-0199", [CA1], "silver",
         "2024-02-29T12:00:00Z", "2025-03-31T23:59:59Z"),
    defect="unicode_long_name")


def breaks(entry: dict[str, Any]) -> list[str]:
    schema = REGISTRY.get(entry["entity"])
    found = {f"{v.field}: {v.rule}" for v in validator_for(schema, {}).validate([entry["record"]])}
    found |= {f"coherence: {r}" for r in scorer_for(schema).failed_rules(entry["record"])}
    return sorted(found)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    assert len(P) == 35, len(P)
    for entry in P:
        broken = breaks(entry)
        if entry["defect"] is None:
            assert not broken, (entry["key"], broken)
        else:
            entry["meta"]["breaks"] = broken
    for entity in sorted({e["entity"] for e in P}):
        rows = [e for e in P if e["entity"] == entity]
        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
        (OUT / f"{entity}.json").write_text(text, encoding="utf-8")
        print(f"{entity}: {len(rows)} patterns ({sum(1 for e in rows if e['defect'])} defects)")


if __name__ == "__main__":
    main()
