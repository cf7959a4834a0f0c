"""Write each country's ready form, ``pytest_testdata/locales/data/<CC>.marshal``, from its ``<CC>.json``.

Run from the repository root after the country files change (``tools/build_locale_data.py``)::

    python tools/build_country_ready.py

The JSON files stay the data's source (and what a reader opens); the ready form holds the same data as
``gazetteer.country_data`` builds it, which Python reads about three times faster
(:func:`pytest_testdata.locales.gazetteer.ready_form`). A form that no longer matches its file is never
used (its header names the file's CRC-32 and length), and ``tests/test_locale_data.py`` fails until this
script is run again.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pytest_testdata.locales.countries import COUNTRY_LOCALES
from pytest_testdata.locales.gazetteer import DATA_DIR, READY_SUFFIX, ready_form


def countries() -> list[str]:
    """The countries whose data is shipped (one ``<CC>.json`` each)."""
    return sorted(country for country in COUNTRY_LOCALES if (DATA_DIR / f"{country}.json").is_file())


def main() -> None:
    for country in countries():
        source = (DATA_DIR / f"{country}.json").read_bytes()
        (DATA_DIR / f"{country}{READY_SUFFIX}").write_bytes(ready_form(country, source))


if __name__ == "__main__":
    main()
