"""``ledgerkit init``: a folder ready for an office: blank ledger, commented config, inbox.

With ``--from FEEDBACK`` the ledger is the office's first one, 整改台账.xlsx, listing the
feedback's issues, and the config has the facts of its opening sentence as live keys (the rest
commented, as shipped). Never overwrites: a file already there is kept as it is (the office may
have filled it in); an existing 整改台账.xlsx stops the command before anything is written.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import CONFIG_NAME, TEMPLATES_DIR
from ..errors import LedgerkitError, os_reason, read_only, read_only_folder
from ..support.atomic import atomic_path

if TYPE_CHECKING:
    from ..feedback.facts import Facts
    from ..feedback.parse import Hierarchy

TEMPLATE_NAME = "台账模板.xlsx"
LEDGER_NAME = "整改台账.xlsx"  # the first ledger, made from the feedback
INBOX_NAME = "inbox"


def init_folder(folder: Path) -> str:
    """Fill ``folder``; return what was written and kept, and the next steps, as lines of text."""
    _make_folder(folder)
    written: list[str] = []
    kept: list[str] = []
    for name in (TEMPLATE_NAME, CONFIG_NAME):
        target = folder / name
        if target.exists():
            kept.append(name)
            continue
        _write(name, target)
        written.append(name)
    inbox = folder / INBOX_NAME
    if inbox.is_dir():
        kept.append(f"{INBOX_NAME}/")
    elif inbox.exists():
        raise LedgerkitError(f"“{inbox}”已存在但不是文件夹，无法创建收件文件夹。请改名或移走该文件后重试。")
    else:
        _make_folder(inbox)
        written.append(f"{INBOX_NAME}/")
    return _report(folder, written, kept)


# ---- init --from FEEDBACK ----------------------------------------------------------------

# The config keys the feedback's opening sentence can give, in the order a reader checks them.
FACT_KEYS: tuple[tuple[str, str], ...] = (
    ("unit", "name"),
    ("unit", "issuer"),
    ("inspection", "committee"),
    ("inspection", "group"),
    ("inspection", "kind"),
    ("inspection", "start"),
    ("inspection", "end"),
)


# How a found fact is named to the office.
FACT_LABELS = {
    "name": "单位名称",
    "issuer": "发文机关",
    "committee": "派出党委",
    "group": "巡察组",
    "kind": "巡察类型",
    "start": "巡察开始日期",
    "end": "巡察结束日期",
}


@dataclass(slots=True)
class FeedbackInit:
    """What ``init --from`` did: the files, the hierarchy found, the facts put in the config."""

    folder: Path
    feedback: Path
    hierarchy: Hierarchy
    facts: Facts
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def ledger(self) -> Path:
        return self.folder / LEDGER_NAME

    @property
    def config(self) -> Path:
        return self.folder / CONFIG_NAME

    @property
    def config_written(self) -> bool:
        return CONFIG_NAME in self.written

    def found_facts(self) -> list[tuple[str, str]]:
        """(label, value as the notice writes it) of each fact found, in FACT_KEYS order."""
        from ..formats import cn_date

        values = self.facts.config()
        out = []
        for s, k in FACT_KEYS:
            v = values.get(s, {}).get(k)
            if v:
                out.append((FACT_LABELS[k], cn_date(v) if isinstance(v, date) else str(v)))
        return out

    @property
    def missing_keys(self) -> list[str]:
        values = self.facts.config()
        return [f"[{s}] {k}" for s, k in FACT_KEYS if k not in values.get(s, {})]

    def next_steps(self) -> list[str]:
        """What the office does next, one sentence each."""
        steps = [
            f"用 Excel 或 WPS 打开“{LEDGER_NAME}”，在每个具体问题下填写整改措施、责任领导、责任科室、责任人和整改时限"
            "（每条措施一行，一个具体问题有几条措施就在它下面插入几行）；"
        ]
        if not self.config_written:
            steps.append(f"“{CONFIG_NAME}”已存在，未改动：请自行核对其中的单位名称和巡察信息；")
        elif self.missing_keys:
            steps.append(
                f"核对“{CONFIG_NAME}”中从反馈意见找到的内容，补上没有找到的 "
                + "、".join(self.missing_keys)
                + "（删去行首的“# ”即可启用）；"
            )
        else:
            steps.append(f"核对“{CONFIG_NAME}”中从反馈意见找到的单位名称和巡察信息；")
        steps.append(
            f"填好后运行 ledgerkit report {LEDGER_NAME}，或把台账放入 {INBOX_NAME} 文件夹后运行 ledgerkit watch {INBOX_NAME}。"
        )
        return steps

    def as_dict(self) -> dict[str, Any]:
        """``init --from --json``."""
        aspects, problems, issues = self.hierarchy.counts
        values = self.facts.config()
        return {
            "folder": str(self.folder),
            "feedback": str(self.feedback),
            "ledger": str(self.ledger),
            "form": self.hierarchy.form,
            "aspects": aspects,
            "problems": problems,
            "issues": issues,
            "written": list(self.written),
            "kept": list(self.kept),
            "config": {
                s: {k: v.isoformat() if isinstance(v, date) else v for k, v in keys.items()}
                for s, keys in values.items()
            }
            if self.config_written
            else None,
            "config_missing": self.missing_keys if self.config_written else [],
            "next_steps": self.next_steps(),
        }


def init_from_feedback(folder: Path, feedback: Path) -> FeedbackInit:
    """The office's first ledger from the inspection group's feedback; the feedback is only read."""
    from ..feedback.facts import find_facts
    from ..feedback.parse import parse_feedback, preamble
    from ..feedback.read import read_feedback
    from ..workbook.template import BLANK_LINE, TEMPLATE_TITLE, write_ledger_template

    folder = Path(folder)
    ledger = folder / LEDGER_NAME
    if ledger.exists():
        raise LedgerkitError(
            f"“{ledger}”已存在，没有覆盖，也没有写入其他文件。如要重新生成，请先把它改名或移到别处。"
        )
    inbox = folder / INBOX_NAME
    if inbox.exists() and not inbox.is_dir():  # said before anything is written
        raise LedgerkitError(f"“{inbox}”已存在但不是文件夹，无法创建收件文件夹。请改名或移走该文件后重试。")
    doc = read_feedback(feedback)
    hierarchy = parse_feedback(doc)
    if not hierarchy.counts[2]:
        raise LedgerkitError(
            f"“{doc.name}”中没有找到反馈的问题：既没有“一、（一）1.”这样编号的段落，也没有列有“问题”“具体问题”的问题清单表格。"
            "请确认选择的是巡察反馈意见，或把问题按编号逐条列出后再运行。"
        )
    opening = preamble(doc.blocks) or [p.text for p in doc.paragraphs[:10]]
    facts = find_facts(opening)
    result = FeedbackInit(folder, Path(feedback), hierarchy, facts)
    _make_folder(folder)
    title = f"{facts.unit}巡察反馈问题整改台账" if facts.unit else TEMPLATE_TITLE
    line = f"填报单位：{facts.unit}　　　　填报时间：" if facts.unit else BLANK_LINE
    try:
        write_ledger_template(ledger, list(hierarchy.rows()), title, line)
    except OSError as exc:
        raise LedgerkitError(f"无法写入“{ledger}”：{exc.strerror or exc}。请检查文件夹权限。") from None
    result.written.append(LEDGER_NAME)
    config = folder / CONFIG_NAME
    if config.exists():
        result.kept.append(CONFIG_NAME)
    else:
        _write_config(config, facts.config())
        result.written.append(CONFIG_NAME)
    if inbox.is_dir():
        result.kept.append(f"{INBOX_NAME}/")
    else:
        _make_folder(inbox)
        result.written.append(f"{INBOX_NAME}/")
    return result


def _write_config(target: Path, values: dict[str, dict[str, str | date]]) -> None:
    source = TEMPLATES_DIR / CONFIG_NAME
    try:
        text = source.read_text(encoding="utf-8")
    except OSError:
        raise LedgerkitError(
            f"找不到配置文件模板“{source}”。请重新安装 ledgerkit，或从项目的 templates 文件夹复制 {CONFIG_NAME}。"
        ) from None
    try:
        with atomic_path(target) as tmp:
            tmp.write_text(live_config(text, values), encoding="utf-8")
    except OSError as exc:
        raise LedgerkitError(f"无法写入“{target}”：{exc.strerror or exc}。请检查文件夹权限。") from None


_COMMENTED_KEY = re.compile(r"^# (\w+) = (\S.*?)(\s{2,}#.*)?$")
_SECTION = re.compile(r"^\[(\w+)\]\s*$")


def live_config(template: str, values: dict[str, dict[str, str | date]]) -> str:
    """The shipped config with the given keys enabled and set, the rest commented as shipped.

    A key's comment stays where it was, so the file still reads as a form to fill in.
    """
    out = []
    section = ""
    for line in template.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        head = _SECTION.match(body)
        if head:
            section = head[1]
        m = _COMMENTED_KEY.match(body)
        if m and m[1] in values.get(section, {}):
            value = values[section][m[1]]
            text = value.isoformat() if isinstance(value, date) else json.dumps(value, ensure_ascii=False)
            live = f"{m[1]} = {text}"
            comment = (m[3] or "").lstrip()
            at = len(body) - len(comment)  # the column the comment starts at
            body = f"{live.ljust(at - 1)} {comment}" if comment else live
        out.append(body + ending)
    return "".join(out)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise LedgerkitError(f"“{folder}”已存在但不是文件夹。请换一个文件夹名。") from None
    except OSError as exc:
        parent = next((p for p in folder.absolute().parents if p.exists()), folder.parent)
        if read_only(parent, exc):
            raise read_only_folder(
                parent, f"无法创建文件夹“{folder.name}”", "换一个可以写入的文件夹运行 ledgerkit init"
            ) from None
        raise LedgerkitError(f"无法创建文件夹“{folder}”：{os_reason(exc)}。请检查路径是否正确。") from None


def _write(name: str, target: Path) -> None:
    source = TEMPLATES_DIR / name
    try:
        with atomic_path(target) as tmp:
            if source.is_file():
                shutil.copyfile(source, tmp)
            elif name == TEMPLATE_NAME:  # templates/ not shipped (installed package): build it
                from ..workbook import write_blank_template

                write_blank_template(tmp)
            else:
                raise LedgerkitError(
                    f"找不到配置文件模板“{source}”。请重新安装 ledgerkit，或从项目的 templates 文件夹复制 {name}。"
                )
    except OSError as exc:
        if read_only(target.parent, exc):
            raise LedgerkitError(
                f"无法在文件夹“{target.parent.absolute()}”中写入 {name}：该文件夹是只读的（没有写入权限）。"
                "请换一个可以写入的文件夹运行 ledgerkit init，或请管理员开放写入权限。"
            ) from None
        raise LedgerkitError(f"无法写入“{target}”：{os_reason(exc)}。请检查该文件夹。") from None


def _report(folder: Path, written: list[str], kept: list[str]) -> str:
    lines = [f"已初始化文件夹“{folder}”。"]
    if written:
        lines.append("新写入：" + "、".join(written))
    if kept:
        lines.append("已存在，未覆盖：" + "、".join(kept))
    lines += [
        "下一步：",
        f"  1. 用 Excel 或 WPS 打开“{TEMPLATE_NAME}”，按“填报说明”工作表填写台账；",
        f"  2. 编辑“{CONFIG_NAME}”，填写单位名称、巡察组和联系方式（删去行首的“# ”即可启用）；",
        f"  3. 运行 ledgerkit report {TEMPLATE_NAME}，或把台账放入 {INBOX_NAME} 文件夹后运行 ledgerkit watch {INBOX_NAME}。",
    ]
    return "\n".join(lines)
