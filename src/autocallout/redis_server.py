"""A real redis-server (Debian's package) on a free loopback port, for the tests and the bench.

It runs without persistence, belongs to the test that started it, and stops with it. Without the
binary the caller is skipped on a developer's machine, naming it, and fails in CI (.ci/run
installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl

# redis-server runs with a fixed command line built here: subprocess is safe (nosec below).
import subprocess  # nosec B404
import time
from pathlib import Path
from types import TracebackType

SERVER = "redis-server"


def redis_server_binary() -> Path | None:
    found = shutil.which(SERVER)
    return Path(found) if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """``with RedisServer() as server:`` -- ``server.url`` is its ``redis://`` URL."""

    def __init__(
        self, binary: Path, password: str | None = None, tls_directory: Path | None = None
    ) -> None:
        self.binary = binary
        self.password = password
        # With a directory, the server speaks TLS only, with a certificate for "localhost"
        # signed by a CA of its own, written there as ca.pem.
        self.tls_directory = tls_directory
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.tls_directory is not None:
            return f"rediss://localhost:{self.port}/0"
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def ca_file(self) -> Path:
        if self.tls_directory is None:
            raise RuntimeError("this server does not speak TLS")
        return self.tls_directory / "ca.pem"

    def start(self) -> RedisServer:
        self.port = free_port()
        arguments = [str(self.binary), "--bind", "127.0.0.1", "--port", str(self.port)]
        arguments += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        if self.tls_directory is not None:
            arguments = [*arguments[:3], "--port", "0", "--tls-port", str(self.port)]
            arguments += [*self._certificates(self.tls_directory), "--tls-auth-clients", "no"]
            arguments += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        if self.password is not None:
            arguments += ["--requirepass", self.password]
        self._process = subprocess.Popen(  # noqa: S603  # nosec B603
            arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._wait_until_listening()
        return self

    @staticmethod
    def _certificates(directory: Path) -> list[str]:
        """A CA and a server certificate for localhost it signed, made with openssl."""
        openssl = shutil.which("openssl") or "openssl"

        def run(*arguments: str) -> None:
            subprocess.run(  # noqa: S603  # nosec B603
                [openssl, *arguments], cwd=directory, check=True, capture_output=True
            )

        days = ("-days", "2")
        run(
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=test CA",
            *days,
        )
        run(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-subj",
            "/CN=localhost",
            "-out",
            "server.csr",
        )
        (directory / "san.cnf").write_text("subjectAltName=DNS:localhost\n", encoding="utf-8")
        run(
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            *days,
            "-extfile",
            "san.cnf",
            "-out",
            "server.pem",
        )
        return [
            "--tls-cert-file",
            str(directory / "server.pem"),
            "--tls-key-file",
            str(directory / "server.key"),
            "--tls-ca-cert-file",
            str(directory / "ca.pem"),
        ]

    def _wait_until_listening(self, seconds: float = 20.0) -> None:
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            process = self._started()
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as raw:
                    sock = raw
                    if self.tls_directory is not None:
                        context = ssl.create_default_context(cafile=str(self.ca_file))
                        sock = context.wrap_socket(raw, server_hostname="localhost")
                    sock.sendall(b"*1\r\n$4\r\nPING\r\n")
                    if sock.recv(64):  # +PONG, or -NOAUTH: either way it answers
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not listen on port {self.port}")

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise RuntimeError("redis-server was not started")
        return self._process

    @property
    def pid(self) -> int:
        return self._started().pid

    def kill(self) -> None:
        """Gone at once, as a crashed or unreachable server is."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)

    def pause(self) -> None:
        """Still accepting connections (the kernel does that), never answering."""
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self.resume()
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
