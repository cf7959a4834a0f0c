"""The container image builds: each Dockerfile stage rehearsed from exactly the files its COPY lines bring.

No container engine runs here, so the test reads the Dockerfile, copies what each ``COPY`` brings (minus
.dockerignore) into a scratch folder, runs the stage's own ``pip`` commands there (``/wheels`` mapped into
the scratch folder, the final stage's ``pip`` being a fresh virtual environment's), then starts the
ENTRYPOINT from that install with the image's ENV and runs its HEALTHCHECK command against it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .conftest import REPO


@dataclass
class Stage:
    name: str
    workdir: str = "/"
    copies: list[tuple[str | None, list[str], str]] = field(default_factory=list)  # (from stage, sources, dest)
    runs: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    entrypoint: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)


def parse_dockerfile(text: str) -> list[Stage]:
    """The instructions this test needs, per stage (line continuations joined, comments dropped)."""
    stages: list[Stage] = []
    logical = text.replace("\\\n", " ")
    for raw in logical.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word, rest = word.upper(), rest.strip()
        if word == "FROM":
            parts = rest.split()
            stages.append(Stage(parts[2] if len(parts) > 2 and parts[1].upper() == "AS" else str(len(stages))))
        elif word == "WORKDIR":
            stages[-1].workdir = rest
        elif word == "COPY":
            args = shlex.split(rest)
            source = next((a.split("=", 1)[1] for a in args if a.startswith("--from=")), None)
            paths = [a for a in args if not a.startswith("--")]
            stages[-1].copies.append((source, paths[:-1], paths[-1]))
        elif word == "RUN":
            stages[-1].runs.append(rest)
        elif word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                stages[-1].env[key] = value
        elif word == "ENTRYPOINT":
            stages[-1].entrypoint = json.loads(rest)
        elif word == "HEALTHCHECK":
            stages[-1].healthcheck = json.loads(rest[rest.index("CMD") + 3:].strip())
    return stages


def _ignored(relative: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(relative, p.removeprefix("**/"))
               or any(fnmatch.fnmatch(part, p.removeprefix("**/")) for part in Path(relative).parts)
               for p in patterns)


def _copy_context(sources: list[str], dest: Path, patterns: list[str]) -> None:
    for source in sources:
        origin = REPO / source
        assert origin.exists(), f"COPY {source}: not in the build context"
        files = [origin] if origin.is_file() else [p for p in origin.rglob("*") if p.is_file()]
        for path in files:
            relative = str(path.relative_to(REPO))
            if _ignored(relative, patterns):
                continue
            target = dest / path.name if origin.is_file() else dest / path.relative_to(origin)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _pip_commands(run: str) -> list[str]:
    return [part.strip() for part in run.split("&&") if part.strip().startswith("pip ")]


def test_each_stage_builds_from_exactly_what_it_copies_and_the_install_serves(tmp_path: Path) -> None:
    stages = parse_dockerfile((REPO / "Dockerfile").read_text())
    assert [s.name for s in stages] == ["build", "1"]
    build, final = stages
    patterns = [p.strip() for p in (REPO / ".dockerignore").read_text().splitlines() if p.strip()]
    mapped = {"/wheels": str(tmp_path / "wheels")}

    def substitute(command: str) -> str:
        for path, local in mapped.items():
            command = command.replace(path, local)
        return command

    # -- build stage: the context files its COPY lines name, then its own pip commands --------------------
    workdir = tmp_path / "build" / build.workdir.lstrip("/")
    workdir.mkdir(parents=True)
    for source, paths, dest in build.copies:
        assert source is None
        _copy_context(paths, workdir if dest in ("./", ".") else workdir / dest, patterns)
    commands = [c for run in build.runs for c in _pip_commands(run)]
    assert commands, "the build stage runs no pip command"
    for command in commands:
        out = subprocess.run(substitute(f"{sys.executable} -m {command}"), shell=True, cwd=workdir,
                             capture_output=True, text=True, timeout=900)
        assert out.returncode == 0, f"{command}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    ours = [p for p in (tmp_path / "wheels").glob("*.whl")
            if "pytest_testdata/agent/testdata.proto" in zipfile.ZipFile(p).namelist()]
    assert len(ours) == 1, "the build stage made no wheel of this project with its proto"

    # -- final stage: only what it copies from the build stage, installed into a fresh environment -------
    assert all(source == build.name for source, _, _ in final.copies), "the final stage copies from the context"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    for command in [c for run in final.runs for c in _pip_commands(run)]:
        out = subprocess.run(substitute(f"{venv / 'bin' / 'python'} -m {command}"), shell=True, cwd=tmp_path,
                             capture_output=True, text=True, timeout=900)
        assert out.returncode == 0, f"{command}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"

    # -- the ENTRYPOINT from that install, with the image's ENV, answers its HEALTHCHECK --------------------
    assert final.entrypoint == ["testdata", "serve"] and final.env["BIND_HOST"] == "0.0.0.0"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))},
           **final.env, "WORKERS": "1", "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    entry = [str(venv / "bin" / final.entrypoint[0]), *final.entrypoint[1:],
             "--host", "127.0.0.1", "--grpc-port", "0", "--http-port", "0"]
    proc = subprocess.Popen(entry, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        started = None
        for line in proc.stderr:
            event = json.loads(line)
            if event["event"] == "agent started":
                started = event
                break
        assert started is not None, proc.wait()
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{started['http_port']}/health/ready",
                                            timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the installed agent never became ready"
                time.sleep(0.2)
        check = [str(venv / "bin" / final.healthcheck[0]), *final.healthcheck[1:]]
        health = subprocess.run(check, env={**env, "HTTP_PORT": str(started["http_port"])},
                                capture_output=True, text=True, timeout=60)
        assert health.returncode == 0, health.stderr
    finally:
        proc.terminate()
        assert proc.wait(timeout=60) == 0


def test_the_rehearsal_catches_a_file_the_build_stage_forgets(tmp_path: Path) -> None:
    """Without its ``COPY protos`` line the build stage fails as it did in the image (forced include)."""
    text = "\n".join(line for line in (REPO / "Dockerfile").read_text().splitlines()
                     if not line.startswith("COPY protos"))
    build = parse_dockerfile(text)[0]
    for _, paths, dest in build.copies:
        _copy_context(paths, tmp_path if dest in ("./", ".") else tmp_path / dest, [])
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp_path / "w"),
                          "."], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.returncode != 0 and "protos/testdata.proto" in out.stdout + out.stderr


def test_lint_tools_pass_on_the_dockerfile_and_workflows() -> None:
    """tox -e lint runs these too; here so a broken Dockerfile or workflow fails the suite as well."""
    bin_dir = Path(sys.executable).parent
    hadolint = subprocess.run([str(bin_dir / "hadolint"), str(REPO / "Dockerfile")], capture_output=True, text=True,
                              timeout=120)
    assert hadolint.returncode == 0, hadolint.stdout + hadolint.stderr
    workflows = sorted(str(p) for p in (REPO / ".github" / "workflows").glob("*.yml"))
    check = subprocess.run([str(bin_dir / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                            *workflows], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
