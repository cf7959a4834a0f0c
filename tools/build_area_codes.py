"""Write ``pytest_testdata/locales/data/area_codes.json``: the NANP area codes of each state or province.

Run from the repository root after the country files change (``tools/build_locale_data.py``)::

    python tools/build_area_codes.py

The table is derived from the shipped US and CA files alone (each place's phone area lists fixed-line
ranges, whose first three digits are the area code): it is shipped so that a fresh process's first user
record reads it instead of computing it. ``tests/test_locale_data.py`` checks that the shipped table is
what this script computes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pytest_testdata.locales.countries import NANP
from pytest_testdata.locales.gazetteer import AREA_CODES_FILE, DATA_DIR, compute_area_codes


def table() -> dict[str, dict[str, list[str]]]:
    """The file's content: country -> state -> sorted area codes."""
    return {country: compute_area_codes(country) for country in sorted(NANP)}


def main() -> None:
    text = json.dumps(table(), separators=(",", ":"), sort_keys=True)
    (DATA_DIR / f"{AREA_CODES_FILE}.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
