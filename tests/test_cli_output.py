"""`testdata generate --out`: written beside the target and renamed into place; an interrupt (a real SIGINT)
leaves what was there before untouched, exits 130 with one line, and never removes a path it did not create."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pytest_testdata.cli import main


def _foreground() -> None:
    # A command started from a terminal gets Ctrl-C; one the shell put in the background inherits SIGINT
    # ignored (a test run started with `nohup ... &` would pass that on). Run the command as the former.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(out: Path, count: int = 400_000) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pytest_testdata.cli", "generate", "user", "-n", str(count),
                             "--seed", "1", "--format", "jsonl", "--no-progress", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_foreground)


def _partials(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".partial")]


def _interrupt_once_writing(proc: subprocess.Popen[str], folder: Path) -> tuple[int, str]:
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size > 0 for p in _partials(folder)):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the command never started writing"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_sigint_leaves_the_old_file_untouched_and_exits_130(tmp_path: Path) -> None:
    target = tmp_path / "users.jsonl"
    target.write_text("the previous run's data\n")
    os.chmod(target, 0o640)
    code, err = _interrupt_once_writing(_start(target), tmp_path)
    assert code == 130
    assert err.splitlines() == [f"testdata: interrupted; {target} was left as it was"]
    assert target.read_text() == "the previous run's data\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert _partials(tmp_path) == []  # its own temporary file is gone


def test_sigint_with_no_previous_file_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "users.jsonl"
    code, err = _interrupt_once_writing(_start(target), tmp_path)
    assert code == 130 and "Traceback" not in err and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_finished_run_replaces_the_file_keeping_its_permissions(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "carts.json"
    target.write_text("old")
    os.chmod(target, 0o604)
    assert main(["generate", "cart", "-n", "3", "--seed", "1", "--out", str(target)]) == 0
    assert len(json.loads(target.read_text())) == 3
    assert target.stat().st_mode & 0o777 == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carts.json"]


def test_a_symlink_keeps_pointing_at_the_file_it_named(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert main(["generate", "cart", "-n", "2", "--seed", "1", "--out", str(link)]) == 0
    assert link.is_symlink() and len(json.loads(real.read_text())) == 2


def test_a_fifo_is_written_directly_and_never_removed(tmp_path: Path) -> None:
    """A special file (a FIFO here; /dev/null in the incident) is written to, never replaced or unlinked,
    also when the run is interrupted."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[int] = []

    def drain() -> None:
        with open(fifo, "rb") as reader:
            while chunk := reader.read(65536):
                received.append(len(chunk))

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = _start(fifo)
    deadline = time.monotonic() + 60
    while sum(received) == 0:
        assert time.monotonic() < deadline and proc.poll() is None, "nothing reached the FIFO"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    reader.join(10)
    assert proc.returncode == 130 and len(err.splitlines()) == 1
    assert fifo.exists() and not fifo.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_an_unwritable_folder_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "cart", "-n", "2", "--out", str(tmp_path / "missing" / "x.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("testdata: error: --out ") and "missing" in err and len(err.splitlines()) == 1
