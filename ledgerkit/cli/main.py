"""The command line: a thin shell over the library, on click.

Each command parses its options and calls one function that does the work and returns the exit
code. Heavy libraries (pandas, pandera, docx, xlsxwriter) are imported inside those functions, so
``ledgerkit --help`` stays fast. Every error a user can cause ends here as one Chinese sentence
and an exit code (``usage.py`` words click's usage errors); anything else is trapped once in
``main``: exit 3, the traceback in a log file, one sentence.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import LedgerkitError
from ..support.console import make_streams_safe
from .help import OPTIONS_METAVAR, SUBCOMMAND_METAVAR, ChineseContext, width

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
LEDGER = "台账文件（.xlsx .xlsm .xls）"


class ChineseHelp:
    """Help in Chinese, like everything else the user reads: the help option's own line, the
    usage placeholders, and the headings and layout (``help.ChineseFormatter``)."""

    context_class = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        if isinstance(self, click.Group):
            kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def get_short_help_str(self, limit: int = 45) -> str:
        """The line in the command list: the help's first paragraph when it fits, else its first
        sentence (click's own cut counts characters and stops mid-sentence in Chinese)."""
        first = (self.short_help or self.help or "").split("\n\n")[0].strip()  # type: ignore[attr-defined]
        return first if width(first) <= 2 * limit else first.split("。")[0] + "。"

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "显示帮助并退出"
        return option


class Command(ChineseHelp, click.Command):
    pass


class Group(ChineseHelp, click.Group):
    """Commands listed in the order they are defined, the way the README introduces them."""

    command_class = Command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0])
        if name not in self.commands and not name.startswith("-"):
            from .usage import NoSuchCommand

            raise NoSuchCommand(name, self.list_commands(ctx), ctx)
        return super().resolve_command(ctx, args)


@click.group(
    cls=Group,
    context_settings=CONTEXT,
    help="巡察整改台账工具：读取、校验、统计台账，生成清洗后的台账和整改情况通报草稿。",
)
@click.version_option(
    __version__,
    "-V",
    "--version",
    prog_name="ledgerkit",
    message="%(prog)s %(version)s",
    help="显示版本并退出",
)
def app() -> None:
    pass


def as_of_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of",
        "as_of",
        metavar="日期",
        help="统计截止日期，如 2024-12-23、2024/12/23 或 2024年12月23日，默认今天",
    )(f)


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="输出 JSON")(f)


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config", type=click.Path(path_type=Path), metavar="文件", help="配置文件 ledgerkit.toml 的路径"
    )(f)


def out_option(default_help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "-o",
        "--out",
        type=click.Path(path_type=Path),
        metavar="文件夹",
        help=f"输出文件夹，默认为{default_help}",
    )


def path_argument(name: str = "path") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.argument(name, type=click.Path(path_type=Path), metavar=name.upper())


def parse_as_of(text: str | None) -> date:
    """--as-of in the forms a ledger's date cells take (text.whole_day)."""
    if not text:
        return date.today()
    from ..text import DAY_FORMS, whole_day

    day = whole_day(text)
    if day is None:
        raise LedgerkitError(f"--as-of 的日期“{text}”无效，请写成 {DAY_FORMS} 这样的形式。")
    return day


@app.command(help=f"校验台账：列出错误和提醒。退出码 0 无错误，1 有错误，2 无法读取。\n\nPATH：{LEDGER}")
@path_argument()
@as_of_option
@json_option
@config_option
def check(path: Path, as_of: str | None, as_json: bool, config: Path | None) -> None:
    from .commands.check import check_command

    sys.exit(check_command(path, parse_as_of(as_of), as_json, config))


@app.command(help=f"统计台账：具体问题和整改措施的完成情况、逾期和临期事项。\n\nPATH：{LEDGER}")
@path_argument()
@as_of_option
@json_option
@config_option
def summary(path: Path, as_of: str | None, as_json: bool, config: Path | None) -> None:
    from .commands.summary import summary_command

    sys.exit(summary_command(path, parse_as_of(as_of), as_json, config))


