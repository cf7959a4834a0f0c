"""A ``name`` or ``title`` means what its parent is (issue 9, item 4): a Petstore ``Pet``'s name is a pet's
name, an issue's or ticket's title a summary line, a milestone's a milestone title, an article's a headline,
an employee's a job title, and a product's stays a product name. Asked for as a new user would: an OpenAPI
document registered in ``testdata_schemas``, through the fixture, the ``testdata`` command and
``generate(Model, n)``; every record is also checked against its schema by ``jsonschema``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from pytest_testdata import Engine, GenerationRequest, generate
from pytest_testdata.cli import main
from pytest_testdata.generators.traditional.context_texts import (
    DEPARTMENTS,
    PET_NAMES,
    ROLES,
    THING_FIRST,
    THING_SECOND,
)
from pytest_testdata.generators.traditional.kind_values import _faker_data
from pytest_testdata.generators.traditional.vocab import PRODUCT_ADJECTIVES
from pytest_testdata.schemas import Schema, SchemaRegistry

PETSTORE = """
openapi: 3.0.4
info: {title: Swagger Petstore - OpenAPI 3.0, version: 1.0.27}
paths: {}
components:
  schemas:
    Category:
      type: object
      properties:
        id: {type: integer, format: int64, example: 1}
        name: {type: string, example: Dogs}
    Tag:
      type: object
      properties:
        id: {type: integer, format: int64}
        name: {type: string}
    Pet:
      required: [name, photoUrls]
      type: object
      properties:
        id: {type: integer, format: int64, example: 10}
        name: {type: string, example: doggie}
        category: {$ref: '#/components/schemas/Category'}
        photoUrls: {type: array, items: {type: string}}
        tags: {type: array, items: {$ref: '#/components/schemas/Tag'}}
        status: {type: string, enum: [available, pending, sold]}
"""
STRING = {"type": "string"}
MILESTONE = re.compile(r"^(v\d+\.\d+(\.\d+)?|Sprint \d+|Q[1-4] \d{4} release|[A-Z][a-z]+ \d{4})$")


def is_product_name(value: str) -> bool:
    """The shape of a generated product name: ``Premium Yoga Mat``, ``Deluxe Cookbook - Black``."""
    return value.split()[0] in PRODUCT_ADJECTIVES


def is_thing_name(value: str) -> bool:
    """The shape of the generic name of a thing no row knows: ``Silver Harbor``, ``The Copper Foxes``."""
    words = value.removeprefix("The ").split()
    plurals = {w + ("es" if w.endswith(("x", "s", "sh", "ch")) else "s") for w in THING_SECOND}
    return len(words) in (2, 3) and words[0] in THING_FIRST and words[1] in {*THING_SECOND, *plurals}


def is_summary_line(value: str) -> bool:
    """An issue's title as people write them: a few words in sentence case, no full stop."""
    words = value.split()
    return not is_product_name(value) and 3 <= len(words) <= 16 and value[0].isupper() and not value.endswith(".") \
        and any(w[0].islower() for w in words[1:])


def records(document: dict[str, Any], name: str, count: int = 60, seed: int = 4) -> list[dict[str, Any]]:
    registry = SchemaRegistry(builtins=False)
    registry.register(Schema.from_json_schema(document, name=name))
    result = Engine(registry).generate(GenerationRequest.checked(name, count, seed=seed))
    validator = Draft202012Validator(document, format_checker=FormatChecker())
    assert [e.message for r in result.records for e in validator.iter_errors(r)] == []
    return result.records


def entity(title: str, /, **properties: dict[str, Any]) -> dict[str, Any]:
    return {"title": title, "type": "object", "required": list(properties), "properties": properties}


