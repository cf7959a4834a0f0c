"""Writing cassette files: several writers at once into one test file's folder, and what a reader sees.

Under pytest-xdist every worker writes the cassettes of its own tests, and the tests of one test file share a
folder (``cassettes/<test file>/``): the first two to finish create that folder at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

from vcr.request import Request
from vcr.serializers import yamlserializer

from pytest_testdata.recording.cassettes import TestCassette as Cassette
from pytest_testdata.recording.cassettes import _load_file


def _recorded(path: Path, n: int) -> Cassette:
    cassette = Cassette(path, "once", f"test_many.py::test_{n}")
    body = f'{{"n": {n}}}'
    cassette.requests = [Request("POST", "http://127.0.0.1:9/v1/chat/completions", body.encode(), {})]
    cassette.responses = [{"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": body}}]
    cassette.serializer = yamlserializer
    cassette.dirty = True
    return cassette


def test_writers_create_one_new_folder_at_the_same_moment(tmp_path: Path) -> None:
    # 16 writers wait at a barrier, then each saves its own cassette into the same folder that does not
    # exist yet; repeated over 25 fresh folders. vcrpy's own persister checked, then created the folder
    # (FileExistsError for the loser of the race, as CI saw under -n 2).
    errors: list[BaseException] = []
    for round_ in range(25):
        folder = tmp_path / f"round{round_}" / "test_many"
        cassettes = [_recorded(folder / f"test_{n}.yaml", n) for n in range(16)]
        barrier = threading.Barrier(len(cassettes))

        def save(cassette: Cassette, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                cassette.save()
            except BaseException as exc:  # collected and reported below
                errors.append(exc)

        threads = [threading.Thread(target=save, args=(c,)) for c in cassettes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors[:3]
        assert sorted(p.name for p in folder.iterdir()) == sorted(f"test_{n}.yaml" for n in range(16))
        for n in range(16):
            requests, responses, _ = _load_file(folder / f"test_{n}.yaml")
            assert requests[0].body == b'{"n": %d}' % n
            assert responses[0]["body"]["string"] == b'{"n": %d}' % n


def test_a_save_replaces_the_file_whole_and_leaves_no_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "cassettes" / "test_one" / "test_a.yaml"
    _recorded(path, 1).save()
    first = path.read_text()
    _recorded(path, 2).save()
    assert path.read_text() != first
    assert _load_file(path)[0][0].body == b'{"n": 2}'
    assert [p.name for p in path.parent.iterdir()] == ["test_a.yaml"]
