"""Installed under its own name, with one version, type information and the names users know."""

from __future__ import annotations

import importlib.metadata as metadata
import re
from pathlib import Path

import pytest

import pytest_testdata

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib is 3.11+; the project runs on 3.10


def field(name: str) -> str:
    found = re.search(rf'^{name}\s*=\s*"([^"]+)"', PYPROJECT, re.M)
    assert found, name
    return found.group(1)


def test_the_distribution_has_its_own_name_and_one_version() -> None:
    assert field("name") == pytest_testdata.DISTRIBUTION == "pytest-testdata-agent"
    assert pytest_testdata.__version__ == metadata.version("pytest-testdata-agent") == field("version")
    assert '__version__ = "' not in (ROOT / "pytest_testdata" / "__init__.py").read_text()  # written once
    urls = PYPROJECT.split("[project.urls]")[1].split("\n[")[0]
    assert all(f"{key} = " in urls for key in ("Documentation", "Source", "Changelog", "Issues"))
    assert (ROOT / "CHANGELOG.md").read_text().startswith("# Changelog")


def test_a_source_tree_reads_the_version_from_pyproject(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    # As a source tree on sys.path: the package's own folder beside pyproject.toml (tox runs the tests against
    # an installed wheel, whose folder has no pyproject.toml beside it).
    monkeypatch.setattr(pytest_testdata, "__file__", str(ROOT / "pytest_testdata" / "__init__.py"))
    assert pytest_testdata._version() == field("version")


def test_the_names_users_know_stay() -> None:
    dist = metadata.distribution("pytest-testdata-agent")
    points = {(e.group, e.name): e.value for e in dist.entry_points}
    assert points[("pytest11", "testdata")] == "pytest_testdata.plugin"
    assert points[("console_scripts", "testdata")] == "pytest_testdata.cli:main"
    assert (ROOT / "pytest_testdata" / "py.typed").is_file()
    assert '"pytest-testdata[' not in PYPROJECT  # the dev extra names the distribution itself


def test_every_install_line_names_the_distribution() -> None:
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert "pytest-testdata[" not in text and "install pytest-testdata " not in text, path.name
