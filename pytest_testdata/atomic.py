"""Writing an output file all at once: a temporary file beside the target, renamed into place when done.

An interrupted or failed run leaves the target exactly as it was (absent, or its old content) and removes
only the temporary file it created itself. A target that is not a regular file (``/dev/null``, a FIFO, a
terminal) is written directly and never removed or replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from pytest_testdata.errors import TestdataUsageError


def _creation_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_output(path: str, *, option: str = "--out") -> Iterator[TextIO]:
    """A text stream for ``path``; the file appears (or is replaced) only when the block ends normally.

    ``option`` names the command-line option in the error for a path that cannot be written.
    """
    target = Path(os.path.realpath(path))  # a symlink keeps pointing at the file it points at
    try:
        existing = target.stat()
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise TestdataUsageError(f"{option} {path!r}: cannot write the file ({exc.strerror}).") from None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        try:
            stream = open(target, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise TestdataUsageError(f"{option} {path!r}: cannot write to it ({exc.strerror}).") from None
        with stream:
            yield stream
        return
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    except OSError as exc:
        raise TestdataUsageError(f"{option} {path!r}: cannot write the file ({exc.strerror}). Check that the "
                                 "folder exists and is writable.") from None
    temp = Path(temp_name)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.chmod(temp, stat.S_IMODE(existing.st_mode) if existing is not None else _creation_mode())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)  # only the file this function created
        raise
