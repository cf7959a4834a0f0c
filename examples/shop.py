"""A tiny shop: the code the example tests exercise with generated data.

Nothing here knows about pytest-testdata; it stands for your application.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

FREE_SHIPPING_OVER = Decimal("100.00")
SHIPPING_FEE = Decimal("4.99")


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def checkout_total(cart: dict[str, Any], coupon_percent: int = 0) -> Decimal:
    """What the customer pays: the cart total, minus a coupon on the subtotal, plus shipping."""
    if not 0 <= coupon_percent <= 100:
        raise ValueError(f"coupon_percent must be 0..100, got {coupon_percent}")
    subtotal = sum((money(i["unit_price"]) * i["quantity"] for i in cart["items"]), Decimal("0"))
    discount = money(subtotal * coupon_percent / 100)
    shipping = Decimal("0") if subtotal >= FREE_SHIPPING_OVER else SHIPPING_FEE
    return money(subtotal - discount + money(cart["tax"]) + shipping)


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str = Field(min_length=3, max_length=120)
    city: str = Field(min_length=1, max_length=80)
    state: str = Field(min_length=1, max_length=80)
    postal_code: str = Field(min_length=3, max_length=10)
    country: Literal["US", "GB", "DE", "FR", "CA"]


class Signup(BaseModel):
    """The sign-up payload the shop's API accepts."""

    model_config = ConfigDict(extra="forbid")

    user_id: UUID
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    first_name: str = Field(min_length=1, max_length=60)
    last_name: str = Field(min_length=1, max_length=60)
    phone: str = Field(pattern=r"^\+[0-9][0-9 -]{6,18}[0-9]$")
    addresses: list[Address] = Field(min_length=1, max_length=3)
    loyalty_tier: Literal["bronze", "silver", "gold", "platinum"]
    created_at: datetime
    updated_at: datetime


class InvoiceRecord(BaseModel):
    """An invoice as the billing service stores it (see schemas/invoice.json)."""

    invoice_id: UUID
    number: str = Field(pattern=r"^INV-[0-9]{6}$")
    amount_due: float = Field(ge=0)
    status: Literal["draft", "sent", "paid", "void"]
