"""The portal's own processes (gunicorn, uvicorn, the worker), started by tests on
127.0.0.1 against the test database: for tests of what crosses process boundaries."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.db import connections


def portal_env(**extra) -> dict:
    db = connections["default"].settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fusionops.settings.test",
        "FUSIONOPS_TEST_SERVER": "1",
        # As in production: the runtime role, which owns nothing and may not change the log.
        "DATABASE_URL": (
            f"postgres://{settings.DATABASE_RUNTIME_ROLE}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "DATABASE_ROLE": "runtime",
        # The servers must hear this process's channel-layer messages, and it theirs.
        "CHANNEL_LAYER_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start(command: list[str], env: dict, *, log: Path | None = None) -> subprocess.Popen:
    """`log`: a file for the process's output (appended to), else it is discarded."""
    output = log.open("a") if log is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends its children too
        )
    finally:
        if log is not None:
            output.close()  # the child holds its own copy


def start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    return [start([sys.executable, "manage.py", "run_worker"], env) for _ in range(count)]


def stop(processes) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Portal:
    """gunicorn on `port`, uvicorn on `ws_port`, one worker; each serves its metrics on a
    port of its own (`metrics_ports`); `stop()` ends them all. With `logs`, each writes its
    output to <process>.log there."""

    def __init__(self, *, logs: Path | None = None, **env):
        self.logs = logs
        if logs is not None:
            logs.mkdir(parents=True, exist_ok=True)
        self.port, self.ws_port = free_port(), free_port()
        self.metrics_ports = {process: free_port() for process in ("web", "ws", "worker")}
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.ws_port}/ws/notify/"
        self.env = portal_env(
            HOST="127.0.0.1",
            PORT=str(self.port),
            WS_PORT=str(self.ws_port),
            WEB_CONCURRENCY="2",
            **env,
        )
        bin_dir = os.path.dirname(sys.executable)
        self.web = start(
            [os.path.join(bin_dir, "gunicorn"), "fusionops.wsgi", "--config",
             "deploy/gunicorn.conf.py"],
            self.env_of("web"), log=self.log_of("web"),
        )  # fmt: skip
        self.ws = self._start_ws()
        self.worker = start(
            [sys.executable, "manage.py", "run_worker"], self.env_of("worker"),
            log=self.log_of("worker"),
        )  # fmt: skip
        try:
            self._wait_ready(self.url)
            self._wait_ready(f"http://127.0.0.1:{self.ws_port}")
        except Exception:
            self.stop()
            raise

    def _start_ws(self) -> subprocess.Popen:
        uvicorn = os.path.join(os.path.dirname(sys.executable), "uvicorn")
        return start(
            [uvicorn, "fusionops.asgi:application", "--host", "127.0.0.1", "--port",
             str(self.ws_port), "--ws", "websockets-sansio", "--lifespan", "off",
             "--no-access-log"],
            self.env_of("ws"), log=self.log_of("ws"),
        )  # fmt: skip

    def log_of(self, process: str) -> Path | None:
        return self.logs / f"{process}.log" if self.logs is not None else None

    def env_of(self, process: str) -> dict:
        # As deploy/entrypoint.sh gives each process.
        return {
            **self.env,
            "METRICS_PORT": str(self.metrics_ports[process]),
            "OTEL_SERVICE_NAME": f"fusionops-{process}",
        }

    def metrics(self, process: str) -> str:
        url = f"http://127.0.0.1:{self.metrics_ports[process]}/metrics"
        return requests.get(url, timeout=5).text

    def restart_ws(self, *, while_down=None) -> None:
        """Stop the websocket server (every socket drops), run `while_down`, start it again."""
        stop([self.ws])
        if while_down is not None:
            while_down()
        self.ws = self._start_ws()
        self._wait_ready(f"http://127.0.0.1:{self.ws_port}")

    @staticmethod
    def _wait_ready(base: str) -> None:
        def ready():
            try:
                return requests.get(f"{base}/health/live", timeout=2).ok
            except requests.RequestException:
                return False

        if not wait_until(ready, 60):
            raise RuntimeError(f"{base} did not come up")

    def stop(self) -> None:
        stop([self.web, self.ws, self.worker])
