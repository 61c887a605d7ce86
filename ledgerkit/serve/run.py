"""Starting and stopping the server: the socket bound first (so ``--port 0``'s real port is known
before the address is printed), uvicorn on it, the pool and the scanner closed on the way out.

``Running`` is used by the command (cli/commands/serve.py, which prints) and by the tests and the
bench (``start_in_thread``: the real server on 127.0.0.1, port 0, in a thread).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import LedgerkitError
from . import security

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class Address:
    host: str
    port: int
    token: str

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/?{security.TOKEN_QUERY}={self.token}"


def machine_names() -> frozenset[str]:
    names = {socket.gethostname().lower()}
    with contextlib.suppress(OSError):
        names.add(socket.getfqdn().lower())
    return frozenset(n for n in names if n)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; a sentence when the address cannot be taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise LedgerkitError(
            f"无法在 {host}:{port} 上启动网页服务（{exc.strerror or exc}）：端口可能已被占用，"
            "请换一个 --port，或用 --port 0 自动选择空闲端口。"
        ) from None
    sock.listen(128)
    return sock


class Running:
    """A server over FOLDER on a bound socket: ``serve()`` blocks until Ctrl-C / SIGTERM or
    ``stop()``. ``echo``: where the folder's log lines are shown too (the CLI's console)."""

    def __init__(
        self,
        folder: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        max_upload_mb: int = 50,
        config: Path | None = None,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        import uvicorn

        from .app import Server, Settings

        folder = folder.absolute()  # the manifests name files as the CLI's absolute paths would
        if not folder.is_dir():
            raise LedgerkitError(
                f"文件夹“{folder}”不存在。请先创建它（ledgerkit init 会创建 inbox 文件夹）。"
            )
        self.sock = bind(host, port)
        bound_host, bound_port = self.sock.getsockname()[:2]
        shown = socket.gethostname() if bound_host in ("0.0.0.0", "::") else bound_host
        self.address = Address(shown, bound_port, security.new_token())
        settings = Settings(
            folder=folder,
            token=self.address.token,
            host=bound_host,
            max_upload=max_upload_mb * 1024 * 1024,
            config=config,
            machine_names=machine_names(),
        )
        try:
            self.server = Server(settings, echo=echo)  # forks the pool: before any thread of ours
        except BaseException:
            self.sock.close()
            raise
        config_ = uvicorn.Config(
            self.server.app(),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=5,
        )
        self.uvicorn = _Uvicorn(config_)
        self.public = security.is_public_bind(bound_host)

    def serve(self, ready: Callable[[], None] | None = None) -> None:
        """Until stopped; Ctrl-C and SIGTERM stop it when run on the main thread (the command).
        ``ready`` is called once they do (the socket already listens): the address is said then."""
        main = threading.current_thread() is threading.main_thread()
        before = {s: signal.signal(s, self._on_signal) for s in STOP_SIGNALS} if main else {}
        if ready is not None:
            ready()
        self.server.start()
        try:
            self.uvicorn.run(sockets=[self.sock])
        finally:
            self.server.close()
            self.sock.close()
            for s, handler in before.items():
                signal.signal(s, handler)

    def _on_signal(self, _signum: int, _frame: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.uvicorn.should_exit = True


class _Uvicorn:
    """uvicorn's server without its own signal handling: it re-raises the signal after shutting
    down, which would end the process before the pool and the scanner are closed."""

    def __new__(cls, config):  # a subclass made when first used: uvicorn is imported lazily
        import uvicorn

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self):
                yield

        return Server(config)


def start_in_thread(folder: Path, **options) -> tuple[Running, threading.Thread]:
    """The real server in a thread (tests, bench): returns once it accepts connections."""
    running = Running(folder, **options)
    thread = threading.Thread(target=running.serve, name="ledgerkit-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.uvicorn.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    return running, thread
