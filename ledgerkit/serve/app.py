"""The Starlette app: the pages, the JSON API and the downloads over one kept FOLDER.

Routes (every one behind the rules of security.py, checked in ``Guard`` before any route runs):

- ``GET /`` home: the folder's ledgers with their latest figures, the file chooser / drop zone.
- ``POST /upload`` (the page's form) and ``POST /api/ledgers`` (multipart ``file``, optional
  ``as_of``): the file streamed into FOLDER (upload.py) and reported as watch would (folder.py).
  The page goes on to the ledger's view (303), or shows the sentence (422); the API answers the
  manifest plus ``links`` (200), or ``{"error": …}`` with 4xx.
- ``GET /ledgers/{folder}``: one ledger's view; ``GET /combined``: combine's table for FOLDER.
- ``GET /api/ledgers`` → ``{"files": [manifest + links, …]}`` (``report FOLDER --json``'s shape);
  ``GET /api/combined`` → ``combine --json``.
- ``GET /download/ledger/{folder}/{workbook|notice}``, ``GET /download/combined/{workbook|report}``:
  only the files the server's own records name, inside the outbox.

Status codes: 400 a bad Host header or request, 403 no token or another site's Origin, 404 no such
page or file, 413 over the upload limit, 422 a file that is no ledger, 503 the outbox not writable.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from . import security, views
from .folder import KeptFolder, Record
from .upload import UploadRefused, discard, place, receive

TEMPLATES = Path(__file__).with_name("templates")
SCAN_SECONDS = 1.0
NO_TOKEN = "没有访问凭证：请打开启动 ledgerkit serve 时显示的完整网址（含 ?token=…）。"
BAD_HOST = "请求的主机名不是本服务的地址，已拒绝（防止其他网站借用本机服务）。请打开启动时显示的网址。"
BAD_ORIGIN = "拒绝来自其他网站的提交：请在 ledgerkit 自己的网页上上传台账。"


@dataclass
class Settings:
    folder: Path
    token: str
    host: str = "127.0.0.1"
    max_upload: int = security.DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    config: Path | None = None
    machine_names: frozenset[str] = frozenset()


def _wants_html(scope: Scope) -> bool:
    path = scope.get("path", "")
    if path.startswith("/api/"):
        return False
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    return b"text/html" in accept


def refusal(scope: Scope, status: int, message: str) -> Response:
    """A refusal as the asker reads it: a page for a browser, ``{"error": …}`` for the API."""
    if _wants_html(scope):
        return HTMLResponse(_plain_page(message), status_code=status)
    return JSONResponse({"error": message}, status_code=status)


def _plain_page(message: str) -> str:
    from html import escape

    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>ledgerkit</title>'
        '<body style="font-family:sans-serif;margin:3em">'
        f'<p data-error style="color:#a40000;font-size:1.2em">{escape(message)}</p></body></html>'
    )


class Guard:
    """Host, token and Origin, before any route: the pure rules of security.py applied."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        s = self.settings
        if not security.host_ok(request.headers.get("host"), s.host, s.machine_names):
            await refusal(scope, 400, BAD_HOST)(scope, receive, send)
            return
        query = request.query_params.get(security.TOKEN_QUERY)
        cookie = request.cookies.get(security.TOKEN_COOKIE)
        header = request.headers.get(security.TOKEN_HEADER)
        if not security.token_ok(s.token, query, cookie, header):
            await refusal(scope, 403, NO_TOKEN)(scope, receive, send)
            return
        if request.method == "POST" and not security.origin_ok(
            request.headers.get("origin"), request.headers.get("host")
        ):
            await refusal(scope, 403, BAD_ORIGIN)(scope, receive, send)
            return
        if request.method == "GET" and query and not scope["path"].startswith("/api/"):
            # The first visit: the token becomes a cookie and leaves the address bar.
            response = RedirectResponse(scope["path"], status_code=303)
            response.set_cookie(security.TOKEN_COOKIE, s.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class Server:
    """The app's state: the kept folder, its combined figures, the scanner of hand-copied files."""

    def __init__(self, settings: Settings, echo: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.kept = KeptFolder(settings.folder, settings.config, echo=echo)
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.stop = threading.Event()
        self.scanner: threading.Thread | None = None
        self.scan_pool = ThreadPoolExecutor(2, thread_name_prefix="ledgerkit-scan")
        self.combined_lock = threading.Lock()
        self.combined_cache: tuple[Any, dict[str, Any]] | None = None

    # -- life ------------------------------------------------------------------------------

    def start(self) -> None:
        self.scanner = threading.Thread(target=self._scan_loop, name="ledgerkit-scanner", daemon=True)
        self.scanner.start()

    def close(self) -> None:
        self.stop.set()
        if self.scanner is not None:
            self.scanner.join(timeout=5)
        self.scan_pool.shutdown(wait=True, cancel_futures=True)
        self.kept.close()

    def _scan_loop(self) -> None:
        pending: set[str] = set()
        while not self.stop.wait(SCAN_SECONDS):
            with contextlib.suppress(OSError):
                for path in self.kept.scan():
                    if path.name not in pending:
                        pending.add(path.name)
                        future = self.scan_pool.submit(self.kept.process, path)
                        future.add_done_callback(lambda _f, n=path.name: pending.discard(n))

    # -- the app ---------------------------------------------------------------------------

    def app(self) -> ASGIApp:
        routes = [
            Route("/", self.home),
            Route("/upload", self.upload_page, methods=["POST"]),
            Route("/ledgers/{folder:str}", self.ledger_page),
            Route("/combined", self.combined_page),
            Route("/api/ledgers", self.api_list, methods=["GET"]),
            Route("/api/ledgers", self.api_upload, methods=["POST"]),
            Route("/api/combined", self.api_combined),
            Route("/download/ledger/{folder:str}/{kind:str}", self.download_ledger),
            Route("/download/combined/{kind:str}", self.download_combined),
        ]
        app = Starlette(routes=routes, exception_handlers={Exception: self._internal_error})
        return Guard(app, self.settings)

    async def _internal_error(self, request: Request, exc: Exception) -> Response:
        """Ours, not the user's: the traceback into the folder's log, one sentence on the page."""
        self.kept.log.error("内部错误（%s %s）", request.method, request.url.path, exc_info=exc)
        log = self.kept.outbox / "ledgerkit.log"
        return refusal(
            request.scope,
            500,
            f"处理时发生内部错误（{type(exc).__name__}）。详细信息已写入 {log}。请把出错的文件和这句话发给维护人员。",
        )

    def _page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("folder", str(self.settings.folder))
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    async def home(self, request: Request) -> Response:
        records = await run_in_threadpool(self.kept.records)
        rows = [views.home_row(r) for r in records]
        return self._page(request, "home.html", rows=rows, max_mb=self.settings.max_upload // (1024 * 1024))

    async def ledger_page(self, request: Request) -> Response:
        record = self.kept.record_of_folder(request.path_params["folder"])
        if record is None:
            return self._page(request, "error.html", 404, message="没有这个台账的记录：请回到首页重新选择。")
        return self._page(request, "ledger.html", v=views.ledger_view(record))

    async def upload_page(self, request: Request) -> Response:
        try:
            record = await self._take_upload(request)
        except UploadRefused as exc:
            return self._page(request, "error.html", exc.status, message=exc.message or self._too_large())
        if record.manifest is None:
            return self._page(request, "ledger.html", 422, v=views.ledger_view(record))
        return RedirectResponse(views.page_url(record.folder), status_code=303)

    async def api_upload(self, request: Request) -> Response:
        try:
            record = await self._take_upload(request)
        except UploadRefused as exc:
            return JSONResponse({"error": exc.message or self._too_large()}, status_code=exc.status)
        if record.manifest is None:
            return JSONResponse({"error": record.error, **views.api_item(record)}, status_code=422)
        return JSONResponse(views.api_item(record))

    def _too_large(self) -> str:
        mb = self.settings.max_upload // (1024 * 1024)
        return f"文件超过 {mb} MB 的上传限制，没有保存。请检查是否选错了文件，或用 --max-upload-mb 提高限制。"

    async def _take_upload(self, request: Request) -> Record:
        limit = self.settings.max_upload
        if security.too_large(request.headers.get("content-length"), limit + 64 * 1024):
            raise UploadRefused(413, "")  # said before a byte is read; the stream is counted too
        received = await receive(
            request.stream(), request.headers.get("content-type", ""), self.settings.folder, limit
        )
        as_of = _as_of(received.fields.get("as_of", ""))
        if isinstance(as_of, str):
            discard(received)
            raise UploadRefused(400, as_of)
        path = await run_in_threadpool(place, received, self.settings.folder)
        record = await run_in_threadpool(self.kept.process, path, as_of)
        if record is None:
            raise UploadRefused(409, f"“{path.name}”在处理时被移走或改动，请重新上传。")
        if record.output_problem:
            raise UploadRefused(503, record.error)
        return record

    async def api_list(self, request: Request) -> Response:
        records = await run_in_threadpool(self.kept.records)
        return JSONResponse({"files": [views.api_item(r) for r in records]})

    async def combined_page(self, request: Request) -> Response:
        as_of = _as_of(request.query_params.get("as_of", ""))
        if isinstance(as_of, str):
            return self._page(request, "error.html", 400, message=as_of)
        data = await run_in_threadpool(self.combined, as_of)
        return self._page(request, "combined.html", v=views.combined_view(data, as_of or date.today()))

    async def api_combined(self, request: Request) -> Response:
        as_of = _as_of(request.query_params.get("as_of", ""))
        if isinstance(as_of, str):
            return JSONResponse({"error": as_of}, status_code=400)
        data = await run_in_threadpool(self.combined, as_of)
        if "error" in data:
            return JSONResponse({"error": data["error"]}, status_code=422)
        return JSONResponse(data)

    def combined(self, as_of: date | None = None) -> dict[str, Any]:
        """``combine --json`` for FOLDER at ``as_of`` (outputs in OUTBOX/汇总), computed again
        only when a ledger in FOLDER or the date changed."""
        from .folder import combined_json

        folder = self.settings.folder
        as_of = as_of or date.today()
        with self.combined_lock:
            key = (as_of, _folder_signature(folder))
            if self.combined_cache is not None and self.combined_cache[0] == key:
                return self.combined_cache[1]
            data = self.kept.run(combined_json, folder, self.kept.outbox / "汇总", as_of)
            self.combined_cache = (key, data)
            return data

    async def download_ledger(self, request: Request) -> Response:
        record = self.kept.record_of_folder(request.path_params["folder"])
        kind = request.path_params["kind"]
        outputs = ((record.manifest or {}).get("outputs") or {}) if record else {}
        return self._file(request, outputs.get(kind) if kind in ("workbook", "notice") else None)

    async def download_combined(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        as_of = _as_of(request.query_params.get("as_of", ""))
        as_of = as_of if isinstance(as_of, date) else None
        outputs = (await run_in_threadpool(self.combined, as_of)).get("outputs") or {}
        return self._file(request, outputs.get(kind) if kind in ("workbook", "report") else None)

    def _file(self, request: Request, path: str | None) -> Response:
        """Only a file one of the server's records names, inside the outbox, still there."""
        outbox = self.kept.outbox.resolve()
        target = Path(path).resolve() if path else None
        if target is None or not target.is_file() or outbox not in target.parents:
            return refusal(request.scope, 404, "没有这个文件：它可能已被移走，请回到首页重新生成。")
        disposition = f"attachment; filename*=UTF-8''{quote(target.name)}"
        return FileResponse(target, headers={"Content-Disposition": disposition})


def _as_of(text: str) -> date | str | None:
    """The form's 截至日期: a date, None when empty, else the sentence saying what is wrong."""
    text = text.strip()
    if not text:
        return None
    from ..text import DAY_FORMS, whole_day

    return whole_day(text) or f"截至日期“{text}”无效，请写成 {DAY_FORMS} 这样的形式，或留空（按今天统计）。"


def _folder_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    from ..combine import find_ledgers

    found = []
    for p in find_ledgers(folder):
        with contextlib.suppress(OSError):
            st = p.stat()
            found.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(found)
