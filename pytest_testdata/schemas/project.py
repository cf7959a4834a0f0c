"""The project's schema settings outside pytest: the ``testdata`` command and the agent started in a project.

pytest finds a project's configuration from the current directory upward; so does this, with pytest's
rules: in each directory from the current one to the root, the first of ``pytest.ini``, ``.pytest.ini``,
``pyproject.toml`` (with ``[tool.pytest.ini_options]`` or ``[tool.pytest]``), ``tox.ini`` (with ``[pytest]``)
and ``setup.cfg`` (with ``[tool:pytest]``) is the ini file, and its folder is the rootdir. Its
``testdata_schemas`` paths are relative to that rootdir, as in pytest.

Which list wins follows the plugin's precedence (:func:`pytest_testdata.config.resolve`): the command's
``--schemas`` (relative to the current directory), else ``TESTDATA_SCHEMA_DIRS`` (relative to the
rootdir), else the ini value.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_testdata.errors import TestdataUsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest depends on tomli there
    import tomli as tomllib  # type: ignore[import-not-found]


@dataclass(frozen=True)
class Project:
    """Where a project's configuration lives and what it says about schemas."""

    rootdir: Path
    inifile: Path | None
    schemas: tuple[str, ...]
    """``testdata_schemas`` as written in the ini file (relative to ``rootdir``)."""


def find_project(start: Path | None = None) -> Project:
    """The project around ``start`` (default: the current directory), found as pytest finds its rootdir."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg"):
            path = folder / name
            if path.is_file():
                found = _read(path)
                if found is not None:
                    return Project(folder, path, found)
    return Project(here, None, ())


def _read(path: Path) -> tuple[str, ...] | None:
    """The ``testdata_schemas`` of an ini file, ``()`` when it has a pytest section without it, None when it
    is not a pytest configuration file."""
    try:
        if path.name == "pyproject.toml":
            return _read_toml(path)
        import iniconfig

        ini = iniconfig.IniConfig(str(path))
    except (OSError, ValueError, tomllib.TOMLDecodeError, iniconfig.ParseError) as exc:
        raise TestdataUsageError(f"configuration file {str(path)!r} cannot be read: {exc}. Fix its syntax.") from None
    section = {"pytest.ini": "pytest", ".pytest.ini": "pytest", "tox.ini": "pytest",
               "setup.cfg": "tool:pytest"}[path.name]
    if section not in ini:
        return () if path.name in ("pytest.ini", ".pytest.ini") else None
    value = ini[section].get("testdata_schemas")
    return tuple(shlex.split(value)) if value else ()


def _read_toml(path: Path) -> tuple[str, ...] | None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    tool = data.get("tool", {}).get("pytest")
    if not isinstance(tool, dict):
        return None
    table: dict[str, Any] = tool["ini_options"] if isinstance(tool.get("ini_options"), dict) else tool
    value = table.get("testdata_schemas")
    if value is None:
        return ()
    return tuple(shlex.split(value)) if isinstance(value, str) else tuple(str(v) for v in value)


def project_schema_paths(cli: Sequence[str] = (), start: Path | None = None) -> list[Path]:
    """The schema files and folders a command run in this project reads (see the module's docstring)."""
    from pytest_testdata.config import resolve

    if cli:
        return [Path(p).resolve() for p in cli]
    project = find_project(start)
    settings = resolve({}, {"schemas": list(project.schemas)})
    return [(project.rootdir / p).resolve() for p in settings.schemas]
