"""Where a test's cassette lives, what identifies one generation in it, and how to re-record it.

These helpers import nothing heavy: the plugin calls them for every test.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

INPUTS_HEADER = "x-testdata-inputs"
"""Request header carrying the inputs of a generation (schema key, template, provider, model, count, context
and constraints digests). Not matched on (the body is), but read back to explain a stale cassette."""
CALL_HEADER = "x-testdata-call"
"""Request header: which occurrence of the same generation in the test this is (0, 1, ...). Matched on, so a
test that asks twice for the same data replays both answers in order."""
CASSETTE_CONFIG_KEYS = (
    "cassette_dir", "filter_headers", "filter_query_parameters", "filter_post_data_parameters",
    "before_record_request", "before_record_response",
)
"""What the ``testdata_cassette_config`` fixture may set (see docs/llm.md)."""
SUFFIX = ".testdata.yaml"
FOLDER = "testdata"

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-\[\]]+")


def cassette_path_for(nodeid: str, rootdir: Path, cassette_dir: str | None) -> Path:
    """``<dir>/testdata/<module stem>/<test name>.testdata.yaml``: one file per test, so xdist workers never
    share one.

    ``dir`` is ``cassette_dir`` (relative to the rootdir) or ``cassettes`` beside the test module. The
    ``testdata`` folder and the ``.testdata.yaml`` suffix keep these files apart from pytest-recording's
    ``cassettes/<module stem>/<test name>.yaml``: the two never read or write each other's cassettes.
    """
    module, _, name = nodeid.partition("::")
    module_path = Path(module)
    base = (rootdir / cassette_dir) if cassette_dir else (rootdir / module_path.parent / "cassettes")
    test_name = _UNSAFE.sub("_", name.replace("::", ".")) or "module"
    return base / FOLDER / module_path.stem / f"{test_name}{SUFFIX}"


def digest(value: Any) -> str:
    """A short stable digest of any JSON-compatible value."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def inputs_header(**inputs: Any) -> str:
    """The compact, ASCII-only header value naming a generation's inputs (long values as digests)."""
    compact = {
        k: (
            v
            if isinstance(v, (int, float, bool))
            or v is None
            or (isinstance(v, str) and len(v) <= 60 and v.isascii())
            else digest(v)
        )
        for k, v in sorted(inputs.items())
    }
    return json.dumps(compact, sort_keys=True, separators=(",", ":"))


def record_command(nodeid: str | None) -> str:
    """The command that records one test's missing cassette (against a reachable provider)."""
    target = f"'{nodeid}'" if nodeid else "<the test>"
    return f"pytest {target} --testdata-record-mode=once"


def rerecord_command(nodeid: str | None) -> str:
    """The command that records one test's cassette afresh (against a reachable provider); the next run, on
    any seed, replays it."""
    target = f"'{nodeid}'" if nodeid else "<the test>"
    return f"pytest {target} --testdata-record-mode=rewrite"
