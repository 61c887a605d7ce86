"""巡察整改进展汇总.docx: a short report of the combined units, in the notice's official format.

Title, one paragraph of totals, a table by unit, the overdue measures by unit, and what was not
counted. The page, fonts and paragraph styles are the notice's: the document is opened from the
shipped notice template with ``docx_render.open_template`` and written in its Gw* styles
(``STYLE_TITLE``, ``STYLE_SUBTITLE``, ``STYLE_BODY``, ``STYLE_H1``, ``STYLE_H2``); table text gets
its Chinese font through ``docx_render.set_cjk_font`` and leaves the page's character grid
through ``docx_render.set_snap_to_grid``. Those are the only parts of the notice this
module leans on. Every figure is stated through ``formats``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import formats
from ..config import TEMPLATES_DIR
from ..figures import DUE_SOON_DAYS
from ..model import Measure
from .model import STAGED_MEANING, WORKBOOK_NAME, Combined, stages_paragraph

TITLE = "巡察整改进展情况汇总"
NOTICE_TEMPLATE = TEMPLATES_DIR / "notice.docx"
# A short report: each unit's overdue measures up to this many, the rest in the workbook's 逾期清单.
OVERDUE_PER_UNIT = 5
TABLE_PT = 10.5  # 五号: a table of eight columns fits the 156 mm text block
# The 巡察办's figures by unit: issues by stage, the rate, overdue measures, rules made / revised.
TABLE_HEADERS = (
    "序号", "单位", "具体问题", "完成整改", "阶段性完成", "未完成", "完成率", "逾期措施", "新建制度", "完善制度",
)  # fmt: skip
TABLE_WIDTHS_MM = (9, 37, 13, 13, 15, 12, 18, 13, 13, 13)  # 156 mm, the text block
_H1_NUMBERS = "一二三四五"


def write_combined_report(combined: Combined, target: Path) -> Path:
    """Write the report atomically; one sentence if the file is open in Word or cannot be written."""
    from ..notice.render import save_word

    doc = build_report(combined)
    return save_word(target, "汇总报告", lambda tmp: doc.save(str(tmp)))


def build_report(combined: Combined) -> Any:
    """The report as a python-docx Document, not yet saved."""
    from ..notice.render import STYLE_BODY, STYLE_SUBTITLE, STYLE_TITLE, open_template

    doc = _Doc(open_template(NOTICE_TEMPLATE if NOTICE_TEMPLATE.is_file() else None))
    doc.add(TITLE, STYLE_TITLE)
    doc.add(f"（截至{formats.cn_date(combined.as_of)}）", STYLE_SUBTITLE)
    doc.add("")  # one empty line before the body, as the notice has
    doc.add(totals_paragraph(combined), STYLE_BODY)
    doc.add(stages_paragraph(combined), STYLE_BODY)
    sections = [("各单位整改进展", _unit_table), ("逾期未完成的整改措施", _overdue_by_unit)]
    if combined.unreadable or combined.superseded:
        sections.append(("未计入汇总的台账", _not_counted))
    for k, (heading, write) in enumerate(sections):
        doc.h1(f"{_H1_NUMBERS[k]}、{heading}")
        write(doc, combined)
    props = doc.doc.core_properties
    props.title = TITLE
    props.comments = "ledgerkit combine 生成的草稿，请核对后使用。"
    return doc.doc


class _Doc:
    """Paragraphs in a named style, the style looked up once: python-docx's own lookup walks
    every style of the template on each paragraph (seconds for a report of 200 units)."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.ids: dict[str, str] = {}

    def add(self, text: str, style: str | None = None) -> Any:
        p = self.doc.add_paragraph(text)
        if style is not None:
            if style not in self.ids:
                self.ids[style] = self.doc.styles[style].style_id
            p._p.get_or_add_pPr().style = self.ids[style]
        return p

    def h1(self, text: str) -> None:
        from ..notice.render import STYLE_H1

        self.add(text, STYLE_H1)

    def h2(self, text: str) -> None:
        from ..notice.render import STYLE_H2

        self.add(text, STYLE_H2)

    def body(self, text: str) -> None:
        from ..notice.render import STYLE_BODY

        self.add(text, STYLE_BODY)


def totals_paragraph(c: Combined) -> str:
    """The one paragraph of totals: the same sentence the CLI and the notice state figures in."""
    t = c.total
    text = f"本次汇总{len(c.units)}个单位的整改台账。" + formats.figures_sentence(
        c.as_of, t.issues, t.issues_done, t.measures, t.measures_done
    )
    text = text[:-1] + f"；逾期未完成的整改措施{t.overdue}条，{DUE_SOON_DAYS}天内到期的{t.due_soon}条。"
    with_errors = sum(1 for u in c.units if u.errors)
    if with_errors:
        text += f"其中{with_errors}个单位的台账存在校验错误，相关数字可能不准确，请核对后使用。"
    if c.unreadable:
        text += f"另有{len(c.unreadable)}个文件未能读取，未计入上述数字。"
    return text


