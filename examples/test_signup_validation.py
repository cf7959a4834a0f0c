"""Sign-up validation: the API model must accept real users and reject each broken rule.

``variant="invalid"`` turns one test into one case per rule of the user schema (ids such as
``invalid-user_id-format`` or ``invalid-email-format+email_from_name``); each record breaks that rule, and
what the id says it must break with it.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from shop import Signup


@pytest.mark.testdata("user", count=20)
def test_accepts_generated_users(user: list[dict[str, Any]]) -> None:
    for record in user:
        Signup.model_validate(record)


@pytest.mark.testdata("user", variant="invalid")
def test_rejects_each_broken_rule(user: dict[str, Any], testdata: Any) -> None:
    (rule_id,) = testdata.last.metadata.details["broken_rules"]  # "email-format+email_from_name"
    named = rule_id.split("+")[0]
    assert any(v.rule == named.rsplit("-", 1)[1] for v in testdata.last.metadata.violations)
    with pytest.raises(ValidationError) as info:
        Signup.model_validate(user)
    broken_field = named.rsplit("-", 1)[0].split(".")[0]
    assert any(str(error["loc"][0]) == broken_field for error in info.value.errors())


def test_users_from_one_country_agree(testdata: Any) -> None:
    users = testdata("user", count=5, locale="de_DE")
    for u in users:
        assert {a["country"] for a in u["addresses"]} == {"DE"}
        assert u["phone"].startswith("+49 ")
