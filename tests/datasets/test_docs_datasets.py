"""Every snippet of docs/datasets.md runs: Python blocks with tests through pytest, other Python blocks as
scripts, and every command of the bash blocks from the repository's root."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "datasets.md"
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
COMMANDS = [line for lang, code in BLOCKS if lang == "bash" for line in code.splitlines()
            if line.strip() and not line.startswith("#")]


def test_the_page_has_snippets() -> None:
    assert len(PYTHON) >= 8 and len(COMMANDS) >= 4


@pytest.mark.parametrize("code", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_python_snippet_runs(code: str, pytester: pytest.Pytester) -> None:
    if re.search(r"^def test_", code, flags=re.M):
        pytester.makepyfile(test_snippet=code)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
        outcomes = result.parseoutcomes()
        assert outcomes.get("passed", 0) >= 1 and set(outcomes) <= {"passed"}, result.stdout.str()
    else:
        script = pytester.makepyfile(snippet=code)
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                              cwd=pytester.path)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=[f"bash-{i}" for i in range(len(COMMANDS))])
def test_command_runs_from_the_repository_root(command: str) -> None:
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
