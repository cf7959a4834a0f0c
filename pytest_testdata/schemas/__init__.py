"""Entity schemas: the model and the registry."""

from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry, builtin_schema_dir

__all__ = ["Schema", "SchemaRegistry", "builtin_schema_dir"]