def test_a_petstore_pet_is_named_like_a_pet_through_the_fixture(pytester: pytest.Pytester) -> None:
    (pytester.path / "schemas").mkdir()
    (pytester.path / "schemas" / "petstore.yaml").write_text(PETSTORE)
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\ntestdata_schemas = ["schemas"]\n')
    pytester.makepyfile(test_pets="""
        from pytest_testdata.generators.traditional.context_texts import (DEPARTMENTS, PET_NAMES, ROLES, THING_FIRST,
                                                                  THING_SECOND)

        def test_pets(testdata):
            pets = testdata("Pet", count=50)
            assert all(pet["name"] in PET_NAMES for pet in pets), [p["name"] for p in pets]
            assert len({pet["name"] for pet in pets}) > 20
            assert all(tag["name"] != pet["name"] for pet in pets for tag in pet.get("tags", []))
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_pet_s_name_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "petstore.yaml").write_text(PETSTORE)
    assert main(["--schemas", str(tmp_path), "generate", "Pet", "-n", "30", "--seed", "3"]) == 0
    pets = json.loads(capsys.readouterr().out)
    assert all(pet["name"] in PET_NAMES for pet in pets)


def test_pet_names_by_field_name_and_by_model() -> None:
    from pydantic import BaseModel

    class Dog(BaseModel):
        name: str
        breed: str

    class Adoption(BaseModel):
        pet_name: str
        adopter_name: str

    assert all(dog.name in PET_NAMES for dog in generate(Dog, 30, seed=2).objects)
    assert all(a.pet_name in PET_NAMES and a.pet_name not in a.adopter_name
               for a in generate(Adoption, 30, seed=2).objects)


@pytest.mark.parametrize("parent", ["issue", "ticket", "task", "todo", "pull_request", "bug"])
def test_the_title_of_a_piece_of_work_is_a_summary_line(parent: str) -> None:
    titles = [r["title"] for r in records(entity(parent, title=STRING, body=STRING), parent)]
    assert not [t for t in titles if is_product_name(t) or not is_summary_line(t)]
    assert len(set(titles)) > 40


def test_nested_titles_follow_their_own_parent() -> None:
    """A GitHub issue: its own title, its milestone's, its pull request's and its assignee's (a person)."""
    document = entity("issue", title=STRING, milestone=entity("milestone", title=STRING, due_on=STRING),
                      pull_request=entity("pull_request", title=STRING),
                      assignee=entity("assignee", login=STRING, name=STRING))
    for issue in records(document, "issue"):
        assert is_summary_line(issue["title"]) and is_summary_line(issue["pull_request"]["title"])
        assert MILESTONE.match(issue["milestone"]["title"]), issue["milestone"]
        assert " " in issue["assignee"]["name"] and not is_product_name(issue["assignee"]["name"])


def test_a_ticket_s_subject_and_a_task_s_name_are_summary_lines() -> None:
    assert all(is_summary_line(r["subject"]) for r in records(entity("ticket", subject=STRING), "ticket"))
    assert all(is_summary_line(r["name"]) for r in records(entity("task", name=STRING), "task"))


@pytest.mark.parametrize("parent", ["article", "post", "blog_post", "book", "page", "documents", "contents"])
def test_the_title_of_an_article_is_a_headline(parent: str) -> None:
    titles = [r["title"] for r in records(entity(parent, title=STRING, body=STRING), parent)]
    assert not [t for t in titles if is_product_name(t) or t.endswith(".") or not 3 <= len(t.split()) <= 12]
    assert len(set(titles)) > 40


def test_a_person_s_title_is_a_job_and_a_product_s_title_a_product_name() -> None:
    jobs = set(_faker_data()["jobs"])
    assert all(r["title"] in jobs for r in records(entity("employee", name=STRING, title=STRING), "employee"))
    assert all(r["title"] in jobs for r in records(entity("contact", title=STRING), "contact"))
    assert all(is_product_name(r["title"]) for r in records(entity("product", title=STRING), "product"))


def test_a_title_with_constraints_the_kind_cannot_meet_stays_valid() -> None:
    document = entity("issue", title={"type": "string", "maxLength": 6})
    assert all(len(r["title"]) <= 6 for r in records(document, "issue"))


def test_a_parent_that_describes_a_thing_is_not_that_thing() -> None:
    """GitHub's ``issue-type`` and ``organization-update-issue-field``: their ``name`` is no issue title."""
    for parent in ("issue-type", "issue_field", "pet_type", "task_status"):
        names = [r["name"] for r in records(entity(parent, name=STRING), parent)]
        assert all(is_thing_name(n) for n in names), parent  # the generic name, as for any other parent


def test_a_thing_no_row_knows_is_named_as_a_thing_not_a_product() -> None:
    """A band, a project or a hotel was named like a product (``Ultra Throw Blanket``); a department and a role
    get names of their own."""
    for parent in ("band", "project", "hotel", "campaign"):
        names = [r["name"] for r in records(entity(parent, name=STRING), parent)]
        assert all(is_thing_name(n) and not is_product_name(n) for n in names), (parent, names)
        assert len(set(names)) > len(names) // 2
    departments = [r["name"] for r in records(entity("department", name=STRING), "department")]
    assert set(departments) <= set(DEPARTMENTS) and len(set(departments)) > 3
    roles = [r["name"] for r in records(entity("role", name=STRING), "role")]
    assert set(roles) <= set(ROLES) and len(set(roles)) > 3
    lines = [r["lines"][0]["name"] for r in records(entity("invoice", lines={  # an invoice's lines: products
        "type": "array", "minItems": 1, "items": {"type": "object", "properties": {"name": STRING},
                                                  "required": ["name"]}}), "invoice")]
    assert all(is_product_name(n) for n in lines)


USER = entity("simple-user", login=STRING, name=STRING, email=STRING, avatar_url=STRING)


def test_github_style_objects_name_people_repositories_branches_and_releases() -> None:
    """GitHub's user object sits under many names (``closed_by``, ``uploader``, ``pinned_by``): its ``name``
    is a person's wherever it is; a repository's ``name`` and ``full_name`` are a slug and ``owner/slug``, its
    branches branch names, its topics tags; a release's ``tag_name`` a version."""
    document = entity("issue", closed_by=USER, uploader=USER,
                      pin=entity("pin", pinned_by=USER),
                      repository=entity("repository", name=STRING, full_name=STRING, default_branch=STRING,
                                        topics={"type": "array", "minItems": 1, "items": STRING}),
                      release=entity("release", tag_name=STRING, name=STRING))
    slug = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
    for issue in records(document, "issue"):
        for person in (issue["closed_by"], issue["uploader"], issue["pin"]["pinned_by"]):
            assert not is_product_name(person["name"]) and len(person["name"].split()) >= 2, person
        repository = issue["repository"]
        assert slug.match(repository["name"]), repository
        owner, _, name = repository["full_name"].partition("/")
        assert owner and slug.match(name), repository
        branch = repository["default_branch"]
        assert branch in ("main", "master", "develop", "staging") or re.match(r"^(release|feature|fix|docs)/", branch)
        assert all(" " not in topic and not topic.endswith(".") for topic in repository["topics"])
        assert re.match(r"^v?\d+\.\d+\.\d+$", issue["release"]["tag_name"]), issue["release"]
        assert MILESTONE.match(issue["release"]["name"]), issue["release"]


def test_a_name_beside_an_email_is_a_person_s_but_a_company_s_stays_a_company() -> None:
    document = entity("order", approval=entity("approval", name=STRING, email=STRING),
                      company=entity("company", name=STRING, email=STRING))
    for order in records(document, "order"):
        assert not is_product_name(order["approval"]["name"]) and " " in order["approval"]["name"]
        assert not is_product_name(order["company"]["name"])


def test_a_food_app_s_recipes_foods_and_units_have_names_of_their_kind() -> None:
    """A recipe manager's tables (an open-source one's ``recipes``, ``ingredient_foods``, ``ingredient_units``):
    a recipe's name or title is a dish, a food's an ingredient, a unit's a unit of measure. (A recipe was named
    ``The Iron Harvests``, a food ``Bright Garden 7``, a unit ``Copper Beacon``.)"""
    from pytest_testdata.generators.traditional.context_texts import DISH_KINDS, INGREDIENTS, UNITS

    dishes = [r["name"] for r in records(entity("recipes", name=STRING), "recipes")]
    dishes += [r["title"] for r in records(entity("meal", title=STRING), "meal")]
    assert all(d.split()[-1] in DISH_KINDS or " ".join(d.split()[-2:]) in DISH_KINDS for d in dishes), dishes
    assert len(set(dishes[:60])) > 30
    foods = [r["name"] for r in records(entity("ingredient_foods", name=STRING), "ingredient_foods")]
    assert set(foods) <= set(INGREDIENTS) and len(set(foods)) > 5
    units = [r["name"] for r in records(entity("ingredient_units", name=STRING), "ingredient_units")]
    assert set(units) <= set(UNITS) and len(set(units)) > 5
    flats = [r["name"] for r in records(entity("units", name=STRING), "units")]  # a flat's unit is no cup
    assert not set(flats) & set(UNITS)
