"""Start a real, throwaway ``redis-server`` on a free loopback port.

::

    with RedisServer() as server:
        client = redis.Redis.from_url(server.url)

The server runs in a temporary directory with persistence off (``--save '' --appendonly no``),
bound to 127.0.0.1, in the foreground of a child process that :meth:`RedisServer.stop` ends.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["RedisServer", "RedisServerError", "free_port"]


class RedisServerError(RuntimeError):
    """redis-server is not installed, or it did not start answering PING in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server child process; a context manager that starts and stops it.

    Args:
        executable: path or name of ``redis-server`` (looked up on PATH).
        startup_timeout: seconds to wait for PING to answer.
        extra_args: more command-line options, e.g. ``["--maxmemory", "64mb"]``.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        executable: str = "redis-server",
        startup_timeout: float = 10.0,
        extra_args: list[str] | None = None,
    ) -> None:
        self.executable = executable
        self.startup_timeout = startup_timeout
        self.extra_args = list(extra_args or [])
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._dir: Path | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://{self.host}:{self.port}/0"

    def start(self) -> RedisServer:
        """Start the server and wait until it answers PING; retries once on a port race."""
        binary = shutil.which(self.executable)
        if binary is None:
            raise RedisServerError(
                f"{self.executable!r} not found on PATH; install it (apt-get install redis-server)"
            )
        self._dir = Path(tempfile.mkdtemp(prefix="finrag-redis-"))
        last_error = ""
        for _ in range(3):
            self.port = free_port()
            self.process = self._spawn(binary)
            try:
                self._wait_ready()
                return self
            except RedisServerError as exc:
                last_error = str(exc)
                self._terminate()
        self._cleanup_dir()
        raise RedisServerError(last_error)

    def stop(self) -> None:
        """Stop the server and remove its directory; safe to call twice."""
        self._terminate()
        self._cleanup_dir()

    def ping(self) -> bool:
        """True when the server answers PING with PONG."""
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, binary: str) -> subprocess.Popen[bytes]:
        assert self._dir is not None
        args = [binary, "--port", str(self.port), "--bind", self.host, "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", str(self._dir),
                "--logfile", str(self._dir / "redis.log"), *self.extra_args]  # fmt: skip
        return subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisServerError(
                    f"redis-server exited with {self.process.returncode}: {self._log_tail()}"
                )
            if self.ping():
                return
            time.sleep(0.02)
        raise RedisServerError(
            f"redis-server did not answer PING within {self.startup_timeout}s: {self._log_tail()}"
        )

    def _log_tail(self) -> str:
        stderr = b""
        if self.process is not None and self.process.poll() is not None and self.process.stderr:
            stderr = self.process.stderr.read() or b""
        log = self._dir / "redis.log" if self._dir else None
        text = log.read_text(errors="replace") if log and log.exists() else ""
        return (stderr.decode(errors="replace") + text)[-800:].strip() or "(no output)"

    def _terminate(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if process.stderr:
            process.stderr.close()

    def _cleanup_dir(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
