"""Realistic values from field names in a user's own schema (issue 9, item 4).

Every kind of the table is asked for by a field name in a user JSON Schema, generated through the public API
(``Engine`` + ``SchemaRegistry``) and judged twice: by ``jsonschema`` with formats asserted (the record is
valid for the user's schema) and by the kind's shape check (tests/realism/shapes.py: pycountry, zoneinfo,
ipaddress, Luhn, mod 97...). Then context (the same ``name`` under a customer, a product, a company),
``x-gen``, a kind of the user's own (function and hook), and constraints a kind cannot meet.
"""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from pytest_testdata import Engine, GenerationRequest, TestdataUsageError, map_field_names, register_kind
from pytest_testdata.generators.traditional.context_texts import LICENSES
from pytest_testdata.generators.traditional.field_names import FieldContext, kind_for, snake
from pytest_testdata.generators.traditional.kinds import unregister_kind
from pytest_testdata.generators.traditional.pools import pool
from pytest_testdata.generators.traditional.vocab import PRODUCT_ADJECTIVES
from pytest_testdata.schemas import Schema, SchemaRegistry

from .shapes import SHAPES, iban, luhn

COUNT = 150
STRING = {"type": "string"}

FIELDS: dict[str, tuple[str, dict[str, Any]]] = {
    # field name (in the schema's own style) -> (kind, subschema)
    "currency": ("currency", STRING),
    "settlementCurrency": ("currency", STRING),
    "userName": ("username", STRING),
    "login": ("username", STRING),
    "handle": ("username", STRING),
    "fullName": ("person.name", STRING),
    "jobTitle": ("job_title", STRING),
    "createdAt": ("timestamp", STRING),
    "updated": ("timestamp", STRING),
    "due_date": ("date", STRING),
    "birthday": ("birth_date", STRING),
    "dob": ("birth_date", {"type": "string", "format": "date"}),
    "brandColor": ("colour", STRING),
    "age": ("age", {"type": "integer"}),
    "iban": ("iban", STRING),
    "cardNumber": ("card.number", STRING),
    "ip_address": ("ip", STRING),
    "ipv6": ("ipv6", STRING),
    "lat": ("latitude", {"type": "number"}),
    "longitude": ("longitude", {"type": "number"}),
    "timezone": ("timezone", STRING),
    "language": ("language", STRING),
    "locale": ("locale", STRING),
    "country_code": ("address.country", STRING),
    "addressLine2": ("address.line2", STRING),
    "packageUrl": ("package_url", {"type": "string", "pattern": "^pkg"}),
    "slug": ("slug", STRING),
    "version": ("version", STRING),
    "fileName": ("file.name", STRING),
    "contentType": ("mime_type", STRING),
    "sha": ("hash.sha1", STRING),
    "checksum": ("hash.sha256", STRING),
    "homepage": ("url", STRING),
    "hostname": ("domain", {"type": "string", "format": "hostname"}),
    "guid": ("uuid", STRING),
    "unitPrice": ("money", {"type": "number"}),
    "amount": ("money", {"type": "integer"}),
    "shipping_cost": ("money", {"type": "number"}),
    "quantity": ("quantity", {"type": "integer"}),
    "rating": ("rating", {"type": "integer"}),
    "weightKg": ("weight", {"type": "number"}),
    "sku": ("sku", STRING),
    "errorCode": ("code", STRING),
    "couponCode": ("promo_code", STRING),
    "invoiceNumber": ("reference", STRING),
    "house_number": ("house_number", STRING),
    "category": ("category", STRING),
    "tags": ("tag", {"type": "array", "minItems": 1, "items": STRING}),
    "countryName": ("country_name", STRING),
    "accountId": ("identifier", {"type": "integer"}),
}


def engine_for(document: dict[str, Any], name: str) -> Engine:
    registry = SchemaRegistry(builtins=False)
    registry.register(Schema.from_json_schema(document, name=name))
    return Engine(registry)


def generate(document: dict[str, Any], name: str, count: int = COUNT, seed: int = 9) -> list[dict[str, Any]]:
    result = engine_for(document, name).generate(GenerationRequest.checked(name, count, seed=seed))
    assert result.metadata.violations == []
    validator = Draft202012Validator(document, format_checker=FormatChecker())
    for record in result.records:
        errors = [e.message for e in validator.iter_errors(record)]
        assert errors == [], (record, errors)
    return result.records


@pytest.fixture(scope="module")
def accounts() -> list[dict[str, Any]]:
    document = {"title": "account", "type": "object", "required": list(FIELDS),
                "properties": {name: sub for name, (_, sub) in FIELDS.items()}}
    return generate(document, "account")


@pytest.mark.parametrize("field", list(FIELDS))
def test_each_kind_by_field_name_is_valid_and_has_its_shape(accounts: list[dict[str, Any]], field: str) -> None:
    kind, _ = FIELDS[field]
    values = [v for record in accounts for v in (record[field] if isinstance(record[field], list) else [record[field]])]
    wrong = [v for v in values if not SHAPES[kind](v)]
    assert wrong == [], f"{field} ({kind}): {wrong[:5]}"
    if kind not in ("age", "birth_date"):
        assert len(set(map(str, values))) > 3, f"{field}: hardly any variety: {set(values)}"


