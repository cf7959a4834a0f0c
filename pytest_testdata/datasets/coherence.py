"""Cross-entity coherence: the rule kinds a schema declares under ``x-dataset-coherence``.

``x-coherence`` rules look at one record; these look across records of a dataset, through the
record's references (``x-ref``). Each kind can *check* a record against the records it refers to (the
dataset validator and scorer), *enforce* itself while the dataset is built, and *break* itself once
for an invalid variant. Kinds, with the built-in schemas' uses:

``same_as_ref``
    Fields equal the referenced record's fields: an order item carries its product's name, SKU and
    price (``{"ref": "items.*.product_id", "fields": {"items.*.unit_price": "price"}}``); a payment's
    amount and currency are its order's total and currency.
``currency_of_ref``
    A currency is the one of the referenced record's country: a cart's currency follows its user's.
``after_ref``
    A timestamp follows one of the referenced record: a payment is made after its order was placed.
    Enforcing it moves all the record's timestamps together, so their own order holds.
``status_matches_ref``
    A status is allowed for the referenced record's status: a refunded payment belongs to a refunded
    order, and a refunded order has a refunded payment.
``purchased_before``
    A record (a review) is by someone who bought the item, after the purchase's timestamp (delivery):
    the buyer and the item come from the ``via`` entity's records (orders).

Every rule has a ``name``; its id is ``entity.name`` (``payment.amount_matches_order``), which
violations carry and ``break_rule=`` takes.

Each kind is a module of its own (``rule_same_as_ref``, ``rule_currency``, ``rule_after_ref``,
``rule_status``, ``rule_purchased``), on the base class and shared helpers of
:mod:`~pytest_testdata.datasets.rule_base`; what the rules look records up in is
:mod:`~pytest_testdata.datasets.record_index`. This module names the kinds (:func:`dataset_rules`) and
re-exports what other modules import from it.
"""

from __future__ import annotations

from collections.abc import Mapping

from pytest_testdata.datasets.record_index import ChunkReads as ChunkReads
from pytest_testdata.datasets.record_index import Purchases as Purchases
from pytest_testdata.datasets.record_index import Record as Record
from pytest_testdata.datasets.record_index import RecordIndex as RecordIndex
from pytest_testdata.datasets.rule_after_ref import AfterRef as AfterRef
from pytest_testdata.datasets.rule_base import DatasetRule as DatasetRule
from pytest_testdata.datasets.rule_base import clone as clone
from pytest_testdata.datasets.rule_currency import CurrencyOfRef as CurrencyOfRef
from pytest_testdata.datasets.rule_purchased import PurchasedBefore as PurchasedBefore
from pytest_testdata.datasets.rule_same_as_ref import SameAsRef as SameAsRef
from pytest_testdata.datasets.rule_status import StatusMatchesRef as StatusMatchesRef
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.model import Schema

RULE_KINDS: dict[str, type[DatasetRule]] = {
    cls.kind: cls for cls in (SameAsRef, CurrencyOfRef, AfterRef, StatusMatchesRef, PurchasedBefore)
}
KEYWORD = "x-dataset-coherence"


def dataset_rules(schema: Schema) -> list[DatasetRule]:
    """The ``x-dataset-coherence`` rules of a schema; a malformed one is a usage error naming the schema."""
    specs = schema.json_schema.get(KEYWORD, [])
    if not isinstance(specs, list) or not all(isinstance(s, Mapping) for s in specs):
        raise TestdataUsageError(f"schema {schema.source}: \"{KEYWORD}\" must be a list of objects, got {specs!r}.")
    rules: list[DatasetRule] = []
    for spec in specs:
        kind = spec.get("kind")
        if kind not in RULE_KINDS:
            raise TestdataUsageError(
                f"schema {schema.source}: unknown {KEYWORD} rule kind {kind!r}. Allowed: {', '.join(RULE_KINDS)}."
            )
        rule = RULE_KINDS[str(kind)](schema.name, spec, schema)
        if any(r.name == rule.name for r in rules):
            raise TestdataUsageError(f"schema {schema.source}: two {KEYWORD} rules are named {rule.name!r}; "
                                     "give each its own name.")
        rules.append(rule)
    return rules
