"""The command line: a thin shell over the library.

Heavy libraries (pandas, pandera, docx) are imported inside the commands that need them, so
``ledgerkit --help`` stays fast. Every error a user can cause ends here as one Chinese sentence
and an exit code; anything else is trapped once in ``main``.
"""

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from .errors import LedgerkitError

app = typer.Typer(
    help="巡察整改台账工具：读取、校验、统计台账，生成清洗后的台账和整改情况通报草稿。",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

AsOf = Annotated[str | None, typer.Option("--as-of", help="统计截止日期 YYYY-MM-DD，默认今天")]
Json = Annotated[bool, typer.Option("--json", help="输出 JSON")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="配置文件 ledgerkit.toml 的路径")]


def parse_as_of(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise LedgerkitError(f"--as-of 的日期“{text}”无效，请写成 2025-03-31 这样的形式。") from None


@app.command()
def check(
    path: Annotated[Path, typer.Argument(help="台账文件（.xlsx .xlsm .xls）")],
    as_of: AsOf = None,
    json: Json = False,
    config: ConfigOpt = None,
) -> None:
    """校验台账：列出错误和提醒。退出码 0 无错误，1 有错误，2 无法读取。"""
    from .commands import check_command

    raise typer.Exit(check_command(path, parse_as_of(as_of), json, config))


@app.command()
def summary(
    path: Annotated[Path, typer.Argument(help="台账文件（.xlsx .xlsm .xls）")],
    as_of: AsOf = None,
    json: Json = False,
    config: ConfigOpt = None,
) -> None:
    """统计台账：具体问题和整改措施的完成情况、逾期和临期事项。"""
    from .commands import summary_command

    raise typer.Exit(summary_command(path, parse_as_of(as_of), json, config))


@app.command()
def report(
    path: Annotated[Path, typer.Argument(help="台账文件，或存放台账的文件夹")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="输出文件夹，默认为台账旁的“输出”")] = None,
    as_of: AsOf = None,
    config: ConfigOpt = None,
    no_notice: Annotated[bool, typer.Option("--no-notice", help="不生成通报草稿")] = False,
    json: Json = False,
    mail_to: Annotated[list[str] | None, typer.Option("--mail-to", help="把通报草稿发送到此邮箱")] = None,
) -> None:
    """生成清洗后的台账（xlsx）和整改情况通报草稿（docx）。"""
    from .commands import report_command

    raise typer.Exit(report_command(path, out, parse_as_of(as_of), config, no_notice, json, mail_to or []))


@app.command()
def mail(
    files: Annotated[list[Path], typer.Argument(help="要发送的文件")],
    to: Annotated[list[str], typer.Option("--to", help="收件人")],
    cc: Annotated[list[str] | None, typer.Option("--cc", help="抄送")] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="邮件主题")] = None,
    config: ConfigOpt = None,
) -> None:
    """把文件作为附件发送邮件，并在第一个附件旁保存 .eml。"""
    from .mail import mail_command

    raise typer.Exit(mail_command(files, to, cc or [], subject, config))


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="收件文件夹：放入其中的台账会被自动处理")],
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="输出文件夹，默认为“<收件文件夹>-输出”")
    ] = None,
    config: ConfigOpt = None,
    poll: Annotated[bool, typer.Option("--poll", help="轮询模式（网络共享盘用）")] = False,
    archive: Annotated[Path | None, typer.Option("--archive", help="处理成功后把台账移到此文件夹")] = None,
    mail_to: Annotated[list[str] | None, typer.Option("--mail-to", help="把新通报发送到此邮箱")] = None,
) -> None:
    """监视文件夹：台账一放入就生成清洗台账和通报草稿。"""
    from .watch import watch_command

    raise typer.Exit(watch_command(inbox, out, config, poll, archive, mail_to or []))


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="要初始化的文件夹")] = Path("."),
) -> None:
    """在文件夹中写入空白台账模板、带注释的 ledgerkit.toml 和 inbox 文件夹。"""
    from .init import init_command

    raise typer.Exit(init_command(folder))


def main() -> None:
    try:
        code = app(standalone_mode=False)  # without standalone mode, click returns Exit codes
        sys.exit(code if isinstance(code, int) else 0)
    except LedgerkitError as exc:
        print(exc.message, file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # the one place an unexpected error becomes a sentence
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        import traceback

        log = Path.home() / ".ledgerkit-error.log"
        try:
            log.write_text(traceback.format_exc(), encoding="utf-8")
            where = f"详细信息已写入 {log}。"
        except OSError:
            where = ""
        print(
            f"处理时发生内部错误（{type(exc).__name__}）。{where}请把出错的文件和这句话发给维护人员。",
            file=sys.stderr,
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
