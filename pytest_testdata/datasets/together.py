"""Fields whose combination must not repeat across a dataset (``x-unique-together``).

A link table of a many-to-many relation (``post_tags``: a post and a tag, the pair its primary key), a
membership (``UniqueConstraint("team_id", "user_id")``) or a JSON Schema entity that declares
``"x-unique-together": [["post_id", "tag_id"]]`` holds each combination once. SQLAlchemy models get the
keyword from their composite primary key and their multi-column unique constraints
(``schemas/sources/sqlalchemy.py``).

A combination made only of references is kept apart when the references are assigned
(:func:`spread_distinct`): a record whose combination repeats an earlier one points one of its references
elsewhere. A record repeating a combination that holds a drawn value (a ticket's ``(account_id, seq)``, a
``(first_name, last_name)``) has its drawn values drawn again, its references kept
(``ChunkedEntity._settle``). Every combination is checked with the dataset (:func:`repeats`), so one that
still repeats after those draws is reported as a violation, never hidden.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any

from pytest_testdata.errors import TestdataUsageError

KEYWORD = "x-unique-together"
RULE = "unique_together"
Combination = tuple[str, ...]


def combinations(document: Mapping[str, Any], where: str) -> list[Combination]:
    """The combinations ``document`` declares, checked: lists of two or more of its top-level properties."""
    raw = document.get(KEYWORD)
    if raw is None:
        return []
    props = document.get("properties") or {}
    fix = (f'Write it as a list of lists of top-level property names, e.g. "{KEYWORD}": '
           '[["post_id", "tag_id"]].')
    if not isinstance(raw, list):
        raise TestdataUsageError(f"{where}: {KEYWORD} must be a list of lists of property names, got {raw!r}. {fix}")
    out: list[Combination] = []
    for combo in raw:
        if not isinstance(combo, list) or len(combo) < 2 or not all(isinstance(f, str) for f in combo):
            raise TestdataUsageError(
                f"{where}: {KEYWORD} entry {combo!r} is not a list of two or more property names. {fix}")
        unknown = [f for f in combo if f not in props]
        if unknown:
            raise TestdataUsageError(
                f"{where}: {KEYWORD} names {', '.join(map(repr, unknown))}, which the schema's top-level "
                f"properties do not define (it has: {', '.join(sorted(props)) or 'none'}). {fix}")
        out.append(tuple(combo))
    return out


def check_capacity(entity: str, combos: Sequence[Combination], parents: Mapping[str, tuple[str, int]],
                   records: int, apart: Sequence[Combination] = ()) -> None:
    """A usage error when ``records`` cannot each hold a different combination of references.

    ``parents`` maps a reference field to its parent entity and how many keys that parent has; a combination
    that is also a group kept apart (``datasets/apart.py``: a link table's two ends in one entity) has no
    pair of equal keys.
    """
    for combo in combos:
        if not all(f in parents for f in combo):
            continue  # a drawn value is part of it: checked, not arranged (see the module docstring)
        distinct = tuple(combo) in apart
        room = math.perm(parents[combo[0]][1], len(combo)) if distinct else math.prod(parents[f][1] for f in combo)
        if records > room:
            sizes = " x ".join(f"{parents[f][1] - (n if distinct else 0)} {parents[f][0]}"
                               for n, f in enumerate(combo))
            raise TestdataUsageError(
                f"dataset: {records} {entity} record(s) cannot each have a different ({', '.join(combo)}): "
                f"there are only {sizes} = {room} combinations ({KEYWORD} of {entity}"
                f"{', each pointing at different records' if distinct else ''}). Ask for at most "
                f"{room} {entity} records, or more {' or '.join(dict.fromkeys(parents[f][0] for f in combo))}.")


def spread_distinct(refs: dict[str, list[Any]], combos: Sequence[Combination],
                    keys_of: Callable[[str], Sequence[Any]], rng: random.Random,
                    apart: Sequence[Combination] = (), entity: str = "the",
                    nullable: Collection[str] = ()) -> None:
    """Re-point references in ``refs`` (field -> each record's key) so no combination of ``combos`` made
    only of references repeats. A record whose combination is taken moves its last field to another key
    (scanning the keys from a random place), then the field before it, and so on; a combination that
    would point two fields of a group kept apart (``apart``: ``datasets/apart.py``) at one record is
    passed over. When every combination is taken, a ``nullable`` reference of it is left empty (SQL's
    unique constraints let NULLs repeat: a submission of a player in no team), else it is a usage error.
    Draws from ``rng`` only when a combination repeats, so datasets without repeats are unchanged."""
    for combo in combos:
        if not all(f in refs for f in combo):
            continue
        columns = [refs[f] for f in combo]
        positions = [[combo.index(f) for f in group] for group in apart if set(group) <= set(combo)]
        empty = [n for n, f in enumerate(combo) if f in nullable]
        seen: set[tuple[Any, ...]] = set()
        for i in range(len(columns[0])):
            current = [column[i] for column in columns]
            if None in current:
                continue  # an empty reference: SQL's unique constraints let NULLs repeat
            if tuple(current) in seen:
                moved = _moved(current, combo, seen, keys_of, rng, positions)
                if moved is None and not empty:
                    keys = [len(keys_of(f)) for f in combo]
                    raise TestdataUsageError(
                        f"dataset: no free ({', '.join(combo)}) combination is left for a record of {entity}: all "
                        f"{' x '.join(map(str, keys))} = {math.prod(keys)} are taken ({KEYWORD} of {entity}). Ask "
                        f"for fewer {entity} records, or more of the records its {', '.join(combo)} point at.")
                if moved is None:
                    columns[empty[-1]][i] = None
                    continue
                for column, value in zip(columns, moved, strict=True):
                    column[i] = value
                current = moved
            seen.add(tuple(current))


def _moved(current: list[Any], combo: Combination, seen: set[tuple[Any, ...]],
           keys_of: Callable[[str], Sequence[Any]], rng: random.Random,
           positions: Sequence[Sequence[int]] = ()) -> list[Any] | None:
    """The nearest free combination: one field moved (the last first), else any free one (a dense link
    table can have both the post's every tag and the tag's every post taken); none that ties a group kept
    apart (``positions``: each group's places in the combination). None when every one is taken."""
    from pytest_testdata.datasets.apart import tied

    keys = [keys_of(f) for f in combo]
    for position in reversed(range(len(combo))):
        for choice in from_random_place(keys[position], rng):
            candidate = [*current[:position], choice, *current[position + 1:]]
            if tuple(candidate) not in seen and not tied(candidate, positions):
                return candidate
    total = math.prod(len(k) for k in keys)
    start = rng.randrange(total) if total else 0
    for step in range(total):  # the combinations in mixed radix, from a random place
        index, candidate = (start + step) % total, []
        for choices in reversed(keys):
            index, digit = divmod(index, len(choices))
            candidate.append(choices[digit])
        candidate.reverse()
        if tuple(candidate) not in seen and not tied(candidate, positions):
            return candidate
    return None  # (check_capacity rules this out for combinations of references that are never empty)


def from_random_place(choices: Sequence[Any], rng: random.Random) -> Iterator[Any]:
    """The choices from a random place on, round to the one before it (one draw from ``rng`` once iterated,
    none when there are no choices)."""
    start = rng.randrange(len(choices)) if choices else 0
    for step in range(len(choices)):
        yield choices[(start + step) % len(choices)]


def repeats(records: Sequence[Mapping[str, Any]],
            combos: Sequence[Combination]) -> list[tuple[int, str, str, str]]:
    """(record, field, rule, message) for each record whose combination repeats an earlier record's."""
    out = []
    for combo in combos:
        seen: dict[tuple[Any, ...], int] = {}
        for i, record in enumerate(records):
            values = tuple(record.get(f) for f in combo)
            if None in values:
                continue
            key = tuple(v if isinstance(v, (str, int, float, bool)) else repr(v) for v in values)
            if key in seen:
                out.append((i, combo[-1], RULE, f"({', '.join(combo)}) = {values!r} repeats record "
                                                 f"{seen[key]}'s combination"))
            else:
                seen[key] = i
    return out


__all__ = ["KEYWORD", "RULE", "check_capacity", "combinations", "from_random_place", "repeats", "spread_distinct"]
