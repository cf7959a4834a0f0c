"""Text about the dataset's records: for the llm and hybrid strategies, references are chosen first.

A review written by a model must be about the product the dataset gives it. So for an entity whose text a
model writes, the builder picks each record's references before anything is generated (the product and
the buyer of a review, from the orders, by the same rules as for any other strategy), groups the records
by what they are about (the referenced records that have a ``name``: the product), and asks the model for
each group with a context naming it: the product's name and category, the buyers' names. The generated
records take their group's references, so the text and the keys agree.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from pytest_testdata.datasets.graph import DatasetPlan
from pytest_testdata.errors import GenerationError, LLMFallbackWarning
from pytest_testdata.generators.base import GeneratorOutput
from pytest_testdata.generators.host import COLLECT_WARNINGS
from pytest_testdata.seeding import derive_seed
from pytest_testdata.types import GenerationRequest, Record

DETAILS = ("category", "brand")
"""Fields of a named record that a context mentions besides its name, when present."""


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _person(record: Record) -> str | None:
    first, last = _text(record.get("first_name")), _text(record.get("last_name"))
    return " ".join(p for p in (first, last) if p) or _text(record.get("full_name"))


def _thing(entity: str, record: Record) -> str | None:
    name = _text(record.get("name")) or _text(record.get("title"))
    if name is None:
        return None
    details = [f"{d}: {record[d]}" for d in DETAILS if _text(record.get(d))]
    return f'the {entity} "{name}"' + (f" ({', '.join(details)})" if details else "")


class About:
    """The references of one entity's records, chosen before generation, and the contexts they give."""

    def __init__(self, plan: DatasetPlan, entity: str, stubs: list[Record],
                 find: Callable[[str, str, Any], Record | None], fallback: str | None = None) -> None:
        self.plan, self.entity, self.stubs, self.find = plan, entity, stubs, find
        self.fallback = fallback
        """The context for records about nothing named (the request's, with examples of what they refer to)."""

    def _referenced(self, stub: Record) -> list[tuple[str, Record]]:
        out = []
        for edge in self.plan.edges_of(self.entity):
            key = stub.get(edge.path)
            parent = self.find(edge.parent, edge.parent_field, key) if key is not None else None
            if parent is not None:
                out.append((edge.parent, parent))
        return out

    def groups(self) -> dict[tuple[str, ...], list[int]]:
        """Record positions by what they are about (the named records they refer to)."""
        out: dict[tuple[str, ...], list[int]] = {}
        for i, stub in enumerate(self.stubs):
            subject = tuple(t for t in (_thing(e, r) for e, r in self._referenced(stub)) if t)
            out.setdefault(subject, []).append(i)
        return out

    def context(self, base: str | None, subject: tuple[str, ...], positions: Sequence[int]) -> str | None:
        """The request's context plus what this group's records are about and who wrote them."""
        parts = [base] if base else []
        if not subject and self.fallback:
            parts = [self.fallback]
        if subject:
            parts.append(f"Every {self.entity} here is about {' and '.join(subject)}; write about it by name.")
        people = []
        for i in positions:
            names = [_person(r) for _, r in self._referenced(self.stubs[i])]
            people += [n for n in names if n]
        if people:
            shown = list(dict.fromkeys(people))
            parts.append(f"Written by {', '.join(shown[:20])}{' and others' if len(shown) > 20 else ''} "
                         f"(one {self.entity} each).")
        return " ".join(parts) or None

    def generate(self, generate: Callable[[GenerationRequest], GeneratorOutput], wanted: GenerationRequest,
                 seed: int) -> tuple[GeneratorOutput, list[Record]]:
        """One request per group (a context naming its subject); the records in stub order. The requests
        ask for their warnings back (:data:`COLLECT_WARNINGS`, which the llm and hybrid strategies honour),
        and they become one for the entity (:func:`_one_warning`) instead of one a request."""
        records: list[Record | None] = [None] * len(self.stubs)
        first: GeneratorOutput | None = None
        details: dict[str, Any] = {}
        warned: list[str] = []
        groups = self.groups()
        wanted = wanted.replace(options={**wanted.options, COLLECT_WARNINGS: True})
        for n, (subject, positions) in enumerate(groups.items()):
            request = wanted.replace(count=len(positions), seed=derive_seed(seed, "about", n),
                                     context=self.context(wanted.context, subject, positions))
            output = generate(request)
            warned += output.details.pop("warnings", [])
            if len(output.records) != len(positions):
                raise GenerationError(
                    f"dataset: the {output.strategy or wanted.strategy} strategy returned {len(output.records)} "
                    f"{self.entity} record(s) for a request of {len(positions)}.")
            for i, record in zip(positions, output.records, strict=True):
                records[i] = {**record, **self.stubs[i]}  # the references chosen before the text
            first = first or output
            for key, value in output.details.items():
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                details[key] = details.get(key, 0) + value if numeric else details.get(key, value)
        assert first is not None or not self.stubs
        if warned:
            _one_warning(self.entity, warned, len(groups), details.get("fallback", 0), len(self.stubs))
        merged = GeneratorOutput([r for r in records if r is not None], details=details)
        if first is not None:
            merged.reason, merged.strategy, merged.provider = first.reason, first.strategy, first.provider
            merged.model, merged.cassette = first.model, first.cassette
        return merged, merged.records


_ALL_FELL_BACK = re.compile(r"; fell back to (traditional|RAG-only \(retrieved patterns\)) for all \d+ records$")
"""The end of a warning for a whole request that fell back (the llm strategy's, or hybrid's)."""


def _one_warning(entity: str, messages: list[str], requests: int, fell_back: int, total: int) -> None:
    """The warnings of a dataset entity's requests (one per subject) as one: the same reason for every
    request said once with the entity's total, else the totals and the first request's message (the
    metadata's ``fallback_reasons`` keep the reasons)."""
    reasons = {_ALL_FELL_BACK.sub("", m) for m in messages}
    ends = [_ALL_FELL_BACK.search(m) for m in messages]
    instead = {end.group(1) for end in ends if end is not None}
    if len(messages) == 1 and requests == 1:
        text = messages[0]
    elif len(reasons) == 1 and len(messages) == requests and all(ends) and len(instead) == 1:
        text = (f"{reasons.pop()}; fell back to {instead.pop()} for all {total} records ({requests} requests, one "
                "per subject their text is about)")
    else:
        share = f"{fell_back} of {total} {entity} records fell back to traditional" if fell_back else (
            f"{len(messages)} of the {requests} requests for {entity} records warned")
        text = (f"dataset: {share} ({requests} requests, one per subject their text is about); the first "
                f"warning: {messages[0]}")
    warnings.warn(LLMFallbackWarning(text), stacklevel=4)
