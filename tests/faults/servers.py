"""PostgreSQL and Redis servers of the fault suite's own, which its tests stop, restart
and start again: the machine's shared servers are never touched."""

import configparser
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
import redis

from tests.processes import free_port, wait_until


def _postgres_bin(program: str) -> str:
    """The cluster's programs: Debian keeps them under /usr/lib/postgresql/<major>/bin."""
    found = shutil.which(program)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise RuntimeError(f"{program} not found: install PostgreSQL's server package")
    return str(versions[-1] / program)


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: there, run it as the postgres account."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A cluster in a scratch directory on 127.0.0.1:`port`, trust authentication, with
    `root` as its superuser (as the machine's). `restart()` is `pg_ctl restart`; `stop()`
    and `start()` leave it down for as long as the test wants."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="fusionops-faults-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        subprocess.run(
            _as_postgres([_postgres_bin("initdb"), "-D", str(self.data), "--auth=trust",
                          "--username=root", "--encoding=UTF8", "--locale=C.UTF-8"]),
            check=True, capture_output=True,
        )  # fmt: skip
        self.start()

    @property
    def admin_url(self) -> str:
        return f"postgres://root@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *arguments: str, env: dict | None = None) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c max_connections=200 -c fsync=off"
        )
        subprocess.run(
            _as_postgres([_postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                          "-o", options, "-w", "-t", "60", *arguments]),
            check=True, capture_output=True, env={**os.environ, **(env or {})},
        )  # fmt: skip

    def start(self) -> None:
        self._ctl("start")
        assert wait_until(self.accepts, 30), self.log.read_text()[-2000:]

    def stop(self, mode: str = "fast") -> None:
        self._ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast", *, env: dict | None = None) -> None:
        """`env` reaches the server's processes (a clock of its own, for one)."""
        self._ctl("restart", "-m", mode, env=env)
        assert wait_until(self.accepts, 30), self.log.read_text()[-2000:]

    def accepts(self) -> bool:
        try:
            with psycopg.connect(self.admin_url, connect_timeout=2) as probe:
                probe.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            return False

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already down
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


class RedisServer:
    """redis-server on 127.0.0.1:`port`, nothing persisted; `stop()` and `start()` take
    it down and bring it back on the same port (empty, as a restarted cache is)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_until(self.accepts, 30), "redis-server did not come up"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def accepts(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        except redis.RedisError:
            return False


class PgBouncer:
    """Debian's pgbouncer with deploy/pgbouncer/pgbouncer.ini, in front of `postgres`:
    only the addresses, the paths of its files and the authentication (the scratch
    cluster trusts 127.0.0.1) differ from the file as shipped."""

    SHIPPED = Path(__file__).resolve().parents[2] / "deploy" / "pgbouncer" / "pgbouncer.ini"

    def __init__(self, postgres: PostgresServer, *, database: str, users: list[str]):
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="fusionops-faults-pgbouncer-"))
        config = configparser.ConfigParser(interpolation=None)
        config.read(self.SHIPPED)
        config["databases"] = {database: f"host=127.0.0.1 port={postgres.port} dbname={database}"}
        config["pgbouncer"].update(
            listen_addr="127.0.0.1", listen_port=str(self.port), auth_type="trust",
            auth_file=str(self.directory / "userlist.txt"),
            unix_socket_dir=str(self.directory), logfile=str(self.directory / "pgbouncer.log"),
            pidfile=str(self.directory / "pgbouncer.pid"), stats_users=users[0],
        )  # fmt: skip
        self.stats_user = users[0]
        (self.directory / "userlist.txt").write_text("".join(f'"{user}" ""\n' for user in users))
        with (self.directory / "pgbouncer.ini").open("w") as ini:
            config.write(ini)
        if os.geteuid() == 0:
            for path in [self.directory, *self.directory.iterdir()]:
                shutil.chown(path, "postgres", "postgres")
        self.process = subprocess.Popen(
            _as_postgres([shutil.which("pgbouncer") or "/usr/sbin/pgbouncer",
                          str(self.directory / "pgbouncer.ini")]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_until(self._accepts, 30), self.log()

    def log(self) -> str:
        path = self.directory / "pgbouncer.log"
        return path.read_text()[-3000:] if path.exists() else "(no log)"

    def transactions(self, database: str) -> int:
        """How many transactions PgBouncer has carried to `database` (its SHOW STATS)."""
        shown = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.stats_user,
             "-d", "pgbouncer", "-tA", "-F", "\t", "-c", "SHOW STATS"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        for row in shown.splitlines():
            name, transactions, *_rest = row.split("\t")
            if name == database:
                return int(transactions)
        return 0

    def _accepts(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)