@app.command(
    help="生成清洗后的台账（xlsx）和整改情况通报草稿（docx）。\n\nPATH：台账文件，或存放台账的文件夹"
)
@path_argument()
@out_option("台账旁的“输出”")
@as_of_option
@config_option
@click.option("--no-notice", is_flag=True, help="不生成通报草稿")
@json_option
@click.option("--mail-to", multiple=True, metavar="邮箱", help="把通报草稿发送到此邮箱（可重复）")
@click.option(
    "--since",
    type=click.Path(path_type=Path),
    metavar="上次台账",
    help="与上次的台账（或上次的清洗台账）对照：清洗台账增加“变化”表，汇总表增加“与上次相比”",
)
def report(
    path: Path,
    out: Path | None,
    as_of: str | None,
    config: Path | None,
    no_notice: bool,
    as_json: bool,
    mail_to: tuple[str, ...],
    since: Path | None,
) -> None:
    from .commands.report import report_command

    sys.exit(report_command(path, out, parse_as_of(as_of), config, no_notice, as_json, list(mail_to), since))


@app.command(
    help="对照同一台账的两个版本：新完成、新增、删除、整改时限推后等变化。\n\n"
    "退出码 0 没有需要关注的变化；1 有删除、整改时限推后、由已完成改为未完成、完成时间早于上次台账日期的措施；"
    f"2 无法读取。\n\nOLD：上次的{LEDGER}，也可以是 ledgerkit 写出的清洗台账\n\nNEW：本次的{LEDGER}"
)
@path_argument("old")
@path_argument("new")
@click.option(
    "--as-of",
    "as_of",
    metavar="日期",
    help="本次台账的日期，如 2024-12-23 或 2024年12月23日，默认取其填报时间，没有则取文件修改日期",
)
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), metavar="文件夹", help="把“变化对照.xlsx”写到此文件夹"
)
@json_option
@config_option
def compare(
    old: Path, new: Path, as_of: str | None, out: Path | None, as_json: bool, config: Path | None
) -> None:
    from .commands.compare import compare_command

    sys.exit(compare_command(old, new, parse_as_of(as_of) if as_of else None, out, as_json, config))


@app.command(
    help="汇总各单位的台账：每个单位一行的汇总表（xlsx）和汇总报告（docx）。退出码 0 全部读取且无错误，"
    "1 有单位的台账有错误或有文件无法读取，2 没有能读取的台账。\n\nFOLDER：存放各单位台账的文件夹（含子文件夹）"
)
@path_argument("folder")
@out_option("文件夹中的“输出”")
@as_of_option
@json_option
def combine(folder: Path, out: Path | None, as_of: str | None, as_json: bool) -> None:
    from .commands.combine import combine_command

    sys.exit(combine_command(folder, out, parse_as_of(as_of), as_json))


@app.command(help="把文件作为附件发送邮件，并在第一个附件旁保存 .eml。\n\nFILES：要发送的文件")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILES...")
@click.option("--to", multiple=True, required=True, metavar="邮箱", help="收件人（可重复）")
@click.option("--cc", multiple=True, metavar="邮箱", help="抄送（可重复）")
@click.option("--subject", metavar="主题", help="邮件主题")
@config_option
def mail(
    files: tuple[Path, ...],
    to: tuple[str, ...],
    cc: tuple[str, ...],
    subject: str | None,
    config: Path | None,
) -> None:
    from .commands.mail import mail_command

    sys.exit(mail_command(list(files), list(to), list(cc), subject, config))


@app.command(
    help="监视文件夹：台账一放入就生成清洗台账和通报草稿。\n\nINBOX：收件文件夹，放入其中的台账会被自动处理"
)
@path_argument("inbox")
@out_option("“<收件文件夹>-输出”")
@config_option
@click.option("--poll", is_flag=True, help="轮询模式（网络共享盘用）")
@click.option(
    "--archive", type=click.Path(path_type=Path), metavar="文件夹", help="处理成功后把台账移到此文件夹"
)
@click.option("--mail-to", multiple=True, metavar="邮箱", help="把新通报发送到此邮箱（可重复）")
def watch(
    inbox: Path,
    out: Path | None,
    config: Path | None,
    poll: bool,
    archive: Path | None,
    mail_to: tuple[str, ...],
) -> None:
    from .commands.watch import watch_command

    sys.exit(watch_command(inbox, out, config, poll, archive, list(mail_to)))


