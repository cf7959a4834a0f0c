"""A request made by ``GenerationRequest.checked`` or ``replace`` (slots written directly) is the same value
the dataclass makes: equal, frozen; ``replace`` of a field that does not exist is a TypeError."""

from __future__ import annotations

import dataclasses

import pytest

from pytest_testdata.types import FieldConstraint, GenerationRequest


def test_a_checked_request_is_the_dataclass_value() -> None:
    made = GenerationRequest.checked("cart", 3, strategy="traditional", seed=4, hints=["fast"], locale="de_DE",
                                     constraints={"total": {"max": 500}}, options={"coverage": "required"})
    plain = GenerationRequest("cart", 3, "traditional", {"total": FieldConstraint(maximum=500)}, None, ("fast",),
                              4, "valid", False, False, "de_DE", {"coverage": "required"}, True)
    assert made == plain
    assert repr(made) == repr(plain)
    bare = GenerationRequest.checked("user")
    assert bare == GenerationRequest("user")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.seed = 5  # type: ignore[misc]


def test_replace_changes_only_the_named_fields() -> None:
    request = GenerationRequest.checked("user", 10, seed=1, locale="fr_FR", hints="minimal")
    changed = request.replace(seed=None, count=2)
    assert changed == dataclasses.replace(request, seed=None, count=2)
    assert (changed.seed, changed.count, changed.locale, changed.options) == (None, 2, "fr_FR",
                                                                              {"coverage": "required"})
    assert request.seed == 1 and request.count == 10  # the original is untouched
    with pytest.raises(TypeError, match="sed"):
        request.replace(sed=2)
