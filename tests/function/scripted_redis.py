"""A loopback server that plays scripted answers to whatever is sent to it: a broken Redis, or
something else listening at Redis's address (what a real redis-server would never do)."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

Chunk = tuple[float, bytes]  # (pause before, bytes sent, or one of these two)
CLOSE, RST = b"<close the connection>", b"<reset the connection>"
HANG_UP, RESET = [(0.0, CLOSE)], [(0.0, RST)]


class ScriptedServer:
    """A loopback server playing, for each command it receives, the next answer of its script
    (chunks, each after its pause), on whichever connection the command came; a ``CLOSE`` or
    ``RST`` chunk ends that connection (FIN or RST), and the server takes the next one."""

    def __init__(self, *answers: list[Chunk]) -> None:
        self._answers = list(answers)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.connections = 0
        self.commands = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while not self._stop.is_set():
                conn, _ = self._listener.accept()
                self.connections += 1
                with conn:
                    self._play(conn)

    def _play(self, conn: socket.socket) -> None:
        while self._answers and conn.recv(65536):
            self.commands += 1
            for pause, data in self._answers.pop(0):
                if self._stop.wait(pause):
                    return
                if data == RST:  # SO_LINGER 0: close() sends RST instead of FIN
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                if data in (CLOSE, RST):
                    return
                conn.sendall(data)
        self._stop.wait()

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)
