"""Checkout: generated carts whose totals add up drive the code that prices them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from shop import FREE_SHIPPING_OVER, SHIPPING_FEE, checkout_total, money

from pytest_testdata import factory_for


def test_checkout_charges_the_cart_total_plus_shipping(testdata: Any) -> None:
    # One coherent cart: subtotal = sum(quantity x unit_price), total = subtotal + tax.
    cart = testdata("cart")
    shipping = Decimal("0") if money(cart["subtotal"]) >= FREE_SHIPPING_OVER else SHIPPING_FEE
    assert checkout_total(cart) == money(cart["total"]) + shipping


def test_coupons_never_make_a_total_negative(testdata: Any) -> None:
    for cart in testdata("cart", count=25):
        assert checkout_total(cart, coupon_percent=100) >= 0


def test_small_carts_pay_shipping(testdata: Any) -> None:
    # Constraints on a derived field: the generator scales prices until the subtotal fits.
    carts = testdata("cart", count=10, constraints={"subtotal": {"max": 90}})
    assert all(checkout_total(c) == money(c["total"]) + SHIPPING_FEE for c in carts)
    # The full result says how the records were made and checked.
    meta = testdata.last.metadata
    assert meta.strategy == "traditional" and meta.violations == [] and meta.coherence == 1.0


@pytest.mark.testdata("cart", count=5, constraints={"total": {"max": 500}, "currency": {"enum": ["EUR"]}})
def test_marker_fills_the_argument_at_setup(cart: list[dict[str, Any]]) -> None:
    assert all(c["total"] <= 500 and c["currency"] == "EUR" for c in cart)


def test_factory_boy_factory_with_overrides() -> None:
    CartFactory = factory_for("cart")
    cart = CartFactory(items=[{"product_id": "9b2b6f0e-9d3a-4c55-8f1e-2d7c9a1b0c11", "sku": "KIT-00042",
                               "name": "Kite", "quantity": 4, "unit_price": 25.0}])
    assert cart["subtotal"] == 100.0  # derived fields follow the overridden items
    assert checkout_total(cart) == money(cart["total"])  # 100.00 ships free


def test_invalid_coupon_is_rejected(testdata: Any) -> None:
    with pytest.raises(ValueError, match=r"coupon_percent must be 0\.\.100"):
        checkout_total(testdata("cart"), coupon_percent=150)
