"""``--help`` in Chinese, headings included, laid out by display width.

click writes its help through a ``HelpFormatter`` whose headings (Usage, Options, Commands) and
option notes ([required]) are English, and which measures text in characters: a Chinese
character takes two columns, so its columns do not line up and its lines run past the terminal.
This formatter words the headings in Chinese and wraps and aligns by display width (East Asian
wide and full-width characters count two), keeping closing punctuation off the start of a line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import click

HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
# click's notes after an option's help: "[default: 50; 1<=x<=10000]", "[required]", "[env var: X]"
_NOTE = re.compile(r"\[((?:default|required|env var)[^\]]*)\]$")
_NOTE_WORDS = (("default: ", "默认："), ("required", "必填"), ("env var: ", "环境变量："), ("; ", "；"))
_RANGE = re.compile(r"(-?[\d.]+)<=x<=(-?[\d.]+)")
USAGE = "用法："
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."

# An ASCII run (an option, a path, a number) stays whole; everything else breaks per character.
_TOKENS = re.compile(r"[!-~]+|\s+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』”’…,.;:?!)]")
_NO_LINE_END = set("（《「『“‘<([")


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` display columns (one more punctuation mark may
    hang past the end rather than start a line); an ASCII run longer than a line is cut."""
    lines: list[str] = []
    line, used = "", 0
    for token in _TOKENS.findall(" ".join(text.split())):
        w = width(token)
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if used + w > columns and line.strip() and not (token in _NO_LINE_START and used + w <= columns + 2):
            carried = ""
            while line and line[-1] in _NO_LINE_END:  # an opening mark goes down with what it opens
                carried, line = line[-1] + carried, line[:-1]
            lines.append(line.rstrip())
            line, used = carried, width(carried)
        while w > columns:  # a very long path: cut it, nothing better to do
            lines.append(token[:columns])
            token = token[columns:]
            w = width(token)
        line, used = line + token, used + w
    if line.strip():
        lines.append(line.rstrip())
    return lines


class ChineseFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = USAGE if prefix is None else prefix
        lead = f"{'':>{self.current_indent}}{prefix}{prog} "
        rest = wrap(args, max(self.width - width(lead), 20)) or [""]
        self.write(f"{lead}{rest[0]}".rstrip() + "\n")
        for line in rest[1:]:
            self.write(" " * width(lead) + line + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        for i, paragraph in enumerate(paragraphs):
            if i:
                self.write("\n")
            for line in wrap(paragraph, max(self.width - self.current_indent, 20)):
                self.write(f"{indent}{line}\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(first, _notes(second)) for first, second in rows]
        first_col = min(max((width(first) for first, _ in rows), default=0), col_max) + col_spacing
        text_columns = max(self.width - self.current_indent - first_col, 20)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            lines = wrap(second, text_columns)
            if not lines:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")


def _notes(text: str) -> str:
    """click's English note after an option's help, in Chinese: ［默认：50；取值 1–10000］."""
    m = _NOTE.search(text)
    if not m:
        return text
    note = _RANGE.sub(r"取值 \1–\2", m[1])
    for english, chinese in _NOTE_WORDS:
        note = note.replace(english, chinese)
    return f"{text[: m.start()]}［{note}］"


class ChineseContext(click.Context):
    formatter_class = ChineseFormatter
