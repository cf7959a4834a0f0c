"""Every snippet and command in README.md and docs/*.md runs, so the docs cannot drift from the code.

The convention (also in docs/usage.md, "The docs are tested"):

- A ```` ```python ```` block that defines tests (``def test_...``) is a test file: it runs through
  ``pytester`` in a fresh project of its own and must pass. A block whose first line is ``# conftest.py``
  is the ``conftest.py`` of the test block right after it.
- Any other ```` ```python ```` block is a script: it runs with ``python -c`` in a scratch project (which
  holds a copy of ``examples/``) and must exit 0.
- ```` ```bash ```` (or ``sh``/``shell``) blocks run each command with bash in that scratch project;
  ```` ```console ```` blocks run their ``$ `` lines. Every command must exit 0.
- Blocks without a language, or in ``text``/``ini``/``toml``/``yaml``/``json``, are output or settings
  shown to the reader and are not run; a block without a language that starts with a command fails
  :func:`test_commands_are_in_runnable_blocks`.
- A block that cannot run here says so, visibly, in the line just before it:
  ``<!-- docs-test: skip <reason> -->`` (reported as a skip with that reason; for docker, a live API key,
  a long benchmark, an install from the package index), or ``<!-- docs-test: agent -->`` (the harness
  starts a real Test Data Agent on free loopback ports and points the block's ``localhost:9091`` /
  ``localhost:8091`` at it).

Snippets run with no provider keys or service URLs in the environment (``ANTHROPIC_API_KEY``,
``REDIS_URL``...), as on a fresh machine.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```\s*([A-Za-z0-9_+-]*)\s*$")
DIRECTIVE = re.compile(r"^<!--\s*docs-test:\s*(skip|agent)\b\s*(.*?)\s*-->\s*$")
SHELL = ("bash", "sh", "shell")
SHOWN = ("", "text", "ini", "toml", "yaml", "yml", "json", "proto", "dockerfile", "http", "csv", "jsonl")
COMMAND_WORDS = ("pytest ", "testdata ", "pip ", "python ", "python3 ", "grpcurl ", "curl ", "docker ", "tox",
                 "bash ", "kubectl ", "$ ", "CMAKE_ARGS=", "PIP_", "apt-get ")
CLEAN_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "VLLM_URL", "OPENAI_BASE_URL", "OPENAI_API_KEY",
             "REDIS_URL", "WEAVIATE_URL", "WEAVIATE_API_KEY", "CLAUDE_MODEL", "LLM_TIMEOUT", "RAG_TOP_K",
             "CACHE_TTL_SECONDS")
TIMEOUT = 600


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int
    """Line of the opening fence (1-based)."""
    lang: str
    text: str
    directive: str | None = None
    reason: str = ""
    conftest: str | None = None
    """For a test block: the ``# conftest.py`` block right before it."""

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(REPO)}:{self.line}"

    @property
    def kind(self) -> str:
        if self.lang == "python":
            first = self.text.lstrip().splitlines()[0] if self.text.strip() else ""
            if first.strip() == "# conftest.py" or first.startswith("# conftest.py:"):
                return "conftest"
            if re.search(r"^(\s*)def test_|^class Test", self.text, re.M):
                return "tests"
            return "script"
        if self.lang in SHELL:
            return "shell"
        if self.lang == "console":
            return "console"
        return "shown"