@app.command(
    help="打开网页：在浏览器中上传台账，查看数字和校验结果，下载清洗台账和通报草稿，查看各单位汇总。\n\n"
    "FOLDER：存放台账的文件夹，与 ledgerkit watch FOLDER 的保存方式相同（输出在“<文件夹>-输出”）"
)
@path_argument("folder")
@click.option(
    "--host", default="127.0.0.1", show_default=True, metavar="地址", help="监听的地址（默认只有本机能访问）"
)
@click.option(
    "--port", default=8765, show_default=True, type=int, metavar="端口", help="端口；0 表示自动选择空闲端口"
)
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器")
@click.option(
    "--max-upload-mb",
    default=50,
    show_default=True,
    type=click.IntRange(1, 10_000),
    metavar="MB",
    help="上传文件的大小上限（MB）",
)
@config_option
def serve(
    folder: Path, host: str, port: int, no_browser: bool, max_upload_mb: int, config: Path | None
) -> None:
    from .commands.serve import serve_command

    sys.exit(serve_command(folder, host, port, not no_browser, max_upload_mb, config))


@app.command(
    help="在文件夹中写入空白台账模板、带注释的 ledgerkit.toml 和 inbox 文件夹；用 --from 时由巡察反馈意见"
    "生成第一本台账“整改台账.xlsx”（每个具体问题一行），并把反馈意见开头写明的单位和巡察信息填入 ledgerkit.toml。"
    "\n\nFOLDER：要初始化的文件夹，默认当前文件夹"
)
@click.argument("folder", type=click.Path(path_type=Path), default=Path("."), metavar="[FOLDER]")
@click.option(
    "--from",
    "feedback",
    type=click.Path(path_type=Path),
    metavar="反馈意见",
    help="巡察反馈意见（.docx 或 .txt）：由其中的方面、问题、具体问题生成整改台账.xlsx",
)
@json_option
def init(folder: Path, feedback: Path | None, as_json: bool) -> None:
    from .commands.init import init_command

    sys.exit(init_command(folder, feedback, as_json))


def main(argv: list[str] | None = None) -> None:
    make_streams_safe()
    try:
        _run(argv)
    finally:
        if argv is None:  # the process's own command, in its main thread
            # The work is done (or has failed with its sentence): a Ctrl-C while the interpreter
            # shuts down has nothing left to stop, and would only turn the exit status into -2.
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(argv: list[str] | None) -> None:
    try:
        app.main(args=argv, prog_name="ledgerkit", standalone_mode=False)
        sys.exit(0)
    except LedgerkitError as exc:
        print(exc.message, file=sys.stderr)
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:  # a bare `ledgerkit`: its help, not an error
        print(exc.ctx.get_help() if exc.ctx else "")
        sys.exit(0)
    except click.exceptions.UsageError as exc:
        from .usage import usage_sentence

        print(usage_sentence(exc, _command_named(argv)), file=sys.stderr)
        sys.exit(2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        print("已中断。", file=sys.stderr)
        if argv is None:  # the process's own command: end now, as 130 (half-written files are
            # already removed while the interrupt unwound; a normal shutdown would wait for a
            # preloading import and could meet a second interrupt, ending as -2)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        sys.exit(130)
    except click.exceptions.Exit as exc:  # --help, --version
        sys.exit(exc.exit_code)
    except click.exceptions.ClickException as exc:  # e.g. a file click itself could not open
        print(exc.format_message(), file=sys.stderr)
        sys.exit(exc.exit_code)
    except Exception as exc:  # the one place an unexpected error becomes a sentence
        sys.exit(internal_error(exc))


def _command_named(argv: list[str] | None) -> str:
    """The sub-command the user typed, for a usage error click reports without its context."""
    words = sys.argv[1:] if argv is None else argv
    return next((w for w in words if w in app.commands), "")


def internal_error(exc: BaseException) -> int:
    """Log the traceback for the maintainers; tell the user one sentence. Exit code 3."""
    import traceback

    log = Path.home() / ".ledgerkit-error.log"
    try:
        log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        where = f"详细信息已写入 {log}。"
    except OSError:
        where = ""
    print(
        f"处理时发生内部错误（{type(exc).__name__}）。{where}请把出错的文件和这句话发给维护人员。",
        file=sys.stderr,
    )
    return 3


if __name__ == "__main__":
    main()
