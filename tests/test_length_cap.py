"""The plugin's side of the length cap (the agent's is tests/agent/test_length_cap.py): a caller's
``min_length`` of 10**9 fails the test with the field and the cap, at once, rather than hanging it."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("call", "message"), [
    ('testdata("user", constraints={"first_name": {"min_length": 10**9}})',
     "*constraints['first_name']: min_length 1,000,000,000 is above the cap of 10,000 a length bound may have "
     "(10,000 characters for a string, 1,000 items for a list). Use 10,000 or less."),
    ('testdata("user", 3, constraints={"addresses": {"min_length": 5000}})',
     "*constraints['addresses'] (user.addresses): min_length 5,000 is above the cap of 1,000 items*"),
], ids=["string", "list"])
def test_a_length_above_the_cap_fails_the_test_with_field_and_cap(pytester: pytest.Pytester, call: str,
                                                                  message: str) -> None:
    pytester.makepyfile(test_big=f"""
        def test_it(testdata):
            {call}
    """)
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    errors = [line for line in result.stdout.lines if line.startswith("E   ")]
    assert any(message.lstrip("*").split("*")[0] in line for line in errors), errors


def test_a_length_above_the_cap_in_a_marker_is_an_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_marked="""
        import pytest

        @pytest.mark.testdata("user", constraints={"last_name": {"length": 10**9}})
        def test_it(user):
            pass
    """)
    result = pytester.runpytest("-q")
    assert result.ret != 0
    assert "constraints['last_name']: min_length 1,000,000,000 is above the cap" in result.stdout.str()
