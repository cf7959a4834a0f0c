"""References of one record that must point at different records: a transfer's two accounts, a match's two
teams (a ``different`` rule on reference fields, or a model's ``CHECK (from_account_id <> to_account_id)``),
and the two ends of a link table to one entity (``follows``: a person does not follow themselves).

:func:`groups` finds them in the plan; :func:`keep_apart` re-points a record's later reference when it
points where an earlier one of its group does, as the references are assigned, so the rule holds by
construction. It draws from the random stream only when it moves one: datasets without such a tie are
unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pytest_testdata.datasets.together import from_random_place
from pytest_testdata.errors import TestdataUsageError

Group = tuple[str, ...]


def groups(entity: str, coherence: Sequence[Mapping[str, Any]], together: Sequence[Group],
           parents: Mapping[str, tuple[str, int]]) -> list[Group]:
    """The entity's groups of references kept apart: each ``different`` rule whose fields are all top-level
    references to one entity, and each ``x-unique-together`` combination made of two or more references to
    one entity (a link table's two ends). ``parents`` maps a reference field to its parent and how many
    records that has; a group larger than that is a usage error."""
    found: list[Group] = []
    for spec in coherence:
        fields = spec.get("fields")
        if spec.get("kind") == "different" and isinstance(fields, list) and _one_parent(fields, parents):
            found.append(tuple(fields))
    for combo in together:
        if _one_parent(list(combo), parents) and tuple(combo) not in found:
            found.append(tuple(combo))
    for group in found:
        parent, count = parents[group[0]]
        if count < len(group):
            raise TestdataUsageError(
                f"dataset: each {entity} record's {', '.join(group)} point at different {parent} records, and "
                f"there are {count} {parent} record(s). Ask for at least {len(group)} {parent} records.")
    return found


def _one_parent(fields: list[Any], parents: Mapping[str, tuple[str, int]]) -> bool:
    return len(fields) >= 2 and all(isinstance(f, str) and f in parents for f in fields) \
        and len({parents[f][0] for f in fields}) == 1


def keep_apart(refs: dict[str, list[Any]], found: Sequence[Group], keys_of: Callable[[str], Sequence[Any]],
               rng: random.Random) -> None:
    """Re-point references in ``refs`` (field -> each record's key) so that no record's fields of a group
    hold the same key: a later field equal to an earlier one moves to the next free key from a random
    place."""
    for group in found:
        if not all(f in refs for f in group):
            continue
        columns = [refs[f] for f in group]
        for i in range(len(columns[0])):
            taken: set[Any] = set()
            for field, column in zip(group, columns, strict=True):
                value = column[i]
                if value is None:
                    continue
                if value in taken:
                    value = next(key for key in from_random_place(keys_of(field), rng) if key not in taken)
                    column[i] = value
                taken.add(value)


def tied(values: Sequence[Any], positions: Sequence[Sequence[int]]) -> bool:
    """Whether a combination's values (in the combination's order) hold one key twice in a group (the
    group's fields given by their positions in the combination)."""
    return any(len({values[p] for p in group if values[p] is not None})
               != sum(values[p] is not None for p in group) for group in positions)
