"""The real ``ledgerkit serve`` server for tests: started on 127.0.0.1, port 0, and plain HTTP
helpers on the standard library (http.client), so every request is a real one on a socket."""

from __future__ import annotations

import http.client
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Client:
    """Requests to one server; the token as the header unless told otherwise."""

    def __init__(self, base: str, token: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        token: bool = True,
        timeout: float = 120,
    ) -> Answer:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        sent = {"X-Ledgerkit-Token": self.token} if token else {}
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            data = resp.read()
            return Answer(
                resp.status,
                {k.lower(): v for k, v in resp.getheaders()},
                data,
                [v for k, v in resp.getheaders() if k.lower() == "set-cookie"],
            )
        finally:
            conn.close()

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)

    def upload(
        self,
        content: bytes,
        filename: str,
        as_of: str = "",
        path: str = "/api/ledgers",
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> Answer:
        body, content_type = multipart({"as_of": as_of} if as_of else {}, content, filename)
        return self.request("POST", path, body, {"Content-Type": content_type, **(headers or {})}, **kw)


def multipart(fields: dict[str, str], content: bytes, filename: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    out += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    out += content + f"\r\n--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def start(folder: Path, **options: Any):
    """(running, client): the server over ``folder``; stop it with ``stop(running, thread)``."""
    from ledgerkit.serve.run import start_in_thread

    running, thread = start_in_thread(folder, **options)
    return running, thread, Client(running.address.base, running.address.token)


def stop(running: Any, thread: Any) -> None:
    running.stop()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the server did not stop"


def read_bytes(path: Path) -> bytes:
    return Path(path).read_bytes()
