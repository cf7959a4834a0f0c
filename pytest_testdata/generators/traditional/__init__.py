"""The traditional strategy: schema-compiled plans drawing seeded Faker pools, factory_boy factories."""

from pytest_testdata.generators.traditional.generator import TraditionalGenerator
from pytest_testdata.generators.traditional.plan import Plan, compile_plan, plan_for

__all__ = ["Plan", "TraditionalGenerator", "compile_plan", "plan_for"]