def parse(doc: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, with the directive in the line before each."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start, lang = i, match.group(1).lower()
        end = start + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        directive = reason = None
        prev = start - 1
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        if prev >= 0 and (found := DIRECTIVE.match(lines[prev].strip())):
            directive, reason = found.group(1), found.group(2)
        text = "\n".join(lines[start + 1:end]) + "\n"
        blocks.append(Block(doc, start + 1, lang, text, directive, reason or ""))
        i = end + 1
    out: list[Block] = []
    for index, block in enumerate(blocks):
        before = blocks[index - 1] if index else None
        if block.kind == "tests" and before is not None and before.kind == "conftest":
            block = Block(block.doc, block.line, block.lang, block.text, block.directive, block.reason,
                          before.text)
        out.append(block)
    return out


ALL = [block for doc in DOCS for block in parse(doc)]
RUN = [b for b in ALL if b.kind != "shown"]


def commands(block: Block) -> list[str]:
    """The commands of a shell or console block (continuation lines joined, comments dropped)."""
    out: list[str] = []
    pending = ""
    for raw in block.text.splitlines():
        line = raw.rstrip()
        if block.kind == "console" and not pending:
            if not line.startswith("$ "):
                continue  # output
            line = line[2:]
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append(pending + line)
        pending = ""
    return out


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CLEAN_ENV:
        monkeypatch.delenv(name, raising=False)
    # Commands find `testdata`, `pytest`, `grpcurl` of this environment first.
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


@pytest.fixture
def scratch(pytester: pytest.Pytester) -> Path:
    """A project of the reader's own: an empty folder with a copy of the examples."""
    shutil.copytree(REPO / "examples", pytester.path / "examples",
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return pytester.path


@pytest.fixture
def agent_ports(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """A real agent on free loopback ports, for blocks marked ``<!-- docs-test: agent -->``."""
    from pytest_testdata.agent.server import AgentServer
    from pytest_testdata.agent.settings import load_settings

    settings = load_settings({}, bind_host="127.0.0.1", grpc_port=0, http_port=0, shutdown_grace_seconds=2.0)
    server = AgentServer(settings).start()
    assert server.health.warm.wait(60)
    try:
        yield {"localhost:9091": server.address, "localhost:8091": f"127.0.0.1:{server.http_port}"}
    finally:
        server.stop(grace=1)


def _substitute(text: str, ports: dict[str, str]) -> str:
    for old, new in ports.items():
        text = text.replace(old, new)
    return text


def _run(command: list[str], cwd: Path, where: str) -> None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{where}: {command[-1]!r} ran longer than {TIMEOUT} s; mark the block "
                    "<!-- docs-test: skip <reason> --> if it is meant to be long", pytrace=False)
    if done.returncode != 0:
        pytest.fail(f"{where}: {command[-1]!r} exited {done.returncode}\n--- stdout\n{done.stdout[-4000:]}"
                    f"\n--- stderr\n{done.stderr[-4000:]}", pytrace=False)


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("block", RUN, ids=[f"{b.where}-{b.kind}" for b in RUN])
def test_doc_block_runs(block: Block, pytester: pytest.Pytester, scratch: Path,
                        request: pytest.FixtureRequest) -> None:
    if block.directive == "skip":
        assert block.reason, f"{block.where}: <!-- docs-test: skip --> needs a reason after 'skip'"
        pytest.skip(f"docs-test: skip at {block.where}: {block.reason}")
    ports: dict[str, str] = request.getfixturevalue("agent_ports") if block.directive == "agent" else {}
    text = _substitute(block.text, ports)
    if block.kind == "conftest":
        compile(text, block.where, "exec")  # it runs as the conftest.py of the test block after it
        return
    if block.kind == "tests":
        if block.conftest is not None:
            pytester.makeconftest(block.conftest)
        pytester.makepyfile(test_snippet=text)
        # SQLAlchemy cannot be imported twice in one process (pytester's in-process runs drop the modules a
        # run imported, and a second import breaks its internals): such snippets run in a fresh process.
        run = pytester.runpytest_subprocess if "sqlalchemy" in text else pytester.runpytest
        result = run("-p", "no:cacheprovider", "test_snippet.py")
        outcomes = result.parseoutcomes()
        if result.ret != 0 or not outcomes.get("passed"):
            pytest.fail(f"{block.where}: the snippet's tests did not pass\n{result.stdout.str()[-6000:]}",
                        pytrace=False)
        return
    if block.kind == "script":
        _run([sys.executable, "-c", text], scratch, block.where)
        return
    for command in commands(dataclasses.replace(block, text=text)):
        _run(["bash", "-c", command], scratch, block.where)


def test_commands_are_in_runnable_blocks() -> None:
    """A command shown in a block without a language would escape the test: label it, or mark it."""
    hidden = []
    for block in ALL:
        if block.kind != "shown" or block.lang not in ("", "text"):
            continue
        first = next((line for line in block.text.splitlines() if line.strip()), "")
        if first.startswith(COMMAND_WORDS):
            hidden.append(f"{block.where}: {first[:60]!r}")
    assert hidden == [], ("label these blocks ```bash (or ```console with `$ ` prompts) so they run, or put "
                          "<!-- docs-test: skip <reason> --> before them: " + "; ".join(hidden))


def test_the_harness_finds_every_kind_of_block() -> None:
    kinds = {b.kind for b in RUN}
    assert {"tests", "script", "shell", "conftest"} <= kinds
    assert len(RUN) >= 20
    # Skips are for what cannot run here, and are few.
    skipped = [b for b in RUN if b.directive == "skip"]
    assert len(skipped) <= len(RUN) // 3, [b.where for b in skipped]
