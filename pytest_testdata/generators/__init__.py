"""Generators: one per strategy, behind the :class:`~pytest_testdata.generators.base.Generator` protocol."""

from pytest_testdata.generators.base import GENERATORS, Generator, GeneratorOutput, load_generator

__all__ = ["GENERATORS", "Generator", "GeneratorOutput", "load_generator"]
