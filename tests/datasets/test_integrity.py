"""Datasets through the Python API: integrity, cardinalities, determinism, cross-entity coherence."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.engine import Engine
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.registry import SchemaRegistry

COUNTS = {"user": 60, "product": 40, "order": 180, "payment": 180, "review": 120}


@pytest.fixture(scope="module")
def shop():
    return generate_dataset(COUNTS, seed=7)


def test_every_reference_resolves_and_keys_are_unique(shop) -> None:
    users, products, orders = shop.lookup("user"), shop.lookup("product"), shop.lookup("order")
    assert shop.counts == COUNTS
    assert all(o["customer_id"] in users for o in shop["order"])
    assert all(i["product_id"] in products for o in shop["order"] for i in o["items"])
    assert all(p["order_id"] in orders for p in shop["payment"])
    assert all(r["user_id"] in users and r["product_id"] in products for r in shop["review"])
    for entity in shop:
        key = shop.key_field(entity)
        assert len({r[key] for r in shop[entity]}) == len(shop[entity])
    assert len({u["email"] for u in shop["user"]}) == len(shop["user"])
    assert len({p["sku"] for p in shop["product"]}) == len(shop["product"])
    assert shop.valid, shop.violations[:5]


def test_cross_entity_values_agree(shop) -> None:
    users, products, orders = shop.lookup("user"), shop.lookup("product"), shop.lookup("order")
    for order in shop["order"]:
        for item in order["items"]:
            product = products[item["product_id"]]
            assert (item["name"], item["sku"]) == (product["name"], product["sku"])
            assert item["unit_price"] == product["price"]
        assert round(sum(i["quantity"] * i["unit_price"] for i in order["items"]), 2) == order["totals"]["subtotal"]
        assert order["shipping_address"] == users[order["customer_id"]]["addresses"][0]
        assert order["created_at"] >= users[order["customer_id"]]["created_at"]
    for payment in shop["payment"]:
        order = orders[payment["order_id"]]
        assert payment["amount"] == order["totals"]["total"]
        assert payment["currency"] == order["totals"]["currency"]
        assert payment["created_at"] >= order["created_at"]
        assert (payment["status"] == "refunded") == (order["status"] == "refunded")
    bought: dict[tuple[str, str], str] = {}
    for o in shop["order"]:
        for i in o["items"] if o["delivered_at"] else ():
            pair = (o["customer_id"], i["product_id"])
            bought[pair] = min(bought.get(pair, o["delivered_at"]), o["delivered_at"])  # the first delivery
    for review in shop["review"]:
        assert (review["user_id"], review["product_id"]) in bought
        assert review["created_at"] >= bought[(review["user_id"], review["product_id"])]
        assert review["verified_purchase"] is True


def test_default_cardinalities_are_skewed(shop) -> None:
    per_user = collections.Counter(o["customer_id"] for o in shop["order"])
    spread = sorted(per_user.values(), reverse=True)
    assert spread[0] >= 3 * (len(shop["order"]) / len(shop["user"]))  # a few heavy buyers...
    assert collections.Counter(spread)[1] >= 5  # ...and many one-time ones
    per_order = collections.Counter(p["order_id"] for p in shop["payment"])
    assert set(per_order.values()) == {1}  # payments: as even as the counts allow
    lengths = collections.Counter(len(o["items"]) for o in shop["order"])
    assert lengths[1] > lengths[4]  # most orders hold few items


def test_same_seed_same_dataset_and_another_seed_another() -> None:
    counts = {"user": 15, "product": 10, "order": 30, "payment": 30, "review": 10}
    first, again = generate_dataset(counts, seed=3), generate_dataset(counts, seed=3)
    assert json.dumps(first.as_dict()["records"], sort_keys=True) == json.dumps(again.as_dict()["records"],
                                                                                 sort_keys=True)
    assert generate_dataset(counts, seed=4)["order"] != first["order"]


def test_root_entity_pulls_in_what_it_references_and_its_dependents() -> None:
    ds = generate_dataset(root="order", count=24, seed=1)
    assert set(ds.entities) == {"user", "product", "order", "payment"}
    assert ds.counts["order"] == 24 and ds.counts["payment"] == 24
    assert ds.counts["user"] == 8  # 24 orders at 3 per user (order.customer_id's mean)
    assert ds.plan["pulled_in"]["user"] == "referenced by order.customer_id"
    assert ds.entities.index("user") < ds.entities.index("order") < ds.entities.index("payment")


def test_cardinalities_can_be_set() -> None:
    ds = generate_dataset({"user": 10, "product": 8, "order": 25}, seed=2,
                          cardinality={"order.customer_id": (2, 3), "order.items": {"min": 2, "max": 2}})
    per_user = collections.Counter(o["customer_id"] for o in ds["order"])
    assert len(per_user) == 10 and set(per_user.values()) <= {2, 3}
    assert {len(o["items"]) for o in ds["order"]} == {2}
    assert all(len({i["product_id"] for i in o["items"]}) == 2 for o in ds["order"])


def test_external_ids_stand_for_records_outside_the_dataset() -> None:
    # Orders are spread over buyers with skewed weights (a few heavy buyers), so an external user may get no
    # order at all: every reference is one of the ids, and the orders do not all land on one of them.
    ids = [f"2d9e0d0a-0000-4000-8000-00000000000{n}" for n in range(1, 6)]
    ds = generate_dataset({"product": 5, "order": 40}, seed=5, external={"user": ids})
    assert "user" not in ds
    used = {o["customer_id"] for o in ds["order"]}
    assert used <= set(ids) and len(used) >= 2
    assert ds.valid


def _schema_dir(tmp_path: Path, *schemas: dict) -> Engine:
    for schema in schemas:
        (tmp_path / f"{schema['title']}.json").write_text(json.dumps(schema))
    return Engine(SchemaRegistry([tmp_path]))


DEPARTMENT = {"title": "department", "type": "object", "required": ["department_id", "name"], "properties": {
    "department_id": {"type": "string", "format": "uuid", "x-unique": True},
    "name": {"type": "string", "minLength": 2, "maxLength": 40},
    "head_id": {"type": ["string", "null"], "format": "uuid", "x-ref": "employee.employee_id"}}}
EMPLOYEE = {"title": "employee", "type": "object", "required": ["employee_id", "department_id", "first_name"],
            "properties": {
                "employee_id": {"type": "string", "format": "uuid", "x-unique": True},
                "first_name": {"type": "string", "minLength": 1, "maxLength": 40},
                "department_id": {"type": "string", "format": "uuid", "x-ref": "department.department_id"},
                "manager_id": {"type": ["string", "null"], "format": "uuid", "x-ref": "employee.employee_id"},
                "mentor_id": {"type": ["string", "null"], "format": "uuid", "x-ref": "employee.employee_id",
                              "x-cardinality": {"empty": 0.5}}}}


def test_a_cycle_with_a_nullable_link_is_built_and_optional_references_are_sometimes_empty(tmp_path: Path) -> None:
    engine = _schema_dir(tmp_path, DEPARTMENT, EMPLOYEE)
    ds = generate_dataset({"department": 4, "employee": 60}, seed=9, engine=engine)
    employees, departments = ds.lookup("employee"), ds.lookup("department")
    assert ds.entities == ("department", "employee")
    assert all(e["department_id"] in departments for e in ds["employee"])
    heads = [d["head_id"] for d in ds["department"]]
    assert all(h is None or h in employees for h in heads) and any(h is not None for h in heads)
    mentors = [e["mentor_id"] for e in ds["employee"]]
    assert 10 <= mentors.count(None) <= 50  # empty about half the time, as declared
    assert all(m in employees for m in mentors if m is not None)
    managers = [e["manager_id"] for e in ds["employee"]]
    assert all(m in employees for m in managers if m is not None)
    assert ds.plan["references"]["department.head_id"]["deferred"] is True
    assert ds.valid


def test_an_order_s_derived_money_holds_its_rules_though_the_dataset_draws_none_of_it(shop) -> None:
    # The order's line totals, subtotal, tax, discount, total and payment amount are computed by its own
    # rules after the items' prices are copied, not drawn first (generators/traditional/derived.rule_derived).
    plan = shop.plan
    assert plan is not None
    for order in shop["order"]:
        totals, items = order["totals"], order["items"]
        for item in items:
            assert item["line_total"] == round(item["quantity"] * item["unit_price"], 2)
        assert totals["subtotal"] == round(sum(i["quantity"] * i["unit_price"] for i in items), 2)
        assert 0 <= totals["tax"] <= totals["subtotal"] * 0.25 + 0.011
        assert 0 <= totals["discount"] <= totals["subtotal"] * 0.3 + 0.011
        expected = totals["subtotal"] + totals["tax"] + totals["shipping"] - totals["discount"]
        assert abs(totals["total"] - max(round(expected, 2), 0.0)) <= 0.011
        assert order["payment"]["amount"] == totals["total"]
        assert all(type(v) is float or type(v) is int for v in (*totals.values(),) if v is not totals["currency"])
    assert shop.valid, shop.violations[:5]


INVOICE = {"title": "invoice", "type": "object",
           "required": ["invoice_id", "account_id", "currency", "net", "fee", "charges"],
           "properties": {"invoice_id": {"type": "string", "format": "uuid", "x-unique": True},
                          "account_id": {"type": "string", "format": "uuid", "x-ref": "account.account_id"},
                          "currency": {"type": "string", "enum": ["USD", "EUR"]},
                          "net": {"type": ["number", "null"], "minimum": 1, "maximum": 500, "multipleOf": 0.01},
                          "fee": {"type": "number", "minimum": 0, "maximum": 50, "multipleOf": 0.01},
                          "charges": {"type": "object", "required": ["base", "levy", "total", "rebate"],
                                      "properties": {
                              "base": {"type": "number", "minimum": 1, "maximum": 500, "multipleOf": 0.01},
                              "levy": {"type": "number", "minimum": 0, "maximum": 50, "multipleOf": 0.01},
                              "total": {"type": "number", "minimum": 0, "maximum": 600, "multipleOf": 0.01},
                              "rebate": {"type": "number", "minimum": 0, "maximum": 60, "multipleOf": 0.01}}}},
           "x-coherence": [{"kind": "rate_of", "target": "charges.rebate", "base": "charges.total",
                            "min": 0.0, "max": 0.05},
                           {"kind": "rate_of", "target": "fee", "base": "net", "min": 0.0, "max": 0.1},
                           {"kind": "rate_of", "target": "charges.levy", "base": "charges.base",
                            "min": 0.0, "max": 0.1},
                           {"kind": "sum", "target": "charges.total", "terms": ["charges.base", "charges.levy"]}],
           "x-dataset-coherence": [{"name": "in_account_currency", "kind": "same_as_ref", "ref": "account_id",
                                    "fields": {"currency": "currency"}}]}
ACCOUNT = {"title": "account", "type": "object", "required": ["account_id", "currency"],
           "properties": {"account_id": {"type": "string", "format": "uuid", "x-unique": True},
                          "currency": {"type": "string", "enum": ["USD", "EUR"]}}}


def test_a_rule_derived_field_is_drawn_when_its_input_may_be_missing(tmp_path: Path) -> None:
    from pytest_testdata.generators.traditional.derived import rule_derived

    engine = _schema_dir(tmp_path, ACCOUNT, INVOICE)
    # The levy's base is a required number: the rule always writes the levy, so it is not drawn, nor the
    # total computed from it. The fee's base (net) may be null: the rule would leave the fee alone, so the fee
    # is drawn as before; so is the rebate, whose rule reads the total before the rule computing it runs.
    assert rule_derived(engine.registry.get("invoice")) == {"charges.levy", "charges.total"}
    ds = generate_dataset({"account": 4, "invoice": 300}, seed=3, engine=engine)
    assert ds.valid, ds.violations[:5]
    for invoice in ds["invoice"]:
        assert all(type(v) is float for v in (invoice["fee"], *invoice["charges"].values()))
        charges = invoice["charges"]
        assert 0 <= charges["levy"] <= charges["base"] * 0.1 + 0.011
        assert charges["total"] == round(charges["base"] + charges["levy"], 2)
        assert 0 <= charges["rebate"] <= charges["total"] * 0.05 + 0.011
        if invoice["net"] is not None:
            assert 0 <= invoice["fee"] <= invoice["net"] * 0.1 + 0.011


def test_user_schemas_can_declare_the_cross_entity_rule_kinds(tmp_path: Path) -> None:
    account = {"title": "account", "type": "object", "required": ["account_id", "currency", "opened_at"],
               "properties": {"account_id": {"type": "string", "format": "uuid", "x-unique": True},
                              "currency": {"type": "string", "enum": ["USD", "EUR"]},
                              "opened_at": {"type": "string", "format": "date-time"}}}
    transfer = {"title": "transfer", "type": "object",
                "required": ["transfer_id", "account_id", "currency", "amount", "booked_at"],
                "properties": {"transfer_id": {"type": "string", "format": "uuid", "x-unique": True},
                               "account_id": {"type": "string", "format": "uuid", "x-ref": "account.account_id"},
                               "currency": {"type": "string", "enum": ["USD", "EUR"]},
                               "amount": {"type": "number", "minimum": 1, "maximum": 500},
                               "booked_at": {"type": "string", "format": "date-time"}},
                "x-dataset-coherence": [
                    {"name": "in_account_currency", "kind": "same_as_ref", "ref": "account_id",
                     "fields": {"currency": "currency"}},
                    {"name": "after_opening", "kind": "after_ref", "ref": "account_id", "field": "booked_at",
                     "after": "opened_at"}]}
    engine = _schema_dir(tmp_path, account, transfer)
    ds = generate_dataset({"account": 5, "transfer": 50}, seed=1, engine=engine)
    accounts = ds.lookup("account")
    for t in ds["transfer"]:
        assert t["currency"] == accounts[t["account_id"]]["currency"]
        assert t["booked_at"] >= accounts[t["account_id"]]["opened_at"]
    assert ds.metadata["transfer"].dataset_coherence == 1.0


RULES = ["order.ships_to_customer", "order.currency_of_customer", "order.placed_after_signup",
         "order.items_match_products", "payment.amount_matches_order", "payment.after_order",
         "payment.status_matches_order", "review.by_buyer_after_delivery"]


@pytest.mark.parametrize("rule", RULES)
def test_an_invalid_variant_breaks_exactly_one_cross_entity_rule(rule: str) -> None:
    ds = generate_dataset(COUNTS, seed=11, variant="invalid", break_rule=rule)
    assert len(ds.broken) == 1 and ds.broken[0].rule == rule
    broken = ds.broken[0]
    assert [(v.entity, v.record, v.rule) for v in ds.violations] == [(broken.entity, broken.record, rule)]
    assert ds.violations[0].field.split(".")[0] == broken.field.split(".")[0]


def test_invalid_variant_draws_a_rule_by_seed() -> None:
    ds = generate_dataset(COUNTS, seed=12, variant="invalid")
    assert len(ds.broken) == 1 and ds.broken[0].rule in RULES
    assert len(ds.violations) == 1


def test_a_chunk_check_finds_what_checking_each_record_alone_finds(shop) -> None:
    # Chunks are checked one rule at a time over all their records (check_all); damaged records must get
    # the same violations, with the same messages, as each record checked alone.
    import copy
    import random

    from pytest_testdata.datasets.coherence import RecordIndex
    from pytest_testdata.datasets.graph import plan_dataset
    from pytest_testdata.datasets.request import DatasetRequest

    plan = plan_dataset(DatasetRequest.checked(COUNTS, seed=7), Engine().registry)
    index = RecordIndex()
    for entity in plan.order:
        index.add(entity, shop[entity], plan.keys[entity])
    rng = random.Random(1)
    for entity in plan.order:
        records = copy.deepcopy(shop[entity])
        for record in records:
            field = rng.choice(sorted(record))
            record[field] = rng.choice([None, "x", 3, record[field]] + ([] if field.endswith("_id") else [{}, [1]]))
            items = record.get("items")
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict) and rng.random() < 0.3:
                    item[rng.choice(sorted(item))] = rng.choice([None, "x", 9.99])
            if isinstance(record.get("totals"), dict) and rng.random() < 0.3:
                record["totals"]["currency"] = rng.choice(["EUR", "USD", None])
            if "created_at" in record and rng.random() < 0.3:
                record["created_at"] = rng.choice(["2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", None])
        for rule in plan.rules[entity]:
            alone = [(i, *found) for i, r in enumerate(records) if (found := rule.check(r, index)) is not None]
            assert rule.check_all(records, index) == alone, rule.id
            assert alone, f"{rule.id}: the damage broke no record (the comparison would prove nothing)"


PETSTORE = """
openapi: 3.0.4
info: {title: Swagger Petstore, version: 1.0.27}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, format: int64}
        name: {type: string}
    Order:
      type: object
      required: [id, petId]
      properties:
        id: {type: integer, format: int64}
        petId: {type: integer, format: int64}
        quantity: {type: integer, format: int32}
    Tag:
      type: object
      properties:
        id: {type: integer, format: int64}
        userId: {type: string}
