"""Generation cassettes: recorded LLM exchanges that make the LLM strategy reproducible.

Light to import: :mod:`vcr` is imported only when a cassette is opened (see :mod:`.cassettes`).
"""

from pytest_testdata.recording.keys import cassette_path_for, inputs_header, rerecord_command

__all__ = ["cassette_path_for", "inputs_header", "rerecord_command"]
