"""Findings: every code the project can report, in one registry, and how one is built.

A finding is data (``model.Finding``): a stable code, a severity, the sheet and cell, and a
Chinese message and hint filled from the registry's templates. Every stage (normalise,
validate, the notice's content) builds its findings here, so the 校验结果 sheet, the manifest
counts, the CLI line and the exit code all come from one list. Tests assert codes and cells,
never wording; ``docs/findings.md`` is generated from this registry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from ..formats import position
from ..model import Finding, cell_name


class Rule(NamedTuple):
    severity: str  # "error" | "warning"
    field: str  # the measure field the finding is about ("" for the row or the sheet)
    message: str  # what is wrong: a template over {name}, {value} and the code's own fields
    hint: str  # how to fix it


# Messages name what is wrong, hints how to fix it.
REGISTRY: dict[str, Rule] = {
    "measure-missing": Rule("error", "measure", "没有填写{name}。", "请填写这一行的整改措施内容。"),
    "issue-missing": Rule(
        "error",
        "issue",
        "这一行不属于任何具体问题（{name}为空）。",
        "请填写这一行所属的具体问题。",
    ),
    "status-unknown": Rule(
        "error",
        "status",
        "{name}“{value}”不是可识别的状态。",
        "请填写“已完成”“阶段性完成”“正在推进”“长期坚持”或“未开始”，是否应为“{nearest}”？",
    ),
    "deadline-invalid": Rule(
        "error",
        "deadline",
        "{name}“{value}”不是有效日期。",
        "请填写如“2025年3月31日”，或“立行立改”“长期坚持”。",
    ),
    "deadline-extended": Rule(
        "warning",
        "deadline",
        "{name}“{value}”写明已延期，按延期后的{new}统计（原定{original}）。",
        "如延期未获批准，请改回原定时限；建议整改时限只填一个日期，延期情况写在备注中。",
    ),
    "date-invalid": Rule(
        "error", "done_on", "{name}“{value}”不是有效日期。", "请填写如“2025年3月31日”的日期。"
    ),
    "done-after-as-of": Rule(
        "error",
        "done_on",
        "{name}“{value}”晚于统计截止日期{as_of}。",
        "请核对完成时间，或用 --as-of 指定正确的截止日期。",
    ),
    "done-without-date": Rule("warning", "done_on", "已完成，但没有填写{name}。", "请补填完成时间。"),
    "progress-future-date": Rule(
        "warning",
        "progress",
        "{name}写到“{value}”，晚于{ledger_day}，像是写了还没有发生的事。",
        "整改进展只写截至台账日期已经做到的：如是计划，请写明“计划”“将于”或“…前”；如日期写错，请改正；"
        "如台账日期不对，请改正填报时间或用 --as-of 指定统计截止日期。",
    ),
    "department-missing": Rule("warning", "department", "没有填写{name}。", "请填写负责这条措施的科室。"),
    "owner-missing": Rule("warning", "owner", "没有填写{name}。", "请填写这条措施的责任人。"),
    "issue-no-measure": Rule(
        "error",
        "issue",
        "具体问题“{value}”没有任何整改措施。",
        "请在这个问题下至少填写一条整改措施（每条措施一行）。",
    ),
    "measures-pending": Rule(
        "warning",
        "measure",
        "台账列出了{count}个具体问题，都还没有填写整改措施。",
        "请在每个具体问题下填写整改措施、责任领导、责任科室、责任人和整改时限"
        "（每条措施一行，一个具体问题有几条措施就填几行）；填好后再运行 ledgerkit report 生成通报。",
    ),
    "seq-duplicate": Rule("warning", "seq", "{name}“{value}”与第{other}行重复。", "请检查序号是否填错。"),
    # ---- rows that are not what they look like (normalise; docs/reading-rules.md) ----
    "row-duplicate": Rule(
        "error",
        "",
        "这一行与第{other}行{same}，可能是重复粘贴。",
        "如是重复，请删除其中一行；如确是两条措施，请写明区别。目前两行都计入统计。",
    ),
    "status-text-disagrees": Rule(
        "error",
        "status",
        "{name}为“{value}”，但{progress}（{at}）开头写明“{said}”，两者不一致。",
        "请核对这条措施的实际状态，把两处改为一致。目前按{name}“{value}”统计。",
    ),
    "status-in-text": Rule(
        "warning",
        "",
        "台账中没有“完成情况”列，{count}条措施的完成情况取自{progress}开头写明的“整改状态：……”。",
        "建议增加“完成情况”列；没有写明状态的措施按“未开始”统计。",
    ),
    "date-volatile": Rule(
        "error",
        "",
        "{name}单元格是随日期变化的公式“={formula}”，每次打开文件日期都会变，不是确定的日期，没有计入统计。",
        "请把{name}改为直接填写的日期，如“2025年3月31日”。",
    ),
    "date-year-month-ambiguous": Rule(
        "error",
        "",
        "{name}是数字 {value}，{reason}，无法确定日期，没有计入统计。",
        "请把单元格设为文本格式后填写，如“2025年10月”或“2025.10”。",
    ),
    "ditto-nothing-above": Rule(
        "error",
        "",
        "单元格写的是“{value}”（与上一行相同），但上面没有可沿用的内容。",
        "请在这个单元格填写实际内容。",
    ),
    "section-unnumbered": Rule(
        "error",
        "",
        "“{value}”这一行没有编号，而其他分节行都有编号，无法判断它是不是下面各行所属的方面或问题。",
        "如是分节标题，请加上编号（如“三、”“（二）”）；如是说明文字，请移到表格下方。"
        "目前按说明文字处理，下面各行仍属于上方的分节。",
    ),
    "section-level-unknown": Rule(
        "error",
        "",
        "分节行“{value}”的编号层级多于台账能容纳的层级（各列之外只剩{levels}级），"
        "无法判断它是方面、问题还是具体问题。",
        "请把这一层写成表中的一列，或去掉多余的一层分节行。目前这一层没有计入。",
    ),
    "level-conflict": Rule(
        "error",
        "",
        "这一行的“{value}”开始了新的上级分类，但上方的分节行“{section}”（{at}）仍在生效，"
        "一个分节不能分属两个上级分类。",
        "如“{section}”只管上面的行，请在这一行上方加上它自己的分节行。目前本行仍按“{section}”统计。",
    ),
    "instructions-sheet": Rule(
        "warning",
        "",
        "这个工作表是填报说明或示例（看工作表名称），虽有台账表头，其中的行没有计入统计。",
        "清洗后的台账把它原样保存在“其他内容”工作表。如它其实是台账的一部分，请改工作表名称。",
    ),
    "other-table": Rule(
        "warning",
        "",
        "第{row}行起是另一张表（{value}），不是整改措施，没有计入统计。",
        "清洗后的台账把它原样保存在“其他内容”工作表。如它其实是台账的一部分，请删除这一行表头。",
    ),
    "progress-says-done": Rule(
        "warning",
        "status",
        "{name}为“{value}”，但整改进展写明已完成。",
        "如已完成，请把完成情况改为“已完成”并填写完成时间。",
    ),
    "status-inferred": Rule(
        "warning",
        "status",
        "{name}为空，但填写了完成时间，按“已完成”统计。",
        "请在完成情况中填写“已完成”。",
    ),
    "text-too-long": Rule(
        "warning",
        "",
        "内容有{length}个字符，超过 Excel 单元格上限 32767 个字符。",
        "清洗后的台账只保留前 32767 个字符，通报草稿保留全文；建议把内容精简或拆成几条措施。",
    ),
    "column-missing": Rule(
        "warning",
        "",
        "台账中没有“{value}”列。",
        "建议增加这一列，便于落实责任。",
    ),
    "formula-no-value": Rule(
        "warning",
        "",
        "单元格是公式，但文件中没有保存计算结果，按空白处理。",
        "请在 Excel 或 WPS 中打开台账，确认公式结果显示正常后保存，再重新处理。",
    ),
    "formula-error-value": Rule(
        "warning",
        "",
        "单元格公式的计算结果是错误值“{value}”，按空白处理。",
        "请在 Excel 或 WPS 中打开台账，修正公式（或改填内容）后保存，再重新处理。",
    ),
    "formula-unreadable": Rule(
        "error",
        "",
        "{name}单元格是公式，{reason}，无法确定这条措施的{name}，不计入任何完成情况。",
        "请在 Excel 或 WPS 中打开台账，确认公式结果显示正常（不是 #N/A 等错误值）后保存，再重新处理；"
        "或把公式改为直接填写的内容。",
    ),
    "sheet-superseded": Rule(
        "warning",
        "",
        "本表与工作表「{kept}」内容大部分相同，是同一台账的旧版本，未计入统计（按「{kept}」统计）。",
        "清洗后的台账把本表各行原样保存在“其他内容”工作表（内容类型“旧版本”）。"
        "如本表不是旧版本而是台账的另一部分，请删去两表中重复的内容后再处理；如是旧版本，可删除或保持隐藏。",
    ),
    "sheet-versions-ambiguous": Rule(
        "error",
        "",
        "本表与{others}内容大部分相同，是同一台账的几个版本，但无法判断哪个较新（{reason}），暂按本表统计。",
        "请删除旧版本的工作表，或在工作表名称中写明年月（如“2025年12月”），再重新处理。",
    ),
    "column-superseded": Rule(
        "warning",
        "",
        "“{value}”列与{kept_cell}“{kept}”列是同一项的两个版本，按较新的“{kept}”统计，本列作为其他列保留。",
        "如不是这样，请删除旧的一列，或在表头中写明月份（如“完成情况（12月）”）。",
    ),
    "column-versions-ambiguous": Rule(
        "error",
        "",
        "“{value}”列之外还有{others}也像是同一项，无法判断按哪一列统计（{reason}），暂按“{value}”统计。",
        "请只保留一列，或在表头中写明月份（如“完成情况（12月）”），再重新处理。",
    ),
    "status-empty-but-marked": Rule(
        "error",
        "status",
        "{name}为空，但这一行标了{mark}，目前按“{counted}”统计。",
        "请在{name}中填写这条措施的实际状态（如“已完成”），再重新处理；标记本身不计入统计。",
    ),
    "macros-not-kept": Rule(
        "warning",
        "",
        "台账是含宏的工作簿（.xlsm），清洗后的台账保存为 .xlsx，不包含宏。",
        "如需宏，请在原工作簿中继续使用宏；清洗后的台账只含数据和格式。",
    ),
    "text-forbidden-char": Rule(
        "warning",
        "",
        "含有 Word 不能保存的控制字符（{codes}），通报草稿中已删除。",
        "请在台账中删除这个字符（多见于从其他系统复制的文字）。",
    ),
    "notice-progress-missing": Rule(
        "warning",
        "progress",
        "具体问题“{title}”有一条整改措施没有填写整改进展，通报草稿中只写了其他措施的进展。",
        "如需写入，请在台账中补填这条措施的整改进展。",
    ),
}


def make(
    code: str,
    sheet: str,
    row: int = 0,
    column: int = 0,
    /,  # positional only: a message may have a {row} of its own
    *,
    field: str | None = None,
    value: str = "",
    **values: object,
) -> Finding:
    """A finding at ``sheet`` (1-based ``row``/``column``; 0 for none), its message filled from
    the registry and opened with its position as every output writes it (``formats.position``)."""
    rule = REGISTRY[code]
    values = {"name": values.pop("name", ""), "value": value, **values}
    return Finding(
        code,
        rule.severity,
        sheet,
        row,
        column,
        rule.field if field is None else field,
        value,
        position(sheet, cell_name(row, column)) + "：" + rule.message.format(**values),
        rule.hint.format(**values),
    )


def make_at(code: str, sheet: str, grid: tuple[int, int], /, **kwargs: Any) -> Finding:
    """``make`` at a reader's 0-based (row, column) in the sheet's grid."""
    return make(code, sheet, grid[0] + 1, grid[1] + 1, **kwargs)


def sort_findings(findings: Iterable[Finding], sheet_order: list[str]) -> list[Finding]:
    """Errors first, then in the order of the sheets and cells, as a reader goes through."""
    order = {name: i for i, name in enumerate(sheet_order)}

    def key(f: Finding) -> tuple[int, int, int, int, str]:
        return (f.severity != "error", order.get(f.sheet, len(order)), f.row, f.column, f.code)

    return sorted(findings, key=key)


def registry_markdown() -> str:
    """The registry as the table in docs/findings.md (a test keeps that file current)."""
    lines = [
        "# 校验结果代码（finding codes）",
        "",
        "由 `ledgerkit/rules/findings.py` 的 REGISTRY 生成；测试检查本文件与代码一致。",
        "重新生成：`python scripts/make_findings_doc.py`。",
        "",
        "| code | severity | field | message | hint |",
        "|---|---|---|---|---|",
    ]
    for code, r in REGISTRY.items():
        lines.append(f"| `{code}` | {r.severity} | {r.field or '—'} | {r.message} | {r.hint} |")
    return "\n".join(lines) + "\n"


GUIDE_START = (
    "<!-- 校验结果代码：由 scripts/make_findings_doc.py 从 ledgerkit/rules/findings.py 生成，请勿手改 -->"
)
GUIDE_END = "<!-- 校验结果代码结束 -->"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def registry_guide() -> str:
    """The registry as docs/使用说明.md lists it for office staff: each code, whether it is an error,
    what the message says (placeholders as …, {name} as the column's usual header) and the fix."""
    from ..model import STANDARD_HEADERS

    def plain(template: str, field: str) -> str:
        header = STANDARD_HEADERS.get(field, "该列")
        return _PLACEHOLDER.sub(lambda m: header if m[1] == "name" else "…", template).replace("|", "\\|")

    lines = [GUIDE_START, "", "| 代码 | 类别 | 提示的意思 | 怎么改 |", "|---|---|---|---|"]
    for code, r in REGISTRY.items():
        kind = "错误" if r.severity == "error" else "提醒"
        lines.append(f"| `{code}` | {kind} | {plain(r.message, r.field)} | {plain(r.hint, r.field)} |")
    return "\n".join([*lines, "", GUIDE_END])


def with_guide(text: str) -> str:
    """``text`` (docs/使用说明.md) with its block of codes replaced by the registry's current one."""
    start, end = text.index(GUIDE_START), text.index(GUIDE_END) + len(GUIDE_END)
    return text[:start] + registry_guide() + text[end:]
