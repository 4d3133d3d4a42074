"""The `fusionops` command line against the portal's real processes (tests/processes.py):
commands run in this process through click's runner, or as the installed program when they
must run beside the test (--follow)."""

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, Queue

import pytest
from click.testing import CliRunner
from fusionops_cli.cli import cli

from tests.processes import Portal


class Fusionops:
    """run(*args, token=...) → click's Result (stdout, stderr, exit_code), with the config
    directory of this test and nothing of the caller's environment."""

    def __init__(self, config_home: Path, url: str | None):
        self.config_home = config_home
        self.url = url

    def env(self, token: str | None = None, **extra) -> dict:
        return {
            "XDG_CONFIG_HOME": str(self.config_home),
            "COLUMNS": "250",
            "FUSIONOPS_URL": self.url,
            "FUSIONOPS_TOKEN": token,
            "FUSIONOPS_WS_URL": None,
            **extra,
        }

    def run(self, *args, token: str | None = None, input: str | None = None, **extra):
        result = CliRunner().invoke(
            cli, [str(arg) for arg in args], env=self.env(token, **extra), input=input
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def json(self, *args, token: str | None = None):
        result = self.run("--json", *args, token=token)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def portal(django_db_setup, django_db_blocker):
    """One portal for a module's tests (each starts in 10-15 s): the commands only read
    and write through the API, and each test's rows are emptied after it as usual."""
    running = Portal()
    yield running
    running.stop()


@pytest.fixture
def fusionops(tmp_path, portal) -> Fusionops:
    return Fusionops(tmp_path / "config", portal.url)


class Program:
    """The installed `fusionops` as a process of its own; its stdout and stderr lines are
    read as they come."""

    def __init__(self, args: list[str], env: dict):
        executable = Path(sys.executable).with_name("fusionops")
        self.process = subprocess.Popen(
            [str(executable), *args],
            env={name: value for name, value in env.items() if value is not None},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.stdout: Queue[str] = Queue()
        self.stderr: Queue[str] = Queue()
        self.stderr_seen: list[str] = []
        for stream, queue in (
            (self.process.stdout, self.stdout),
            (self.process.stderr, self.stderr),
        ):
            threading.Thread(target=_pump, args=(stream, queue), daemon=True).start()

    def line(self, timeout: float = 30) -> str:
        try:
            return self.stdout.get(timeout=timeout)
        except Empty:
            raise AssertionError(
                f"no output within {timeout} s; stderr: {self.stderr_seen}"
            ) from None

    def wait_for_note(self, text: str, *, timeout: float = 30, after: int = 0) -> None:
        """Until a stderr line holding `text` (beyond the first `after` lines seen)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.stderr_seen[after:] if text in line]
            if found:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {text!r} on stderr: {self.stderr_seen}")
            with contextlib.suppress(Empty):
                self.stderr_seen.append(self.stderr.get(timeout=min(remaining, 1)))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _pump(stream, queue: Queue) -> None:
    for line in stream:
        queue.put(line.rstrip("\n"))


@pytest.fixture
def program():
    """program(args, env) starts the installed command; every one is stopped afterwards."""
    started: list[Program] = []

    def start(args: list[str], env: dict) -> Program:
        running = Program(args, {"PATH": os.environ.get("PATH", ""), **env})
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