"""


def test_an_openapi_document_s_references_are_read_from_field_names(tmp_path: Path) -> None:
    """Petstore declares no x-ref: Order.petId holds a Pet's id once the dataset has pets. Entities may be
    spelled as the document spells them, and the records are found under either spelling."""
    (tmp_path / "petstore.yaml").write_text(PETSTORE)
    engine = Engine(SchemaRegistry([tmp_path], builtins=False))
    shop = generate_dataset({"Pet": 6, "Order": 40, "Tag": 3}, seed=5, engine=engine)
    assert list(shop) == ["pet", "order", "tag"] and shop.counts == {"pet": 6, "order": 40, "tag": 3}
    pets = {p["id"] for p in shop["Pet"]}
    assert len(pets) == 6 and {o["petId"] for o in shop["order"]} <= pets
    assert shop.plan["references"]["order.petId"] == {**shop.plan["references"]["order.petId"],
                                                      "to": "pet.id", "by_field_name": True}
    assert "tag.userId" not in shop.plan["references"]  # no user in this dataset: left as drawn
    alone = generate_dataset({"Order": 3}, seed=5, engine=engine)  # no pets asked for: no reference
    assert alone.plan["references"] == {}


PETSTORE_OPTIONAL = """
openapi: 3.0.4
info: {title: Swagger Petstore, version: 1.0.27}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        id: {type: integer, format: int64}
        name: {type: string}
    Order:
      type: object
      properties:
        id: {type: integer, format: int64}
        petId: {type: integer, format: int64}
        quantity: {type: integer, format: int32}
        status: {type: string, enum: [placed, approved, delivered]}
