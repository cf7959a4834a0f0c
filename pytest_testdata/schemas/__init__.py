"""Entity schemas: the model, the registry and the sources (files, OpenAPI documents, model classes)."""

from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry, builtin_schema_dir
from pytest_testdata.schemas.sources import (
    ModelBinding,
    Source,
    SourceAdapter,
    register_adapter,
    schema_from_object,
    source_from_object,
)

__all__ = ["ModelBinding", "Schema", "SchemaRegistry", "Source", "SourceAdapter", "builtin_schema_dir",
           "register_adapter", "schema_from_object", "source_from_object"]
