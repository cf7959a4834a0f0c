"""Entity sources: where schemas come from besides the built-in files (SQLAlchemy models: ``sqlalchemy``)."""
