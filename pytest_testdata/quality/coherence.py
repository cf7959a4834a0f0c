"""The coherence scorer: the share of a schema's applicable coherence rules a record satisfies."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from typing import Any

from pytest_testdata.quality.rule_acceptor import RuleAcceptor
from pytest_testdata.quality.rules import Rule, rules_of
from pytest_testdata.schemas.model import Schema

PLAIN_FIRST = 8
"""Records a scorer checks rule by rule before it compiles its rule acceptor: the score is the same either
way (the acceptor only spares the rule-by-rule check of records that pass), and a fresh process's first
record (or a test's handful) skips compiling it, some 3 ms for an order. A larger batch compiles it at once."""


class CoherenceScorer:
    """Scores records 0..1 against the schema's ``x-coherence`` rules (1.0 when none applies).

    A record first goes to the schema's :class:`~pytest_testdata.quality.rule_acceptor.RuleAcceptor`
    (every rule compiled into one function); only a record it does not pass is checked rule by rule,
    and that check alone decides its score and what is reported.
    """

    def __init__(self, schema: Schema) -> None:
        self.rules: list[Rule] = rules_of(schema)
        self._name = schema.name
        self._acceptor: RuleAcceptor | None = None
        self._plain_left = PLAIN_FIRST

    @property
    def acceptor(self) -> RuleAcceptor:
        """The rule acceptor, compiled on first use (see :data:`PLAIN_FIRST`)."""
        found = self._acceptor
        if found is None:
            found = self._acceptor = RuleAcceptor(self.rules, self._name)
        return found

    @acceptor.setter
    def acceptor(self, value: RuleAcceptor) -> None:
        self._acceptor = value

    def _plainly(self, count: int) -> bool:
        """Whether ``count`` more records are scored rule by rule (the acceptor not compiled yet)."""
        if self._acceptor is not None or count > self._plain_left:
            return False
        self._plain_left -= count
        return True

    def score(self, record: dict[str, Any]) -> float:
        """1.0 when every applicable rule holds; the fraction that hold otherwise."""
        if self._plainly(1):
            return self.plain_score(record)
        if self.acceptor.function(record):
            return 1.0  # no rule fails (each holds or does not apply)
        return self.plain_score(record)

    def scores(self, records: list[dict[str, Any]], coherent: Collection[int] = ()) -> list[float]:
        """:meth:`score` of each record, in order. Records whose index is in ``coherent`` were built so that
        every rule of this schema holds (the traditional plan vouched for them: generators/traditional/vouch.py)
        and nothing changed them since: they score 1.0 without the rules being checked again."""
        plain = self.plain_score
        if self._plainly(len(records)):
            return [1.0 if index in coherent else plain(record) for index, record in enumerate(records)]
        accept = self.acceptor.function
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
