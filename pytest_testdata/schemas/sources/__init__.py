"""Entity sources: what turns a user's description of an entity into the JSON Schema the core consumes.

:mod:`~pytest_testdata.schemas.sources.jsonschema` reads JSON Schema itself (2020-12, 2019-09, draft-07,
06 and 04) into the generation view every strategy works from; other sources (OpenAPI, Python models,
SQLAlchemy models: ``sqlalchemy``) convert to JSON Schema and go through it.
"""
