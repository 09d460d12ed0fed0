"""A tiny SMTP server on 127.0.0.1 in a thread, so e-mail tests go through Django's real SMTP
backend (no extra dependency: smtpd is gone from newer Pythons, aiosmtpd is not needed)."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message


class _Handler(socketserver.StreamRequestHandler):
    def send(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.send("220 localhost test SMTP")
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.send("250 localhost")
            elif verb in {"MAIL", "RCPT", "RSET", "NOOP"}:
                self.send("250 OK")
            elif verb == "DATA":
                self.send("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self.server.messages.append(email.message_from_bytes(b"".join(lines)))  # type: ignore[attr-defined]
                self.send("250 OK queued")
            elif verb == "QUIT":
                self.send("221 Bye")
                return
            else:
                self.send("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.messages: list[Message] = []


@contextmanager
def smtp_server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