"""


@pytest.mark.parametrize("builtins", [False, True])
def test_root_pulls_in_an_entity_referenced_by_field_name(tmp_path: Path, builtins: bool) -> None:
    """Order.petId declares no x-ref: root="Order" still brings the pets its orders point at, as a declared
    reference would, and every reference resolves. With the built-in entities beside it, the document's Order
    replaces the built-in order, and the built-in payment (written for that order) is not pulled in."""
    (tmp_path / "petstore.yaml").write_text(PETSTORE)
    engine = Engine(SchemaRegistry([tmp_path], builtins=builtins))
    shop = generate_dataset(root="Order", count=30, seed=4, engine=engine)
    assert list(shop) == ["pet", "order"] and shop.counts["order"] == 30 and shop.counts["pet"] >= 1
    assert shop.plan["pulled_in"] == {"pet": "referenced by order.petId"}
    assert shop.plan["references"]["order.petId"]["by_field_name"] is True
    pets = shop.lookup("Pet")
    assert all(order["petId"] in pets for order in shop["Order"])
    assert shop.valid


def test_root_pulls_in_what_refers_to_it_by_field_name(tmp_path: Path) -> None:
    (tmp_path / "petstore.yaml").write_text(PETSTORE)
    shop = generate_dataset(root="Pet", count=8, seed=4, engine=Engine(SchemaRegistry([tmp_path], builtins=False)))
    assert shop.plan["pulled_in"] == {"order": "refers to pet (order.petId)"}
    assert {order["petId"] for order in shop["order"]} <= set(shop.lookup("pet"))
    assert "tag" not in shop.counts  # Tag.userId: no user entity in this registry


def test_an_optional_reference_left_empty_is_left_out_when_its_type_has_no_null(tmp_path: Path) -> None:
    """Order.petId is optional but typed integer: an order without a pet has no petId, never ``null``."""
    (tmp_path / "petstore.yaml").write_text(PETSTORE_OPTIONAL)
    engine = Engine(SchemaRegistry([tmp_path], builtins=False))
    for shop in (generate_dataset(root="Order", count=200, seed=3, engine=engine),
                 generate_dataset({"Pet": 20, "Order": 3000}, seed=3, engine=engine)):  # chunked as well
        orders = shop["order"]
        assert all(order.get("petId", 0) is not None for order in orders)
        missing = sum("petId" not in order for order in orders)
        assert 0 < missing < len(orders) / 5  # optional references: sometimes empty
        assert all(order["petId"] in shop.lookup("pet") for order in orders if "petId" in order)
        assert shop.valid, shop.violations[:3]


def _purchases_hold(dataset) -> None:
    """Every review is by a buyer of its product, after an order of it was delivered."""
    bought: dict[tuple[str, str], str] = {}
    for order in dataset["order"]:
        for item in order["items"] if order["delivered_at"] else ():
            pair = (order["customer_id"], item["product_id"])
            bought[pair] = min(bought.get(pair, order["delivered_at"]), order["delivered_at"])
    for review in dataset["review"]:
        assert review["created_at"] >= bought[(review["user_id"], review["product_id"])]


@pytest.mark.parametrize("seed", [1, 3, 5, 7, 9, 11])
@pytest.mark.parametrize("count", [1, 5, 10, 15])
def test_small_review_datasets_get_a_delivered_order_to_review(count: int, seed: int) -> None:
    # A few orders may all be drawn undelivered (15 reviews with seed 7 had 15 orders, none delivered):
    # one is drawn again until it is delivered, and the same seed gives the same dataset.
    dataset = generate_dataset(root="review", count=count, seed=seed, processes=1)
    assert dataset.valid, dataset.violations[:5]
    assert any(order["status"] == "delivered" for order in dataset["order"])
    _purchases_hold(dataset)
    again = generate_dataset(root="review", count=count, seed=seed, processes=1)
    assert again.as_dict()["records"] == dataset.as_dict()["records"]


def test_a_single_order_is_delivered_when_reviews_need_it() -> None:
    dataset = generate_dataset({"user": 1, "product": 1, "order": 1, "review": 1}, seed=1,
                               cardinality={"order.items": 1})
    assert dataset.valid, dataset.violations[:5]
    assert [order["status"] for order in dataset["order"]] == ["delivered"]
    _purchases_hold(dataset)


def test_a_reference_a_present_iff_rule_decides_is_set_exactly_where_it_says(tmp_path: Path) -> None:
    """A delivery's ``courier_id`` is set for couriered deliveries only (``present_iff``). Before, the dataset
    left a share of them empty as for any nullable reference, and the rule then filled those with a four-digit
    string ("0042"): no courier's key."""
    courier = {"title": "courier", "type": "object", "required": ["courier_id", "name"], "properties": {
        "courier_id": {"type": "string", "format": "uuid", "x-unique": True},
        "name": {"type": "string", "maxLength": 40}}}
    delivery = {"title": "delivery", "type": "object", "required": ["delivery_id", "method", "courier_id"],
                "properties": {
                    "delivery_id": {"type": "string", "format": "uuid", "x-unique": True},
                    "method": {"type": "string", "enum": ["courier", "pickup", "post"]},
                    "courier_id": {"type": ["string", "null"], "format": "uuid", "x-ref": "courier.courier_id"}},
                "x-coherence": [{"kind": "present_iff", "field": "courier_id", "when": "method", "in": ["courier"]}]}
    engine = _schema_dir(tmp_path, courier, delivery)
    ds = generate_dataset({"courier": 5, "delivery": 80}, seed=4, engine=engine)
    couriers = ds.lookup("courier")
    assert ds.valid, ds.violations
    assert all((d["courier_id"] in couriers) if d["method"] == "courier" else d["courier_id"] is None
               for d in ds["delivery"])
    assert {d["method"] for d in ds["delivery"]} == {"courier", "pickup", "post"}


