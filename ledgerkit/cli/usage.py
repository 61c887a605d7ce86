"""Usage errors in words an office user reads: click's exceptions → one Chinese sentence.

A mistyped command, an unknown option, a missing argument or a bad value each become one line
saying what was wrong and which ``--help`` to look at; ``cli.main`` prints it and exits 2.
"""

from __future__ import annotations

import difflib

import click


class NoSuchCommand(click.exceptions.UsageError):
    def __init__(self, name: str, choices: list[str], ctx: click.Context | None = None) -> None:
        super().__init__(f"No such command {name!r}.", ctx)
        self.name = name
        self.choices = choices


def _help_of(ctx: click.Context | None, command: str = "") -> str:
    own = ctx is not None and ctx.parent is not None  # a sub-command's own context
    path = ctx.command_path if own else f"ledgerkit {command}".strip()
    return f"请运行 {path} --help 查看用法。"


def _param_name(param: click.Parameter | None, hint: str | None = None) -> str:
    if param is None:
        return hint or "参数"
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return (param.metavar or param.name or "参数").rstrip(".")


def _suggest(word: str, choices: list[str] | set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.5)
    return f"是否想用“{close[0]}”？" if close else ""


def _bad_value(exc: click.exceptions.BadParameter) -> str:
    """What a number option wants, in Chinese; click's own words for the other types."""
    kind = getattr(exc.param, "type", None)
    if isinstance(kind, click.IntRange) and kind.min is not None and kind.max is not None:
        return f"请写 {kind.min} 到 {kind.max} 之间的整数。"
    if isinstance(kind, click.types.IntParamType):
        return "请写一个整数。"
    return exc.message


def usage_sentence(exc: click.exceptions.UsageError, command: str = "") -> str:
    """One line: what was wrong, a guess at what was meant, and the ``--help`` to look at."""
    ctx = exc.ctx
    if isinstance(exc, NoSuchCommand):
        listed = "、".join(exc.choices)
        return f"没有“{exc.name}”这个命令（可用的命令：{listed}）。{_suggest(exc.name, exc.choices)}{_help_of(ctx, command)}"
    if isinstance(exc, click.exceptions.NoSuchOption):
        return f"没有“{exc.option_name}”这个选项。{_suggest(exc.option_name, exc.possibilities or [])}{_help_of(ctx, command)}"
    if isinstance(exc, click.exceptions.BadOptionUsage):
        return f"选项“{exc.option_name}”用法不对：它后面需要一个值。{_help_of(ctx, command)}"
    if isinstance(exc, click.exceptions.MissingParameter):
        name = _param_name(exc.param, exc.param_hint if isinstance(exc.param_hint, str) else None)
        what = "选项" if isinstance(exc.param, click.Option) else "参数"
        return f"缺少{what}“{name}”。{_help_of(ctx, command)}"
    if isinstance(exc, click.exceptions.BadParameter):
        return f"“{_param_name(exc.param)}”的值不对：{_bad_value(exc)}{_help_of(ctx, command)}"
    message = exc.message
    if message.startswith("Got unexpected extra argument"):
        extra = message[message.find("(") + 1 : message.rfind(")")]
        return f"多了参数“{extra}”（文件名含空格时请加引号）。{_help_of(ctx, command)}"
    return f"命令用法不对（{message}）。{_help_of(ctx, command)}"
