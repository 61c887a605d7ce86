"""``ledgerkit serve FOLDER``: what it prints (the address, who can reach it), then the server."""

from __future__ import annotations

import sys
import threading
from pathlib import Path


def serve_command(
    folder: Path, host: str, port: int, open_browser: bool, max_upload_mb: int, config: Path | None
) -> int:
    from ...serve.run import Running

    running = Running(folder, host, port, max_upload_mb, config, echo=_echo)

    def ready() -> None:
        url = running.address.url
        print(f"网页已启动：{url}（按 Ctrl-C 停止）", flush=True)
        if running.public:
            print(
                f"注意：服务监听在 {host}，同一网络中的其他电脑也能连接；只有拿到上面完整网址（含 token）的人能打开。"
                "只在本机使用时请去掉 --host。",
                flush=True,
            )
        if open_browser:
            import webbrowser

            threading.Timer(0.5, webbrowser.open, args=(url,)).start()

    running.serve(ready)
    print("网页服务已停止。", flush=True)
    return 0


def _echo(line: str) -> None:
    """Each line of the folder's log (ledgerkit.log) on the console too, as watch shows them."""
    print(line, file=sys.stderr, flush=True)
