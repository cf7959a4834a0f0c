"""Datasets: linked entities with referential integrity and cross-entity coherence (``x-dataset-coherence``),
generated in dependency order and optionally loaded into a database. See docs/datasets.md.

Importing this package is light: SQLAlchemy and psycopg are imported only by the loading modules.
"""

from pytest_testdata.datasets.build import build_dataset, generate_dataset
from pytest_testdata.datasets.cardinality import Cardinality
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.datasets.result import BrokenRule, Dataset, DatasetViolation, EntityMetadata

__all__ = ["BrokenRule", "Cardinality", "Dataset", "DatasetRequest", "DatasetViolation", "EntityMetadata",
           "build_dataset", "generate_dataset"]