def test_a_reference_a_rule_rewrites_is_looked_up_and_an_empty_share_it_forbids_is_refused(tmp_path: Path) -> None:
    """A rule that writes a reference (here ``same_value`` copying a plain number into it) may leave it finding
    no record: the dataset reports it (rule ``reference``) instead of passing a dangling id on to the database.
    And an ``empty`` share on a reference a ``present_iff`` rule decides is a contradiction."""
    team = {"title": "team", "type": "object", "required": ["team_id"], "properties": {
        "team_id": {"type": "integer", "minimum": 1, "maximum": 2, "x-unique": True}}}
    match = {"title": "match", "type": "object", "required": ["match_id", "home", "away"], "properties": {
        "match_id": {"type": "string", "format": "uuid", "x-unique": True},
        "home": {"type": "integer", "minimum": 1, "maximum": 9, "x-ref": "team.team_id"},
        "away": {"type": "integer", "minimum": 1, "maximum": 9}},
        "x-coherence": [{"kind": "same_value", "fields": ["home", "away"], "source": "away"}]}
    engine = _schema_dir(tmp_path, team, match)
    ds = generate_dataset({"team": 2, "match": 40}, seed=1, engine=engine)
    teams = ds.lookup("team")
    moved = [i for i, m in enumerate(ds["match"]) if m["home"] not in teams]
    assert moved  # the rule wrote into some home teams a number no team has...
    assert sorted(v.record for v in ds.violations if v.rule == "reference") == moved  # ...and each is reported
    courier = {"title": "courier", "type": "object", "required": ["courier_id"], "properties": {
        "courier_id": {"type": "string", "format": "uuid", "x-unique": True}}}
    delivery = {"title": "delivery", "type": "object", "required": ["delivery_id", "method"], "properties": {
        "delivery_id": {"type": "string", "format": "uuid", "x-unique": True},
        "method": {"type": "string", "enum": ["courier", "pickup"]},
        "courier_id": {"type": ["string", "null"], "format": "uuid", "x-ref": "courier.courier_id",
                       "x-cardinality": {"empty": 0.3}}},
        "x-coherence": [{"kind": "present_iff", "field": "courier_id", "when": "method", "in": ["courier"]}]}
    (tmp_path / "d").mkdir()
    with pytest.raises(TestdataUsageError) as raised:
        generate_dataset({"courier": 2, "delivery": 5}, seed=1, engine=_schema_dir(tmp_path / "d", courier, delivery))
    assert str(raised.value) == (
        "cardinality['delivery.courier_id']: empty=0.3, but a present_iff rule of the schema says "
        "which records hold the reference (and the rest leave it empty); a record it requires one of could not be "
        "left empty. Leave 'empty' out of its cardinality.")
