"""An agent process's log lines, written by a background thread (pytest_testdata/agent/log_lines.py)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

from pytest_testdata.agent.log_lines import PIPE_BUF, BackgroundLines, QueuedLineLogger


def test_lines_are_written_in_order_in_whole_lines_of_at_most_pipe_buf_bytes() -> None:
    writes: list[str] = []

    class Recorder(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return len(text)

    lines = BackgroundLines(Recorder(), interval=3600)  # only drain() writes here
    logger = QueuedLineLogger(lines)
    sent = [json.dumps({"event": "request", "n": i, "pad": "é" * (i % 40)}, ensure_ascii=False) for i in range(500)]
    for line in sent:
        logger.info(line)
    assert writes == []  # nothing written by the calling thread
    lines.drain()
    assert all(len(chunk.encode()) <= PIPE_BUF and chunk.endswith("\n") for chunk in writes)
    assert "".join(writes).splitlines() == sent
    assert len(writes) < len(sent) // 5  # many lines per write


def test_queued_lines_reach_stderr_soon_and_at_exit() -> None:
    """The writer thread writes within its interval; what is still queued when the process ends is written."""
    code = textwrap.dedent("""
        import time
        from pytest_testdata.agent.log_lines import process_stderr
        process_stderr().write("first\\n")
        time.sleep(0.5)
        print("marker", flush=True)
        process_stderr().write("last\\n")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stderr.splitlines() == ["first", "last"]
    assert done.stdout.strip() == "marker"