def test_ages_are_mostly_adults_and_keep_to_bounds() -> None:
    document = {"title": "member", "type": "object", "required": ["age", "child_age"], "properties": {
        "age": {"type": "integer"}, "child_age": {"type": "integer", "minimum": 3, "maximum": 12}}}
    records = generate(document, "member")
    assert all(18 <= r["age"] <= 80 for r in records)
    assert all(3 <= r["child_age"] <= 12 for r in records)


def test_name_spellings_are_one_name() -> None:
    assert {snake(n) for n in ("userName", "user_name", "UserName", "user-name", "USER_NAME")} == {"user_name"}
    assert kind_for("createdAt", "string") == kind_for("created_at", "string") == "timestamp"
    assert kind_for("zipball_url", "string") == "url"  # once a postal code: "zip" is no longer a substring match
    assert kind_for("capacity", "string") != "address.city"
    # a person by their role: SQLAlchemy's joined-inheritance example names an engineer's and a manager's so
    assert kind_for("engineer_name", "string") == kind_for("managerName", "string") == "person.name"


def test_a_name_means_what_its_parent_says() -> None:
    document = {"title": "deal", "type": "object", "required": ["customer", "product", "company", "author"],
                "properties": {
                    part: {"type": "object", "required": ["name"], "properties": {"name": STRING}}
                    for part in ("customer", "product", "company")
                } | {"author": {"type": "object", "required": ["name"], "properties": {"name": STRING}}}}
    records = generate(document, "deal")
    companies = set(pool("US").companies)
    for record in records:
        assert SHAPES["person.name"](record["customer"]["name"]), record
        assert SHAPES["person.name"](record["author"]["name"]), record
        assert record["product"]["name"].split()[0] in PRODUCT_ADJECTIVES, record
        assert record["company"]["name"] in companies, record


def test_context_reaches_arrays_and_siblings() -> None:
    document = {"title": "repository", "type": "object", "required": ["contributors", "state", "language",
                                                                       "office"],
                "properties": {
                    "contributors": {"type": "array", "minItems": 1, "items": {
                        "type": "object", "required": ["name"], "properties": {"name": STRING}}},
                    "state": STRING, "language": STRING,
                    "office": {"type": "object", "required": ["city", "state"],
                               "properties": {"city": STRING, "state": STRING}},
                }}
    records = generate(document, "repository")
    assert all(SHAPES["person.name"](c["name"]) for r in records for c in r["contributors"])
    regions = [SHAPES["address.state"](r["office"]["state"]) for r in records]  # beside a city: a region
    assert sum(regions) >= 0.95 * len(regions)  # pycountry lacks a few historic counties GeoNames has
    assert not any(SHAPES["address.state"](r["state"]) for r in records)  # alone: a status such as "open"
    assert {r["language"] for r in records} <= {"Python", "JavaScript", "TypeScript", "Java", "Go", "Rust", "C#",
                                                "C++", "C", "Ruby", "PHP", "Kotlin", "Swift", "Shell", "Scala",
                                                "Dart", "Elixir", "Haskell", "Lua", "R", "HTML", "CSS",
                                                "Jupyter Notebook", "Vue"}


def test_the_table_reads_parents_whatever_their_spelling() -> None:
    for parent in ("customer", "Customers", "billingContact", "account-holder", "simple-user"):
        assert kind_for("name", "string", FieldContext(parent)) == "person.name", parent
    assert kind_for("name", "string", FieldContext("lineItems")) == "product.name"
    assert kind_for("name", "string", FieldContext("userOrganization")) == "company"
    assert kind_for("title", "string", FieldContext("employee")) == "job_title"
    assert kind_for("name", "string", FieldContext("attachment")) == "file.name"


def test_x_gen_names_any_kind_whatever_the_field_is_called() -> None:
    document = {"title": "ledger", "type": "object", "required": ["a", "b", "c", "d"], "properties": {
        "a": {"type": "string", "x-gen": "iban"}, "b": {"type": "string", "x-gen": "card.number"},
        "c": {"type": "integer", "x-gen": "age"}, "d": {"type": "string", "x-gen": "currency"}}}
    records = generate(document, "ledger")
    assert all(iban(r["a"]) and luhn(r["b"]) and 0 <= r["c"] <= 120 and SHAPES["currency"](r["d"])
               for r in records)


def test_an_unknown_x_gen_names_the_kinds() -> None:
    document = {"title": "odd", "type": "object", "properties": {"a": {"type": "string", "x-gen": "ibann"}}}
    with pytest.raises(TestdataUsageError, match=r"property 'a': unknown \"x-gen\" 'ibann'. Allowed: .*iban, "):
        engine_for(document, "odd").generate(GenerationRequest.checked("odd", 1, seed=1))


