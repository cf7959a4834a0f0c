"""Record quality: the constraint validator and the coherence scorer."""

from pytest_testdata.quality.coherence import CoherenceScorer
from pytest_testdata.quality.validator import Validator

__all__ = ["CoherenceScorer", "Validator"]