def unit_row(k: int | str, name: str, f: dict[str, Any]) -> list[str]:
    """A row of the table from a unit's (or the total's) ``combine --json`` figures."""
    return [
        str(k), name, str(f["issues"]), str(f["issues_done"]), str(f["issues_staged"]),
        str(f["issues_not_done"]), formats.percent(f["issues_done"], f["issues"]), str(f["overdue"]),
        str(f["rules_made"]), str(f["rules_revised"]),
    ]  # fmt: skip


# ---- sections ----------------------------------------------------------------------------------


def _unit_table(doc: _Doc, c: Combined) -> None:
    doc.body(f"按具体问题完成率由低到高排列。{STAGED_MEANING}逾期措施为逾期未完成的整改措施条数。")
    rows = [unit_row(k, u.unit, u.as_dict()) for k, u in enumerate(c.units, start=1)]
    rows.append(unit_row("", "合计", c.total.as_dict()))
    _table(doc.doc, [list(TABLE_HEADERS), *rows], bold_rows={0, len(rows)})


def _overdue_by_unit(doc: _Doc, c: Combined) -> None:
    behind = [(u, u.overdue_measures()) for u in c.units]
    behind = [(u, ms) for u, ms in behind if ms]
    if not behind:
        doc.body("无。")
        return
    for k, (u, measures) in enumerate(behind, start=1):
        doc.h2(f"（{_number(k)}）{u.unit}（{len(measures)}项）")
        for i, m in enumerate(measures[:OVERDUE_PER_UNIT], start=1):
            doc.body(f"{i}. {_overdue_line(m, c)}")
        if len(measures) > OVERDUE_PER_UNIT:
            doc.body(
                f"……另有{len(measures) - OVERDUE_PER_UNIT}项，见《{WORKBOOK_NAME}》“逾期清单”。",
            )


def _overdue_line(m: Measure, c: Combined) -> str:
    assert m.deadline_date is not None
    owners = "，".join(
        f"{label}：{value}"
        for label, value in (("责任领导", m.leader), ("责任科室", m.department), ("责任人", m.owner))
        if value
    )
    days = (c.as_of - m.deadline_date).days
    tail = f"（{owners}；" if owners else "（"
    measure = m.measure.rstrip("。；;，, ") or m.issue
    return f"{measure}{tail}整改时限{formats.cn_date(m.deadline_date)}，已逾期{days}天）。"


def _not_counted(doc: _Doc, c: Combined) -> None:
    for u in c.unreadable:
        doc.body(f"{c.relative(u.file)}：{u.message}")
    for s in c.superseded:
        doc.body(f"{c.relative(s.file)}：{s.unit}的较早版本，以{c.relative(s.by)}为准。")


def _number(n: int) -> str:
    """（一）…（九十九）, then arabic, as the notice numbers its levels."""
    from ..notice.hygiene import chinese_number

    return chinese_number(n)


# ---- the table ---------------------------------------------------------------------------------


def _table(doc: Any, rows: list[list[str]], bold_rows: set[int]) -> None:
    """A bordered table in 五号仿宋, centred, numbers centred, the unit column left."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    from ..notice.render import BODY_FONT, H1_FONT, set_cjk_font, set_snap_to_grid

    table = doc.add_table(rows=0, cols=len(rows[0]))
    if "Table Grid" in [s.name for s in doc.styles]:
        table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Mm(w) for w in TABLE_WIDTHS_MM]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid: what LibreOffice lays out by
    for r, values in enumerate(rows):
        row = table.add_row()
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = widths[c]
            p = cell.paragraphs[0]
            pf = p.paragraph_format
            pf.first_line_indent = Pt(0)
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
            # Off the page's 28-character grid: a 五号 cell on it is spread to 三号 spacing.
            set_snap_to_grid(p._p.get_or_add_pPr(), False)
            pf.alignment = (
                WD_ALIGN_PARAGRAPH.LEFT if c == 1 and r not in bold_rows else WD_ALIGN_PARAGRAPH.CENTER
            )
            run = p.add_run(value)
            run.font.size = Pt(TABLE_PT)
            set_cjk_font(run._r.get_or_add_rPr(), H1_FONT if r in bold_rows else BODY_FONT)