@pytest.mark.parametrize(("field", "sub", "kind"), [
    ("currency", {"type": "string", "maxLength": 2}, "currency"),
    ("color", {"type": "string", "pattern": "^[0-9A-F]{6}$"}, "colour"),
    ("age", {"type": "integer", "minimum": 150, "maximum": 400}, "age"),
    ("createdAt", {"type": "string", "minLength": 30}, "timestamp"),
    ("iban", {"type": "string", "pattern": "^US"}, "iban"),
    ("lat", {"type": "number", "minimum": 95}, "latitude"),
])
def test_constraints_a_kind_cannot_meet_fall_back_to_valid_values(field: str, sub: dict[str, Any],
                                                                  kind: str) -> None:
    document = {"title": "strict", "type": "object", "required": [field], "properties": {field: sub}}
    records = generate(document, "strict", count=40)  # every record valid, checked by jsonschema
    assert not any(SHAPES[kind](r[field]) for r in records)  # the kind could not fit, so it was not used


def test_constraints_a_kind_can_meet_keep_it() -> None:
    document = {"title": "shop", "type": "object", "required": ["currency", "color", "created_at"], "properties": {
        "currency": {"type": "string", "pattern": "^[a-z]{3}$"},  # Stripe's lower-case codes
        "color": {"type": "string", "pattern": "^[0-9a-fA-F]{6}$"},  # GitHub's label colours, no "#"
        "created_at": {"type": "string", "maxLength": 10}}}  # room for a date only
    records = generate(document, "shop")
    assert all(SHAPES["currency"](r["currency"].upper()) for r in records)
    assert all(SHAPES["colour"]("#" + r["color"]) for r in records)
    assert all(SHAPES["date"](r["created_at"]) for r in records)


def test_a_registered_kind_serves_x_gen_and_mapped_names() -> None:
    register_kind("ticket", lambda rng: f"TCK-{rng.randrange(10_000):04d}", field_names=["ticketId", "*Ticket"])
    map_field_names("username", ["agent"], parents=["supportCase"])
    try:
        document = {"title": "supportCase", "type": "object", "required": ["ticketId", "parentTicket", "ref",
                                                                            "agent"],
                    "properties": {"ticketId": STRING, "parentTicket": STRING, "agent": STRING,
                                   "ref": {"type": "string", "x-gen": "ticket"}}}
        records = generate(document, "support_case")
        assert all(r[f].startswith("TCK-") for r in records for f in ("ticketId", "parentTicket", "ref"))
        assert all(SHAPES["username"](r["agent"]) for r in records)
        again = generate(document, "support_case")
        assert again == records  # the user's draw gets the seeded rng: same seed, same values
    finally:
        unregister_kind("ticket")
        unregister_kind("username")
    assert kind_for("ticketId", "string") != "ticket"


def test_a_kind_registered_later_reaches_nested_objects_seen_before() -> None:
    # A nested object's compiled drawer is reused by later schemas holding the same object
    # (generators/traditional/plan.py): registering a kind must still reach them.
    document = {"title": "desk", "type": "object", "required": ["case"],
                "properties": {"case": {"type": "object", "required": ["ticketRef"],
                                        "properties": {"ticketRef": STRING}}}}
    before = generate(document, "desk")
    assert not any(r["case"]["ticketRef"].startswith("TCK-") for r in before)
    register_kind("ticket", lambda rng: f"TCK-{rng.randrange(10_000):04d}", field_names=["ticketRef"])
    try:
        assert all(r["case"]["ticketRef"].startswith("TCK-") for r in generate(document, "desk"))
    finally:
        unregister_kind("ticket")
    assert generate(document, "desk") == before


def test_registering_a_kind_wrongly_says_how_to_fix_it() -> None:
    with pytest.raises(TestdataUsageError, match=r"give either draw=.* or values="):
        register_kind("nothing")
    with pytest.raises(TestdataUsageError, match="unknown kind 'nope'"):
        map_field_names("nope", ["x"])


def test_same_seed_same_realistic_values(accounts: list[dict[str, Any]]) -> None:
    document = {"title": "account", "type": "object", "required": list(FIELDS),
                "properties": {name: sub for name, (_, sub) in FIELDS.items()}}
    assert generate(document, "account") == accounts
    assert generate(document, "account", seed=10) != accounts


