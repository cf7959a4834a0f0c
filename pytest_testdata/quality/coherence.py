"""The coherence scorer: the share of a schema's applicable coherence rules a record satisfies."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from typing import Any

from pytest_testdata.quality.rule_acceptor import RuleAcceptor
from pytest_testdata.quality.rules import Rule, build_rules
from pytest_testdata.schemas.model import Schema


class CoherenceScorer:
    """Scores records 0..1 against the schema's ``x-coherence`` rules (1.0 when none applies).

    A record first goes to the schema's :class:`~pytest_testdata.quality.rule_acceptor.RuleAcceptor`
    (every rule compiled into one function); only a record it does not pass is checked rule by rule,
    and that check alone decides its score and what is reported.
    """

    def __init__(self, schema: Schema) -> None:
        self.rules: list[Rule] = build_rules(schema.coherence, schema.source)
        self.acceptor = RuleAcceptor(self.rules, schema.name)

    def score(self, record: dict[str, Any]) -> float:
        """1.0 when every applicable rule holds; the fraction that hold otherwise."""
        if self.acceptor.function(record):
            return 1.0  # no rule fails (each holds or does not apply)
        return self.plain_score(record)

    def scores(self, records: list[dict[str, Any]], coherent: Collection[int] = ()) -> list[float]:
        """:meth:`score` of each record, in order. Records whose index is in ``coherent`` were built so that
        every rule of this schema holds (the traditional plan vouched for them: generators/traditional/vouch.py)
        and nothing changed them since: they score 1.0 without the rules being checked again."""
        accept, plain = self.acceptor.function, self.plain_score
        if not coherent:
            return [1.0 if accept(record) else plain(record) for record in records]
        return [1.0 if index in coherent or accept(record) else plain(record)
                for index, record in enumerate(records)]

    def plain_score(self, record: dict[str, Any]) -> float:
        """The score from the rules checked one by one (what :meth:`score` gives, without the shortcut)."""
        applicable = passed = 0
        for rule in self.rules:
            try:
                outcome = rule.check(record)
            except (TypeError, ValueError, KeyError, AttributeError):
                outcome = False  # malformed values (an LLM's, say) count as incoherent, never crash
            if outcome is not None:
                applicable += 1
                passed += outcome
        return passed / applicable if applicable else 1.0

    def failed_rules(self, record: dict[str, Any]) -> list[str]:
        """Descriptions of the rules the record breaks (for reports and repair prompts)."""
        if self.acceptor.function(record):
            return []
        failed = []
        for rule in self.rules:
            try:
                ok = rule.check(record)
            except (TypeError, ValueError, KeyError, AttributeError):
                ok = False
            if ok is False:
                failed.append(rule.describe())
        return failed


@lru_cache(maxsize=256)
def scorer_for(schema: Schema) -> CoherenceScorer:
    """One scorer per schema (building the rules is done once)."""
    return CoherenceScorer(schema)
