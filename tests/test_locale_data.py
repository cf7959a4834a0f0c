"""The shipped country data (pytest_testdata/locales/data/) holds what its build scripts say it holds."""

from __future__ import annotations

import importlib.util
import json
import marshal
import shutil
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.locales import gazetteer
from pytest_testdata.locales.countries import COUNTRY_LOCALES, NANP, POSTAL_CODES
from pytest_testdata.locales.gazetteer import (
    AREA_CODES_FILE,
    DATA_DIR,
    READY_SUFFIX,
    area_codes_by_state,
    country_data,
    data_fields,
)

TOOLS = Path(__file__).resolve().parent.parent / "tools"


def tool(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("country", sorted(COUNTRY_LOCALES))
def test_every_shipped_postal_code_has_its_countrys_shape(country: str) -> None:
    full_codes = tool("build_locale_data").full_codes
    places = country_data(country).places
    assert places
    bad = [code for row in places for code in full_codes(list(row), country) if not POSTAL_CODES[country].match(code)]
    assert bad == []


def test_places_without_the_countrys_shape_are_dropped_by_the_build() -> None:
    build = tool("build_locale_data")
    rows = [["75001", "Paris", "Île-de-France", 0], ["70301 AIR", "Luxeuil-les-Bains", "Bourgogne", 1]]
    assert build.well_formed(rows, "FR") == rows[:1]
    gb = [["SW1A", "London", "England", 0, "1AA2AA"], ["SW1A", "London", "England", 0, "1AA2A"]]
    assert build.well_formed(gb, "GB") == gb[:1]  # an inward code cut short makes a malformed full code


def test_the_shipped_area_code_table_is_what_its_script_computes() -> None:
    shipped = json.loads((DATA_DIR / f"{AREA_CODES_FILE}.json").read_text("utf-8"))
    assert shipped == tool("build_area_codes").table()
    assert sorted(shipped) == sorted(NANP)


def test_area_codes_by_state_reads_the_shipped_table() -> None:
    codes = area_codes_by_state("US")
    assert {"201", "551", "609", "732", "856", "908", "973"} <= codes["NJ"]
    assert "212" in codes["NY"] and "212" not in codes["NJ"]
    assert all(isinstance(found, frozenset) for found in codes.values())
    with pytest.raises(KeyError, match="no area codes"):
        area_codes_by_state("GB")


@pytest.mark.parametrize("country", sorted(COUNTRY_LOCALES))
def test_each_shipped_ready_form_holds_its_country_files_data(country: str) -> None:
    # tools/build_country_ready.py writes them; edit a country's JSON and forget it, and this fails.
    source = (DATA_DIR / f"{country}.json").read_bytes()
    shipped = marshal.loads((DATA_DIR / f"{country}{READY_SUFFIX}").read_bytes())
    assert shipped == marshal.loads(gazetteer.ready_form(country, source))
    fmt, _, length, fields, facts = shipped
    assert (fmt, length) == (gazetteer.READY_FORMAT, len(source))
    assert fields == data_fields(country, json.loads(source))
    pattern = POSTAL_CODES[country]
    assert facts["postal_codes"] == (pattern.pattern, pattern.flags,
                                     all(pattern.match(str(row[0])) for row in fields[6]))
    assert [type(part) for part in fields] == [type(part) for part in data_fields(country, json.loads(source))]
    assert all(type(row) is tuple for row in fields[6])  # places as the file path makes them


def test_a_country_file_edited_after_its_ready_form_was_written_is_read_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("US.json", f"US{READY_SUFFIX}"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    raw = json.loads((tmp_path / "US.json").read_text("utf-8"))
    raw["streets"][0] = "Edited Street"
    (tmp_path / "US.json").write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setattr(gazetteer, "DATA_DIR", tmp_path)
    assert gazetteer.country_data.__wrapped__("US").streets[0] == "Edited Street"  # type: ignore[attr-defined]
    (tmp_path / f"US{READY_SUFFIX}").write_bytes(b"not marshal data")
    assert gazetteer.country_data.__wrapped__("US").streets[0] == "Edited Street"  # type: ignore[attr-defined]
    (tmp_path / f"US{READY_SUFFIX}").unlink()
    assert gazetteer.country_data.__wrapped__("US").streets[0] == "Edited Street"  # type: ignore[attr-defined]


def test_the_ready_forms_postal_code_fact_serves_only_its_own_pattern() -> None:
    # A ready form says whether the country's postal-code pattern matches every place (vouch.py relies on it
    # to leave the per-record check out): for another pattern it says nothing, and the places are checked.
    import re

    from pytest_testdata.generators.traditional.pools import postal_codes_fit

    country_data("US")
    assert gazetteer.places_match_postal_pattern("US", POSTAL_CODES["US"]) is True
    assert postal_codes_fit("US") is True
    assert gazetteer.places_match_postal_pattern("US", re.compile(r"^\d{5}\Z", re.ASCII)) is None
    assert gazetteer.places_match_postal_pattern("US", re.compile(POSTAL_CODES["US"].pattern, re.I)) is None
    assert gazetteer.places_match_postal_pattern("DE", re.compile(r"^\d{4}\Z")) is None
