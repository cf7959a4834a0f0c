"""A schema of your own: examples/schemas/invoice.json, with references, constraints and coherence rules."""

from __future__ import annotations

from typing import Any

import pytest
from shop import InvoiceRecord


def test_invoices_add_up(testdata: Any) -> None:
    invoices = testdata("invoice", count=10)
    for invoice in invoices:
        expected = round(sum(line["quantity"] * line["unit_price"] for line in invoice["lines"]), 2)
        assert abs(invoice["amount_due"] - expected) < 0.05
        assert (invoice["paid_at"] is not None) == (invoice["status"] == "paid")
        InvoiceRecord.model_validate(invoice)  # the billing service's own model accepts them


@pytest.mark.testdata("invoice", count=3,
                      constraints={"status": {"enum": ["paid"]}, "amount_due": {"max": 1000}})
def test_paid_invoices_under_a_limit(invoice: list[dict[str, Any]]) -> None:
    assert all(i["status"] == "paid" and i["paid_at"] and i["amount_due"] <= 1000 for i in invoice)


def test_pydantic_model_as_the_entity(testdata: Any) -> None:
    # No schema file needed: a pydantic model works as an entity too.
    for record in testdata(InvoiceRecord, count=5):
        InvoiceRecord.model_validate(record)
