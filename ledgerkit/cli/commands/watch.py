"""``ledgerkit watch INBOX``: run the watcher until SIGTERM or Ctrl-C stops it cleanly."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from ...errors import LedgerkitError


def watch_command(
    inbox: Path, out: Path | None, config: Path | None, poll: bool, archive: Path | None, mail_to: list[str]
) -> int:
    from ...workflow.watch import Stopped, Watcher, default_outbox

    if inbox.is_file():
        raise LedgerkitError(
            f"“{inbox}”是一个文件，不是文件夹：watch 监视的是收件文件夹。请给出一个文件夹"
            f"（如 ledgerkit init 创建的 inbox），把台账放入其中；只处理这一个台账请运行 ledgerkit report {inbox}。"
        )
    if not inbox.is_dir():
        raise LedgerkitError(f"收件文件夹“{inbox}”不存在。请先创建它（ledgerkit init 会创建 inbox 文件夹）。")
    watcher = Watcher(inbox, out or default_outbox(inbox), config, archive, mail_to, echo=_echo)

    def stop(_signum, _frame) -> None:
        watcher.stop.set()
        if watcher.busy:
            raise Stopped

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    watcher.run(poll=poll)
    return 0


def _echo(line: str) -> None:
    """Each log line on the console too, where the log's StreamHandler used to write it."""
    print(line, file=sys.stderr, flush=True)
