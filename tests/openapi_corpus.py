"""Real-world documents for the schema-source tests, fetched at run time from a package registry.

Nothing fetched is committed: GitHub's REST API description (OpenAPI 3.0.3, MIT licence, Copyright (c) 2020
Octokit contributors) ships in the npm package ``@octokit/openapi``; it is downloaded once with ``npm pack``
into ``~/.cache/pytest-testdata/corpus`` (``.ci/run`` runs ``python tests/openapi_corpus.py`` so CI has it before the
tests start; a test that finds it missing downloads it itself, under a file lock for xdist workers).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

OCTOKIT_OPENAPI = "@octokit/openapi@23.0.2"
CACHE = Path(os.environ.get("TESTDATA_CORPUS_DIR") or Path.home() / ".cache" / "pytest-testdata" / "corpus")


def github_openapi() -> Path:
    """GitHub's REST API description (``api.github.com.json``, OpenAPI 3.0.3, about 13 MB)."""
    target = CACHE / "octokit-openapi-23.0.2" / "api.github.com.json"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_file():
            _download(target)
    return target


def _download(target: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to fetch the OpenAPI corpus (@octokit/openapi): install Node.js/npm "
                           "(Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", OCTOKIT_OPENAPI, "--silent"], cwd=tmp, check=True, timeout=600,
                       stdout=subprocess.DEVNULL)
        archive = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(archive) as tar:
            member = tar.extractfile("package/generated/api.github.com.json")
            assert member is not None
            partial = target.with_suffix(".part")
            partial.write_bytes(member.read())
            partial.replace(target)


if __name__ == "__main__":
    print(github_openapi(), file=sys.stderr)