def test_through_the_fixture_with_a_kind_from_the_hook(pytester: pytest.Pytester) -> None:
    schemas = pytester.path / "schemas"
    schemas.mkdir()
    (schemas / "customer.json").write_text(json.dumps({
        "title": "customer", "type": "object",
        "required": ["name", "userName", "currency", "birthday", "iban", "company", "loyaltyCard"],
        "properties": {"name": STRING, "userName": STRING, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                       "birthday": STRING, "iban": STRING, "company": {"type": "object", "required": ["name"],
                                                                       "properties": {"name": STRING}},
                       "loyaltyCard": STRING}}))
    pytester.makeini("[pytest]\ntestdata_schemas = schemas\n")
    pytester.makeconftest("""
        def pytest_testdata_register_value_kinds(kinds, config):
            kinds.register("loyalty_card", lambda rng: f"LC{rng.randrange(10**8):08d}",
                           field_names=["loyaltyCard"])
    """)
    shapes = Path(__file__).with_name("shapes.py").read_text()
    judges = Path(__file__).with_name("judges.py").read_text()
    pytester.makepyfile(judges=judges, shapes=shapes.replace("from .judges import", "from judges import"))
    pytester.makepyfile(test_customers="""
        import pytest
        from shapes import SHAPES, iban

        def test_customers(testdata):
            for customer in testdata("customer", count=30):
                assert SHAPES["person.name"](customer["name"])
                assert SHAPES["username"](customer["userName"])
                assert SHAPES["currency"](customer["currency"])
                assert SHAPES["birth_date"](customer["birthday"])
                assert iban(customer["iban"])
                assert " " in customer["company"]["name"] or "-" in customer["company"]["name"]
                assert customer["loyaltyCard"].startswith("LC") and len(customer["loyaltyCard"]) == 10

        @pytest.mark.testdata("customer", count=3)
        def test_marker(customer):
            assert all(c["loyaltyCard"].startswith("LC") for c in customer)
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert kind_for("loyaltyCard", "string") is None  # the session's kinds ended with it


def test_kinds_cost_nothing_for_records_that_do_not_use_them() -> None:
    rng = random.Random(4)
    document = {"title": "plain", "type": "object", "required": ["note"], "properties": {"note": STRING}}
    assert all(isinstance(r["note"], str) and r["note"].endswith(".") for r in generate(document, "plain", 20,
                                                                                       rng.randrange(100)))


def test_the_documented_table_is_the_table() -> None:
    from pytest_testdata.generators.traditional.field_names import TABLE

    docs = (Path(__file__).resolve().parents[2] / "docs" / "schemas.md").read_text()
    section = docs.split("## Realistic values from field names", 1)[1].split("\n## ", 1)[0]
    table = section.split("| field names (any spelling) | context | kind | example |", 1)[1].split("\n\n", 1)[0]
    rows = [line.split(" | ") for line in table.strip().splitlines()[1:]]
    documented = [(cells[2].strip("`"), cells[0].removeprefix("| ")) for cells in rows]
    assert [kind for kind, _ in documented] == [row.kind for row in TABLE]
    for (_, names), row in zip(documented, TABLE, strict=True):
        assert names == ", ".join(f"`{n}`" for n in row.names)


def test_a_nested_person_s_email_and_username_follow_their_name() -> None:
    """``contact.name`` then ``contact.email``: the address is built from that contact's name, in every
    object of a list too (before, each field drew a person of its own)."""
    from pytest_testdata.quality.rules import latin_name

    person = {"type": "object", "required": ["first_name", "last_name", "email", "login"],
              "properties": {"first_name": STRING, "last_name": STRING, "email": {"type": "string", "format": "email"},
                             "login": STRING}}
    contact = {"type": "object", "required": ["name", "email"],
               "properties": {"name": STRING, "email": {"type": "string", "format": "email"}}}
    document = {"title": "team", "type": "object", "required": ["members", "recipient"],
                "properties": {"members": {"type": "array", "minItems": 2, "maxItems": 3, "items": person},
                               "recipient": contact}}
    def folded(name: str) -> str:
        return "".join(ch for ch in (latin_name(name) or "") if ch.isalnum()).lower()

    mismatched = []
    for record in generate(document, "team", 40):
        for member in record["members"]:
            first, last = folded(member["first_name"]), folded(member["last_name"])
            login = member["login"].replace(".", "").replace("_", "")
            if last not in member["email"].split("@")[0] or (first not in login and last not in login):
                mismatched.append(member)
        recipient = record["recipient"]
        if folded(recipient["name"].split()[-1]) not in recipient["email"].split("@")[0]:
            mismatched.append(recipient)
    assert mismatched == []


def _signs_as(person: dict[str, Any], first: str, last: str, *handles: str) -> bool:
    from pytest_testdata.quality.rules import fold, latin_name

    f, la = latin_name(first), latin_name(last)
    return all(la in fold(person[h].split("@")[0]) or f in fold(person[h]) for h in handles)


def test_an_email_and_login_listed_before_the_name_still_follow_it() -> None:
    """OpenAPI documents list properties alphabetically (Stripe, GitHub): ``email`` and ``login`` come before
    ``first_name``/``name``, and were drawn for another person than the one the name shows."""
    account = {"title": "account", "type": "object",
               "required": ["email", "first_name", "last_name", "login", "owner", "id"],
               "properties": {"email": {"type": "string", "format": "email"}, "first_name": STRING,
                              "id": {"type": "integer"}, "last_name": STRING, "login": STRING,
                              "owner": {"type": "object", "required": ["email", "name"],
                                        "properties": {"email": {"type": "string", "format": "email"},
                                                       "name": STRING}}}}
    records = generate(account, "account", 60)
    assert all(_signs_as(r, r["first_name"], r["last_name"], "email", "login") for r in records)
    owners = [r["owner"] for r in records]
    assert all(_signs_as(o, o["name"].split()[0], o["name"].split()[-1], "email") for o in owners)


def test_an_email_with_a_shape_of_its_own_or_left_empty_is_not_rebuilt() -> None:
    document = {"title": "member", "type": "object", "required": ["work_email", "full_name", "username"],
                "properties": {
                    "work_email": {"type": "string", "pattern": "^[a-z]+@corp\\.example$"},
                    "username": {"type": "string", "maxLength": 8},  # too short for every built username
                    "backup_email": {"type": ["string", "null"], "format": "email"},
                    "full_name": STRING}}
    result = engine_for(document, "member").generate(
        GenerationRequest.checked("member", 200, seed=9, coverage="realistic"))
    assert result.metadata.violations == []
    records = result.records
    assert all(r["work_email"].endswith("@corp.example") and len(r["username"]) <= 8 for r in records)
    backups = [r.get("backup_email", "absent") for r in records]
    assert backups.count(None) > 0 and backups.count("absent") > 0  # the coverage setting still decides
    assert all(_signs_as(r, r["full_name"].split()[0], r["full_name"].split()[-1], "backup_email")
               for r in records if isinstance(r.get("backup_email"), str))


def test_a_caller_s_constraint_on_the_email_wins() -> None:
    document = {"title": "signup", "type": "object", "required": ["email", "first_name", "last_name"],
                "properties": {"email": {"type": "string", "format": "email"}, "first_name": STRING,
                               "last_name": STRING}}
    engine = engine_for(document, "signup")
    result = engine.generate(GenerationRequest.checked(
        "signup", 20, seed=4, constraints={"email": {"regex": "^qa[0-9]{3}@test\\.example$"}}))
    assert result.metadata.violations == []
    assert all(r["email"].startswith("qa") for r in result.records)


@pytest.mark.parametrize("integer", [True, False], ids=["integer", "number"])
def test_every_number_kind_keeps_to_bounds_it_is_given(integer: bool) -> None:
    # Kinds shaped for open ranges (money, quantity, rating) must still honour bounds if a caller passes them.
    from pytest_testdata.generators.traditional.kinds import _BUILTIN, _sample_state

    number_kinds = [kind for kind in _BUILTIN if kind.numbers is not None]
    assert {"money", "quantity", "rating", "age"} <= {kind.name for kind in number_kinds}
    state = _sample_state("bounds")
    for kind in number_kinds:
        assert kind.numbers is not None
        low = math.ceil(kind.numbers.typical[0])
        draw = kind.numbers.drawer(low, low + 1, integer)  # bounds within the kind's typical range
        assert draw is not None, kind.name
        values = [draw(state) for _ in range(200)]
        assert all(low <= v <= low + 1 for v in values), (kind.name, low, sorted(set(values))[-3:])


def test_a_schema_s_own_examples_shape_the_fields_the_table_does_not_know() -> None:
    document = {"title": "build", "type": "object", "properties": {
        "plan_type": {"type": "string", "examples": ["free", "pro", "enterprise"]},  # tokens: drawn as written
        "status": {"type": "string", "examples": ["queued", "in_progress", "completed"]},  # beats a guessed status
        "head_ref": {"type": "string", "default": "refs/heads/main"},  # a string default is an example too
        "build_digest": {"type": "string", "examples": ["6dcb09b5b57875f334f61aebed695e2e4193db5e"]},
        "ticket": {"type": "string", "examples": ["198772", "20331"]},  # digits: fresh ones, same lengths
        "contact_point": {"type": "string", "examples": ["octocat@github.com"]},  # could reach someone: unused
        "motto": {"type": "string", "examples": ["Keep it simple"]},  # prose: a sentence instead
        "badge": {"type": "string", "x-unique": True, "examples": ["gold", "silver"]},  # two cannot stay unique
    }, "required": ["plan_type", "status", "head_ref", "build_digest", "ticket", "contact_point", "motto",
                    "badge"]}
    records = generate(document, "build", count=200)
    assert {r["plan_type"] for r in records} == {"free", "pro", "enterprise"}
    assert {r["status"] for r in records} == {"queued", "in_progress", "completed"}
    assert {r["head_ref"] for r in records} == {"refs/heads/main"}
    digests = {r["build_digest"] for r in records}
    assert len(digests) == 200 and all(len(d) == 40 and int(d, 16) >= 0 and d == d.lower() for d in digests)
    tickets = [r["ticket"] for r in records]
    assert {len(t) for t in tickets} == {5, 6} and all(t.isdigit() and t[0] != "0" for t in tickets)
    assert len(set(tickets)) > 150
    assert not any("@" in r["contact_point"] for r in records)
    assert not any(r["motto"] == "Keep it simple" for r in records)
    assert len({r["badge"] for r in records}) == 200


def test_a_plural_name_means_what_its_singular_means() -> None:
    document = {"title": "pet", "type": "object", "required": ["photoUrls", "tags"], "properties": {
        "photoUrls": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "tags": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["id", "name"],
                                                              "properties": {"id": {"type": "integer"},
                                                                             "name": {"type": "string"}}}}}}
    records = generate(document, "pet", count=50)
    urls = [u for r in records for u in r["photoUrls"]]
    assert all(SHAPES["url"](u) for u in urls), urls[:3]
    tags = [t for r in records for t in r["tags"]]
    assert all(SHAPES["tag"](t["name"]) for t in tags), tags[:3]
    assert all(1 <= t["id"] <= 999_999 for t in tags)  # an integer id: positive, not a count from 0


def test_timestamps_follow_the_order_their_names_say() -> None:
    stamp = {"type": "string", "format": "date-time"}
    document = {"title": "issue", "type": "object",
                "required": ["closed_at", "created_at", "updated_at", "milestone", "events"], "properties": {
                    "closed_at": {"type": ["string", "null"], "format": "date-time"},  # listed before created_at
                    "created_at": stamp, "updated_at": stamp,
                    "milestone": {"type": "object", "required": ["updatedAt", "createdAt"],
                                  "properties": {"updatedAt": stamp, "createdAt": stamp}},
                    "events": {"type": "array", "minItems": 1, "items": {
                        "type": "object", "required": ["ends_at", "starts_at"],
                        "properties": {"ends_at": stamp, "starts_at": stamp}}}}}
    records = generate(document, "issue", count=200)
    for r in records:
        assert r["created_at"] <= r["updated_at"]
        assert r["closed_at"] is None or r["created_at"] <= r["closed_at"] <= r["updated_at"]
        assert r["milestone"]["createdAt"] <= r["milestone"]["updatedAt"]
        assert all(e["starts_at"] <= e["ends_at"] for e in r["events"])
    assert len({r["created_at"] for r in records}) > 150  # reordered, not pinned


def test_a_page_is_modified_after_it_was_created() -> None:
    """A CMS's ``creation_date`` and ``modification_date`` (as Kotti names them): the second follows."""
    stamp = {"type": "string", "format": "date-time"}
    document = {"title": "document", "type": "object", "required": ["modification_date", "creation_date"],
                "properties": {"modification_date": stamp, "creation_date": stamp}}
    assert all(r["creation_date"] <= r["modification_date"] for r in generate(document, "document", count=200))


def test_a_key_is_revoked_and_last_used_after_it_was_created() -> None:
    """Flask-AppBuilder's ``ab_api_key`` (``created_on``, ``expires_on``, ``revoked_on``, ``last_used_on``): a key
    was revoked and last used before it was created."""
    stamp = {"type": ["string", "null"], "format": "date-time"}
    document = {"title": "ab_api_key", "type": "object", "required": ["created_on"], "properties": {
        "created_on": {"type": "string", "format": "date-time"}, "expires_on": stamp, "revoked_on": stamp,
        "last_used_on": stamp}}
    for r in generate(document, "ab_api_key", count=200):
        later = [r[f] for f in ("revoked_on", "last_used_on", "expires_on") if r[f] is not None]
        assert all(r["created_on"] <= t for t in later), r


def test_a_due_date_follows_its_issue_and_need_not_follow_the_payment() -> None:
    day = {"type": "string", "format": "date"}
    stamp = {"type": "string", "format": "date-time"}
    invoice = {"title": "invoice", "type": "object", "required": ["due_date", "issue_date", "paid_on", "lines"],
               "properties": {"due_date": day, "issue_date": day, "paid_on": day,
                              "lines": {"type": "array", "minItems": 1, "items": {
                                  "type": "object", "required": ["created_at", "expires_at"],
                                  "properties": {"created_at": stamp, "expires_at": stamp}}}}}
    records = generate(invoice, "invoice", count=200)
    for r in records:
        assert r["issue_date"] <= r["due_date"], r
        assert all(line["created_at"] <= line["expires_at"] for line in r["lines"])
    # a payment is no step between issue and due date: paid early as often as late
    assert 0 < sum(r["paid_on"] < r["due_date"] for r in records) < 200


def test_integer_timestamps_are_ordered_among_themselves() -> None:
    seconds = {"type": "integer"}
    document = {"title": "subscription", "type": "object",
                "required": ["created", "canceled_at", "updated", "start_date", "end_date", "label"], "properties": {
                    "created": seconds, "canceled_at": {"type": ["integer", "null"]}, "updated": seconds,
                    "start_date": seconds, "end_date": seconds,
                    "label": {"type": ["string", "integer"]}}}  # neither type: in no order
    records = generate(document, "subscription", count=200)
    for r in records:
        assert 946_684_800 <= r["created"] <= r["updated"]  # seconds since 1970, this century
        assert r["canceled_at"] is None or r["created"] <= r["canceled_at"] <= r["updated"]
        assert r["start_date"] <= r["end_date"]
    assert len({r["created"] for r in records}) > 150


def test_a_whole_name_is_its_object_s_first_and_last_and_a_nested_author_is_someone_else() -> None:
    document = {"title": "note", "type": "object",
                "required": ["display_name", "first_name", "last_name", "author"], "properties": {
                    "display_name": STRING, "first_name": STRING, "last_name": STRING,  # the whole name listed first
                    "author": {"type": "object", "required": ["name", "email"],
                               "properties": {"name": STRING, "email": {"type": "string", "format": "email"}}}}}
    records = generate(document, "note", count=100)
    assert all(r["display_name"] == f"{r['first_name']} {r['last_name']}" for r in records)
    assert sum(r["author"]["name"] == r["display_name"] for r in records) <= 2  # by chance only
    assert len({r["author"]["name"] for r in records}) > 90


def test_a_repository_s_full_name_and_a_licence_s_names_agree() -> None:
    licence = {"type": "object", "required": ["key", "name", "spdx_id"],
               "properties": {"key": STRING, "name": STRING, "spdx_id": {"type": ["string", "null"]}}}
    owner = {"type": "object", "required": ["login", "id"], "properties": {"login": STRING, "id": {"type": "integer"}}}
    document = {"title": "repository", "type": "object",
                "required": ["full_name", "owner", "name", "license", "forks"], "properties": {
                    "full_name": STRING, "owner": owner, "name": STRING, "license": licence,
                    "forks": {"type": "array", "minItems": 1, "maxItems": 2, "items": {
                        "type": "object", "required": ["name", "full_name"],
                        "properties": {"name": STRING, "full_name": STRING}}}}}
    records = generate(document, "repository", count=100)
    known = {(key, name, spdx) for key, name, spdx in LICENSES}
    for r in records:
        assert r["full_name"] == f"{r['owner']['login']}/{r['name']}"
        assert all(f["full_name"].endswith("/" + f["name"]) for f in r["forks"])  # no owner there: its own
        got = r["license"]
        assert (got["key"], got["name"], got["spdx_id"]) in known or got["spdx_id"] is None
    assert len({r["license"]["key"] for r in records}) >= 4
    assert sum(r["license"]["key"] == "mit" for r in records) > 20  # the most used licence, drawn most


def test_apps_teams_and_workflows_have_names_of_their_kind_and_slugs_follow_names() -> None:
    def named(extra: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"type": "object", "required": ["name", "slug"],
                "properties": {"name": STRING, "slug": STRING, **(extra or {})}}
    team = named({"parent": named()})
    team["required"] = ["name", "slug", "parent"]
    document = {"title": "event", "type": "object", "required": ["performed_via_github_app", "team", "workflow_run",
                                                                 "category"],
                "properties": {"performed_via_github_app": named(), "team": team,
                               "workflow_run": {"type": "object", "required": ["name"], "properties": {"name": STRING}},
                               "category": {"type": "object", "required": ["title", "slug"], "properties": {
                                   "title": {"type": "string", "enum": ["Garden Tools", "Board Games", "Tea"]},
                                   "slug": {"type": "string", "x-unique": True}}}}}
    records = generate(document, "event", count=60)
    app_roles = ("Bot", "CI", "Deploy", "Sync", "Reviewer", "Drafter", "Stale", "Owners", "Checks", "Scan", "Preview",
                 "Updates", "Notifier", "Triage", "Labeler")
    for r in records:
        app, group = r["performed_via_github_app"], r["team"]
        assert app["name"].endswith(app_roles) and app["slug"] == app["name"].lower().replace(" ", "-")
        for t in (group, group["parent"]):  # a team's parent is a team
            assert t["slug"] == t["name"].lower().replace(" ", "-")
            assert " - " not in t["name"] and len(t["name"].split()) <= 4  # not a product ("Slim Mug - Blue")
        assert r["workflow_run"]["name"][0].isupper() and " - " not in r["workflow_run"]["name"]
    # names may repeat, x-unique slugs may not: the slug is the name's with a short id of its own after it
    titles = [r["category"]["title"] for r in records]
    slugs = [r["category"]["slug"] for r in records]
    assert len(set(titles)) < len(titles) and len(set(slugs)) == len(slugs)
    for title, slug in zip(titles, slugs, strict=True):
        base, _, tail = slug.rpartition("-")
        assert base == title.lower().replace(" ", "-") and re.fullmatch(r"[a-z0-9]{6}", tail), (title, slug)


def test_a_github_node_id_encodes_its_object_s_type_and_id() -> None:
    import base64

    def thing(extra: dict[str, Any]) -> dict[str, Any]:
        fields = {"id": {"type": "integer"}, "node_id": STRING, "url": {"type": "string", "format": "uri"}, **extra}
        return {"type": "object", "required": list(fields), "properties": fields}
    document = {"title": "repository", **thing({"owner": thing({}), "license": thing({"key": STRING})})}
    document["properties"]["license"]["properties"].pop("id")
    document["properties"]["license"]["required"].remove("id")
    records = generate(document, "repository", count=40)
    for r in records:
        assert base64.b64decode(r["node_id"]).decode() == f"10:Repository{r['id']}"
        assert base64.b64decode(r["owner"]["node_id"]).decode() == f"04:User{r['owner']['id']}"
        assert base64.b64decode(r["license"]["node_id"]).decode() == f"07:License{r['license']['key']}"


def test_a_named_thing_with_a_shape_of_its_own_keeps_its_value() -> None:
    document = {"title": "repository", "type": "object", "required": ["full_name", "name"], "properties": {
        "full_name": {"type": "string", "pattern": "^[a-z]+/[a-z]+$"}, "name": STRING}}
    records = generate(document, "repository", count=30)
    assert all(r["full_name"].split("/")[1] != r["name"] for r in records)
    short = {"title": "app", "type": "object", "required": ["name", "slug"], "properties": {
        "name": STRING, "slug": {"type": "string", "minLength": 40}}}  # no slug of a name is that long
    records = generate(short, "app", count=30)  # generate() checks each record against the schema
    assert all(len(r["slug"]) >= 40 for r in records)


def test_a_declared_order_is_the_only_order() -> None:
    stamp = {"type": "string", "format": "date-time"}
    document = {"title": "audit", "type": "object", "required": ["created_at", "updated_at"],
                "properties": {"created_at": stamp, "updated_at": stamp},
                "x-coherence": [{"kind": "ordered", "fields": ["updated_at", "created_at"]}]}  # the author's say
    records = generate(document, "audit", count=50)
    assert all(r["updated_at"] <= r["created_at"] for r in records)


def test_the_name_index_finds_the_rows_asking_each_row_finds() -> None:
    # _rows_named looks a name up in an index of every row's patterns (names, prefixes, suffixes, parts, the
    # rest by regex); asking each row's own patterns in turn must find the same rows in the same order, for
    # the table's own names and near misses, and with a user's rows (wildcards of every shape) put first.
    from pytest_testdata.generators.traditional import field_names as fn

    def asked_row_by_row(key: str, json_type: str) -> tuple[Any, ...]:
        return tuple(r for r in fn.rows() if json_type in r.types and fn._patterns(r.names).match(key))

    def names() -> list[str]:
        words = {p.strip("*?[]") for r in fn.rows() for p in r.names} - {""}
        return sorted(words | {f"x_{w}" for w in words} | {f"{w}_x" for w in words} | {f"a{w}b" for w in words}
                      | {"", "x", "id", "name", "sku", "ticket_ref", "my_ticket", "tk1", "tkz"})

    types = ("string", "integer", "number", "boolean", "array", "object")
    register_kind("ticket", lambda rng: "T", field_names=["ticket*", "*_ticket", "*ticket_r*", "tk?", "*"])
    try:
        fn._rows_named.cache_clear()
        for key in names():
            for json_type in types:
                assert fn._rows_named(key, json_type) == asked_row_by_row(key, json_type), (key, json_type)
    finally:
        unregister_kind("ticket")
    fn._rows_named.cache_clear()
    found = 0
    for key in names():
        for json_type in types:
            rows = fn._rows_named(key, json_type)
            assert rows == asked_row_by_row(key, json_type), (key, json_type)
            found += bool(rows)
    assert found > 500


def test_a_number_bounded_only_as_its_type_is_gets_its_name_s_values() -> None:
    """A model's ``Float`` column is read as ``minimum: 0`` and nothing more: a rating is still 1 to 5 with one
    decimal, a price as price lists write it, a weight a parcel's. (Before, any number from 0 to 1,000 with
    fifteen decimals: a recipe's rating of 357.1441454232601.) Integer keys bounded at 1 stay small."""
    schema = Schema.from_json_schema({
        "type": "object", "required": ["id", "rating", "price", "weight"], "x-primary-key": "id",
        "properties": {"id": {"type": "integer", "minimum": 1, "x-unique": True},
                       "rating": {"type": "number", "minimum": 0}, "price": {"type": "number", "minimum": 0},
                       "weight": {"type": "number", "minimum": 0}}}, name="parcel")
    registry = SchemaRegistry()
    registry.register(schema)
    records = Engine(registry=registry).generate(GenerationRequest.checked("parcel", 200, seed=3)).records
    assert all(1 <= r["rating"] <= 5 and round(r["rating"], 1) == r["rating"] for r in records)
    assert all(1 <= r["price"] <= 500 and round(r["price"], 2) == r["price"] for r in records)
    assert sum(str(r["price"]).endswith(".99") for r in records) > 50  # half end in .99, as price lists do
    assert all(0.1 <= r["weight"] <= 30 and round(r["weight"], 2) == r["weight"] for r in records)
    assert max(r["id"] for r in records) < 10_000
