"""The notice draft (issue 4): content, wording, placeholders, and the Word format read back as XML.

Format checks follow docs/notice-format.md part D. Ledgers are built directly from model objects so
these tests do not depend on the reader; one test runs the real pipeline on every sample ledger.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerkit.config import TEMPLATES_DIR, Config
from ledgerkit.errors import LedgerkitError
from ledgerkit.figures import summarise
from ledgerkit.formats import percent
from ledgerkit.model import Ledger, Measure, SheetInfo
from ledgerkit.notice import (
    build_notice,
    chinese_number,
    fullwidth_punct,
    notice_filename,
    notice_text,
    split_lines,
    write_notice,
)
from ledgerkit.notice.hygiene import first_sentence, issuer_breaks
from ledgerkit.notice.model import text_width
from ledgerkit.text import fold

AS_OF = date(2025, 3, 3)
COLUMNS = {
    "seq": "A",
    "aspect": "B",
    "problem": "C",
    "issue": "D",
    "measure": "E",
    "progress": "J",
    "status": "K",
}
A1 = "巡察整改存在的主要问题"
A2 = "学习贯彻习近平新时代中国特色社会主义思想有差距"
ISSUES = ["主体责任扛得不牢", "整改监督缺失", "个别问题边改边犯", "学习氛围不浓", "平安建设工作有落差"]


def near(a: int, b: int) -> bool:
    return abs(a - b) <= Mm(0.05)


# --- building ledgers ---------------------------------------------------------------------------


def measure(
    row: int, aspect: str, problem: str, issue: str, progress: str, status: str = "已完成"
) -> Measure:
    return Measure(
        sheet="整改台账",
        row=row,
        seq=str(row - 1),
        aspect=aspect,
        problem=problem,
        issue=issue,
        measure=f"措施{row - 1}",
        progress=progress,
        status=status,
        status_text=status,
        aspect_key=aspect,
        problem_key=problem,
        issue_key=issue,
    )


def make_ledger(all_done: bool = False, aspects: bool = True, problems: bool = True) -> Ledger:
    """2 aspects, 3 problems, 5 issues, 8 measures; line breaks and a forbidden character."""

    def st(status: str) -> str:
        return "已完成" if all_done else status

    a1, a2 = (A1, A2) if aspects else ("", "")
    p = (lambda t: t) if problems else (lambda t: "")
    rows = [
        measure(2, a1, p("整改责任落实不到位"), ISSUES[0], "推动巡察整改常态化。召开党组会3次。"),
        measure(3, a1, p("整改责任落实不到位"), ISSUES[0], "始终将巡察整改任务融入日常工作。"),
        measure(4, a1, p("整改责任落实不到位"), ISSUES[1], "纪检组列席会议3次\n研究制定整改方案"),
        measure(
            5,
            a1,
            p("部分问题整改成效不明显"),
            ISSUES[2],
            "合同盖章前认真审核\x07把关(已建立制度)",
            st("正在推进"),
        ),
        measure(6, a2, p("学习贯彻不深入"), ISSUES[3], "制定学习方案", st("长期坚持")),
        measure(7, a2, p("学习贯彻不深入"), ISSUES[3], "开设学习专栏", "已完成"),
        measure(8, a2, p("学习贯彻不深入"), ISSUES[3], "开设学习专栏", "已完成"),
        measure(9, a2, p("学习贯彻不深入"), ISSUES[4], "已开展安全检查。\n整改隐患7处。", st("正在推进")),
    ]
    return Ledger(
        source_file="台账.xlsx",
        file_format="xlsx",
        sheets=[SheetInfo("整改台账", (1,), COLUMNS, {}, [])],
        title="巡察反馈问题整改台账",
        unit="台账里的单位",
        has_aspects=aspects,
        has_problems=problems,
        measures=rows,
    )


def make_config(**notice: object) -> Config:
    return Config(
        values={
            "unit": {"name": "开封市机关事务中心", "issuer": "开封市机关事务中心"},
            "inspection": {
                "committee": "市委",
                "group": "市委第三巡察组",
                "start": date(2024, 7, 30),
                "end": date(2024, 9, 14),
                "feedback": date(2024, 10, 24),
            },
            "contact": {"phone": "23875012", "email": "kfsgj3875012@163.com"},
            # the older one-part shape unless a test asks for the three parts (issue 12)
            "notice": {"layout": "one_part", **notice},
        }
    )


def write(tmp_path: Path, ledger: Ledger | None = None, config: Config | None = None, **kw):
    ledger = ledger or make_ledger()
    result = write_notice(ledger, summarise(ledger, AS_OF), config or make_config(), tmp_path, **kw)
    return result, Document(str(result.path))


@pytest.fixture
def drafted(tmp_path):
    return write(tmp_path)


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def para(doc, start: str):
    return next(p for p in doc.paragraphs if p.text.startswith(start))


def all_runs(doc):
    s = doc.sections[0]
    for part in (doc, s.footer, s.even_page_footer):
        for p in part.paragraphs:
            yield from p.runs


def style_font(style) -> str | None:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


# --- part D: page, styles, footers -------------------------------------------------------------


def test_page_size_margins_and_grid(drafted):
    s = drafted[1].sections[0]
    assert near(s.page_width, Mm(210)) and near(s.page_height, Mm(297))
    assert near(s.top_margin, Mm(37)) and near(s.bottom_margin, Mm(35))
    assert near(s.left_margin, Mm(28)) and near(s.right_margin, Mm(26))
    grid = s._sectPr.find(qn("w:docGrid"))
    # issue 12: a line grid and characters condensed 0.25 pt (28 a line in Word, WPS and LibreOffice)
    assert grid.get(qn("w:type")) == "lines"
    assert grid.get(qn("w:linePitch")) == "579"
    spacing = drafted[1].styles["Normal"].element.rPr.find(qn("w:spacing"))
    assert spacing.get(qn("w:val")) == "-5"
    assert 28 * (16 - 0.25) <= (210 - 28 - 26) / 25.4 * 72 < 29 * (16 - 0.25)


def test_normal_style(drafted):
    normal = drafted[1].styles["Normal"]
    rFonts = normal.element.rPr.rFonts
    assert rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert rFonts.get(qn("w:eastAsiaTheme")) is None
    assert normal.font.size == Pt(16)
    pf = normal.paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert pf.line_spacing == Pt(28.95)
    assert pf.space_after == Pt(0) and pf.space_before == Pt(0)
    lang = normal.element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    # The indent is in GwBody only, so title, footer, 署名 and date inherit none.
    assert normal.element.pPr.ind is None


def test_body_title_and_heading_styles(drafted):
    styles = drafted[1].styles
    body = styles["GwBody"]
    assert body.element.pPr.ind.get(qn("w:firstLineChars")) == "200"
    assert body.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    title = styles["GwTitle"]
    assert style_font(title) == "方正小标宋简体"
    assert title.font.size == Pt(22)
    assert title.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.paragraph_format.line_spacing == Pt(35)
    assert title.element.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    assert style_font(styles["GwH1"]) == "黑体"
    assert style_font(styles["GwH2"]) == "楷体_GB2312"
    for name in ("GwH1", "GwH2"):
        assert styles[name].font.size == Pt(16)
        assert styles[name].base_style.name == "GwBody"


def test_heading_levels_use_their_styles(tmp_path):
    _, doc = write(tmp_path, config=make_config(next_steps="继续巩固整改成果。"))
    by_start = {p.text[:2]: p.style.name for p in doc.paragraphs if p.text}
    assert by_start["一、"] == "GwH1" and by_start["二、"] == "GwH1"
    assert by_start["（一"] == "GwH2"
    assert by_start["1."] == "GwBody"  # level 3 and 4 are body text in 仿宋
    assert by_start["（1"] == "GwBody"
    assert by_start["整改"] == "GwBody"
    assert doc.paragraphs[0].style.name == "GwTitle"


def test_footers_carry_page_numbers(drafted):
    doc = drafted[1]
    s = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer is True
    assert s.different_first_page_header_footer is False
    for footer, align in (
        (s.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        el = footer._element
        assert "PAGE" in "".join(el.xpath(".//w:instrText/text()"))
        p = footer.paragraphs[0]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.paragraph_format.alignment == align
        for run in p.runs:
            assert run.font.size == Pt(14)
            assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert s.footer.paragraphs[0].paragraph_format.right_indent == Pt(14)
    assert s.even_page_footer.paragraphs[0].paragraph_format.left_indent == Pt(14)


def test_signature_and_date(drafted):
    doc = drafted[1]
    date_p = doc.paragraphs[-1]
    assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", date_p.text)
    assert date_p.text == "2025年3月3日"  # default: the as-of date
    assert date_p.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    signature = doc.paragraphs[-2]
    assert signature.text == "开封市机关事务中心"
    assert doc.paragraphs[0].text.startswith(signature.text + "关于")
    # issue 12, GB/T 9704 §7.3.5.2: 署名 右空二字; the date starts two characters right of it:
    # 16 pt × (9 − 6), "2025年3月3日" being 6 characters wide and the 署名 9
    assert signature.paragraph_format.right_indent == Pt(32)
    assert date_p.paragraph_format.right_indent == Pt(16 * 3)
    assert doc.paragraphs[-3].text == "" and doc.paragraphs[-4].text != ""


def test_sealed_signature(tmp_path):
    _, doc = write(tmp_path, config=make_config(sealed=True))
    sig, dt = doc.paragraphs[-2], doc.paragraphs[-1]
    assert dt.paragraph_format.right_indent == Pt(64)  # 右空四字
    # 署名 centred over the date, but never closer than two characters to the margin
    assert sig.paragraph_format.right_indent == Pt(16 * 2.5)
    assert [p.text for p in doc.paragraphs[-4:-2]] == ["", ""]  # room for the seal


def test_unsealed_signature(tmp_path):
    _, doc = write(tmp_path, config=make_config(date=date(2025, 5, 12)))
    sig, dt = doc.paragraphs[-2], doc.paragraphs[-1]
    assert dt.text == "2025年5月12日"
    assert sig.paragraph_format.right_indent == Pt(32)
    assert dt.paragraph_format.right_indent == Pt(16 * (9 - 6.5))
    assert doc.paragraphs[-3].text == "" and doc.paragraphs[-4].text != ""


def test_structure(drafted):
    paras = texts(drafted[1])
    assert paras[0].endswith("的通报") and "巡察整改" in paras[0]
    opening = paras[2]
    assert all(w in opening for w in ("统一部署", "反馈", "予以公布"))
    assert opening == (
        "根据市委统一部署，2024年7月30日至9月14日，市委第三巡察组对开封市机关事务中心进行了巡察。"
        "10月24日，市委第三巡察组向开封市机关事务中心反馈了巡察意见。"
        "按照《中国共产党巡视工作条例》有关规定，现将巡察整改情况予以公布。"
    )
    closing = next(p for p in paras if "进行监督" in p)
    assert "联系电话：23875012" in closing and "电子邮箱：kfsgj3875012@163.com。" in closing
    assert paras[1] == ""  # one empty line between title and body


def test_body_paragraphs_only_are_indented(drafted):
    doc = drafted[1]
    for p in doc.paragraphs:
        ind = p._p.pPr.ind if p._p.pPr is not None else None
        assert ind is None or ind.get(qn("w:firstLineChars")) is None  # the indent comes from GwBody
    for p in (doc.paragraphs[0], doc.paragraphs[-1], doc.paragraphs[-2]):
        assert p.style.name in ("GwTitle", "Normal")


# --- part D: content ----------------------------------------------------------------------------


def test_every_issue_in_ledger_order_followed_by_progress(drafted):
    paras = texts(drafted[1])
    issue_lines = [(i, p) for i, p in enumerate(paras) if re.match(r"（\d+）", p)]
    assert [p for _, p in issue_lines] == [f"（{n}）{t}。" for n, t in enumerate(ISSUES, start=1)]
    for i, _ in issue_lines:
        assert paras[i + 1].startswith("整改进展：")


def test_default_numbering_follows_reference_000(drafted):
    paras = texts(drafted[1])
    heads = [p for p in paras if re.match(r"（[一二三]）|\d\.", p)]
    assert heads == [
        f"（一）{A1}",
        "1.整改责任落实不到位",
        "2.部分问题整改成效不明显",
        f"（二）{A2}",
        "1.学习贯彻不深入",  # problems restart per aspect, issues run on
    ]
    assert "（4）学习氛围不浓。" in paras


def test_other_numbering_schemes(tmp_path):
    config = make_config(problem_numbering="continuous", issue_numbering="per_problem", problem_prefix="问题")
    paras = texts(write(tmp_path, config=config)[1])
    assert "问题3.学习贯彻不深入" in paras
    issues = [p[:3] for p in paras if re.match(r"（\d+）", p)]
    assert issues == ["（1）", "（2）", "（1）", "（1）", "（2）"]


def test_bad_numbering_value_is_a_sentence(tmp_path):
    with pytest.raises(LedgerkitError, match="issue_numbering"):
        write(tmp_path, config=make_config(issue_numbering="abc"))


def test_missing_levels_get_no_headings(tmp_path):
    paras = texts(write(tmp_path, ledger=make_ledger(aspects=False, problems=False))[1])
    assert not [p for p in paras if re.match(r"（[一二三四五六七八九十]+）|\d+\.", p)]
    assert [p for p in paras if re.match(r"（\d+）", p)][-1] == "（5）平安建设工作有落差。"


def test_figures_sentence_partial(drafted):
    paras = texts(drafted[1])
    assert paras[3] == (
        "截至2025年3月3日，巡察反馈的5个具体问题，已完成整改2个，完成率40.0%；"
        "制定的8条整改措施，已完成5条。现将具体整改进展情况通报如下："
    )


def test_figures_sentence_all_done(tmp_path):
    paras = texts(write(tmp_path, ledger=make_ledger(all_done=True))[1])
    assert paras[3].startswith(
        "截至2025年3月3日，巡察反馈的5个具体问题已全部完成整改；制定的8条整改措施已全部完成。"
    )
    assert not [p for p in paras if p.startswith("整改状态")]


def test_figures_come_from_the_summary_passed(tmp_path):
    ledger = make_ledger()
    summary = summarise(ledger, AS_OF)
    summary.issues, summary.issues_done, summary.completion_rate = 42, 38, 0.9048
    summary.measures, summary.measures_done = 127, 123
    doc = Document(str(write_notice(ledger, summary, make_config(), tmp_path).path))
    assert (
        "巡察反馈的42个具体问题，已完成整改38个，完成率90.5%；制定的127条整改措施，已完成123条。"
        in (texts(doc)[3])
    )


def test_progress_joins_measures_and_drops_repeats(drafted):
    paras = texts(drafted[1])
    after = {paras[i - 1]: paras[i] for i in range(1, len(paras))}
    # two measures whose texts hold whole sentences: joined with 。 as in reference 000
    assert after["（1）主体责任扛得不牢。"] == (
        "整改进展：一是推动巡察整改常态化。召开党组会3次。二是始终将巡察整改任务融入日常工作。"
    )
    # short parts with ；, the repeated text of a split cell only once
    assert after["（4）学习氛围不浓。"] == "整改进展：一是制定学习方案；二是开设学习专栏。"


def test_line_breaks_in_a_cell(drafted):
    paras = texts(drafted[1])
    after = {paras[i - 1]: paras[i] for i in range(1, len(paras))}
    assert after["（2）整改监督缺失。"] == "整改进展：纪检组列席会议3次，研究制定整改方案。"
    i = paras.index("（5）平安建设工作有落差。")
    assert paras[i + 1 : i + 3] == ["整改进展：已开展安全检查。", "整改隐患7处。"]
    assert split_lines("一是召开会议\n二是制定方案") == ["一是召开会议；二是制定方案"]
    assert split_lines("召开会议，\n\n制定方案") == ["召开会议，制定方案"]


def test_no_status_lines_unless_self_assessment(drafted):
    """Issue 12: no reference notice writes 整改状态 after an issue; only the self-assessment option."""
    paras = texts(drafted[1])
    assert not [p for p in paras if "整改状态" in p or "完成情况：" in p]
    i = paras.index("（4）学习氛围不浓。")
    assert paras[i + 2].startswith("（5）")


def test_self_assessment_line(tmp_path):
    paras = texts(write(tmp_path, config=make_config(self_assessment=True))[1])
    lines = [p for p in paras if p.startswith("自评完成情况：")]
    assert len(lines) == 5 and lines[0] == "自评完成情况：已完成。"
    assert "自评完成情况：正在推进。" in lines
    assert "自评完成情况：已完成2条、长期坚持1条。" in lines  # counted by figures.status_tally


def test_next_steps_section(tmp_path):
    config = make_config(next_steps="一是强化整改成果转化。\n二是提升干部队伍综合素质")
    paras = texts(write(tmp_path, config=config)[1])
    i = paras.index("一、整改工作落实情况")
    assert paras[i + 1].startswith("截至2025年3月3日")
    j = paras.index("二、下一步工作打算")
    assert paras[j + 1 : j + 3] == ["一是强化整改成果转化。", "二是提升干部队伍综合素质。"]
    assert "进行监督" in paras[j + 3]


def test_public_subtitle(tmp_path):
    doc = write(tmp_path, config=make_config(public=True))[1]
    assert doc.paragraphs[1].text == "（社会公开稿）"
    assert doc.paragraphs[1].style.name == "GwSubtitle"
    assert doc.paragraphs[2].text == ""


def test_long_title_breaks_before_guanyu(tmp_path):
    config = make_config()
    config.values["unit"] = {"name": "垣曲县委机关事务服务中心"}
    config.values["inspection"]["round"] = "十五届县委第七轮"
    title = write(tmp_path, config=config)[1].paragraphs[0]
    assert title.text == "垣曲县委机关事务服务中心\n关于十五届县委第七轮巡察整改情况的通报"


def test_config_options_change_the_wording(tmp_path):
    config = make_config(
        title="{issuer}关于十五届县委第七轮巡察整改进展情况的通报",
        legal_basis="按照党务公开原则和巡察工作要求",
        label="整改落实情况",
        bold_headings=True,
    )
    config.values["unit"]["issuer"] = "中共开封市机关事务中心党组"
    config.values["inspection"]["kind"] = "常规巡察"
    config.values["contact"].update(address="开封市晋安路1号", postcode="475000")
    doc = write(tmp_path, config=config)[1]
    paras = texts(doc)
    # too long for two lines: three whole word units (梯形/菱形, GB/T 9704 §7.3.1)
    assert paras[0] == "中共开封市机关事务中心党组\n关于十五届县委第七轮\n巡察整改进展情况的通报"
    assert "进行了常规巡察。" in paras[2] and "按照党务公开原则和巡察工作要求，现将" in paras[2]
    assert paras[-1] == "2025年3月3日" and paras[-2] == "中共开封市机关事务中心党组"
    closing = next(p for p in paras if "进行监督" in p)
    assert closing.endswith("；联系地址：开封市晋安路1号；邮政编码：475000。")
    label = para(doc, "整改落实情况：")
    assert label.runs[0].text == "整改落实情况：" and label.runs[0].bold
    assert all(r.bold for r in para(doc, "（一）").runs) and all(r.bold for r in para(doc, "1.").runs)
    assert not any(r.bold for r in para(doc, "（1）").runs)


def test_numbered_parts_are_never_renumbered(tmp_path):
    """Issue 12: numbering the office wrote stays as written (it used to become 一是/二是)."""
    ledger = make_ledger()
    ledger.measures[4].progress = "①制定学习方案"
    ledger.measures[5].progress = ledger.measures[6].progress = "②开设学习专栏，投入1.5万元"
    paras = texts(write(tmp_path, ledger=ledger)[1])
    assert "整改进展：①制定学习方案；②开设学习专栏，投入1.5万元。" in paras


# --- placeholders and final mode -----------------------------------------------------------------


def test_missing_config_gives_highlighted_placeholders(tmp_path):
    ledger = make_ledger()
    ledger.unit = ""
    result, doc = write(tmp_path, ledger=ledger, config=Config())
    assert result.path.name == "本单位关于巡察整改情况的通报（草稿）.docx"
    assert result.missing[:3] == [
        "单位名称（[unit] name）",
        "派出巡察组的党委（[inspection] committee）",
        "巡察组名称（[inspection] group）",
    ]
    assert "联系电话（[contact] phone）" in result.missing
    marked = [r for r in all_runs(doc) if "【待填" in r.text]
    assert len(marked) >= 10
    for run in marked:
        assert run.font.highlight_color == WD_COLOR_INDEX.YELLOW
        assert run.text.startswith("【待填：") and run.text.endswith("】")
    assert "【待填：巡察组名称】" in texts(doc)[2]
    assert doc.paragraphs[-2].text == "【待填：单位名称】"
    for run in all_runs(doc):  # nothing else is highlighted
        if "【待填" not in run.text:
            assert run.font.highlight_color is None


def test_ledger_errors_put_a_highlighted_warning_before_the_figures(tmp_path):
    result, doc = write(tmp_path, errors=3)
    warning = "【请注意：台账有3处错误未改正，以下数字可能不准确，见清洗台账的“校验结果”表，改正后重新生成】"
    figures = next(p for p in doc.paragraphs if "截至" in p.text)
    assert figures.text.startswith(warning + "截至")
    marked = [r for r in figures.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert "".join(r.text for r in marked) == warning
    assert any("台账校验错误3处" in m for m in result.missing)
    with pytest.raises(LedgerkitError, match="台账校验错误3处"):
        write(tmp_path / "final", errors=3, final=True)


def test_a_ledger_without_errors_has_no_warning(drafted):
    result, doc = drafted
    assert "请注意" not in "".join(texts(doc))
    assert not any("校验错误" in m for m in result.missing)


def test_unit_falls_back_to_the_summary(tmp_path):
    config = make_config()
    config.values["unit"] = {}
    result, doc = write(tmp_path, config=config)
    assert result.path.name == "台账里的单位关于巡察整改情况的通报（草稿）.docx"
    assert doc.paragraphs[-2].text == "台账里的单位" and result.missing == []


def test_final_mode_refuses_placeholders(tmp_path):
    with pytest.raises(LedgerkitError, match="待填") as exc:
        write(tmp_path, config=Config(), final=True)
    assert "巡察组名称" in exc.value.message
    assert not list(tmp_path.iterdir())  # nothing written, not even a temporary file


def test_final_mode_saves_a_complete_notice(tmp_path):
    result, doc = write(tmp_path, final=True)
    assert result.missing == []
    assert not [r for r in all_runs(doc) if "【待填" in r.text]


def test_empty_progress_is_a_placeholder(tmp_path):
    ledger = make_ledger()
    ledger.measures[2].progress = "/"
    result, doc = write(tmp_path, ledger=ledger)
    assert "整改进展：【待填：整改进展】" in texts(doc)
    assert any("整改监督缺失" in m and "J4" in m for m in result.missing)
    with pytest.raises(LedgerkitError):
        write(tmp_path, ledger=ledger, final=True)


# --- text hygiene --------------------------------------------------------------------------------


def test_forbidden_character_removed_with_warning(drafted):
    result, doc = drafted
    assert [(w.code, w.sheet, w.cell, w.field) for w in result.warnings] == [
        ("text-forbidden-char", "整改台账", "J5", "progress")
    ]
    assert "J5" in result.warnings[0].message
    body = "\n".join(texts(doc))
    assert "\x07" not in body
    assert "整改进展：合同盖章前认真审核把关（已建立制度）。" in body


def test_no_half_width_punctuation_next_to_chinese(drafted):
    cjk = "[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
    for text in texts(drafted[1]):
        assert not re.search(f"{cjk}[,:;()]|[,:;()]{cjk}", text), text


def test_fullwidth_punct():
    assert fullwidth_punct("召开会议(扩大),研究:方案;") == "召开会议（扩大），研究：方案；"
    assert fullwidth_punct("(1)具体表现") == "（1）具体表现"  # a pair converts together
    assert fullwidth_punct("共1,000元，时间10:30") == "共1,000元，时间10:30"
    assert fullwidth_punct("see (a, b)") == "see (a, b)"


def test_small_helpers():
    assert notice_filename("开封市机关事务中心") == "开封市机关事务中心关于巡察整改情况的通报（草稿）.docx"
    assert notice_filename("") == "本单位关于巡察整改情况的通报（草稿）.docx"
    assert notice_filename("a/b") == "ab关于巡察整改情况的通报（草稿）.docx"
    assert notice_filename(" 开封市 机关事务中心 ") == notice_filename("开封市机关事务中心")
    assert [chinese_number(n) for n in (1, 10, 12, 20, 36)] == ["一", "十", "十二", "二十", "三十六"]
    assert percent(38, 42) == "90.5%" and percent(1, 1) == "100.0%" and percent(0, 5) == "0.0%"


# --- template and wording files ------------------------------------------------------------------


def test_draft_is_made_from_the_template_file(tmp_path):
    office = tmp_path / "office"
    office.mkdir()
    template = Document(str(TEMPLATES_DIR / "notice.docx"))
    template.sections[0].left_margin = Mm(30)  # an office edits its copy in Word
    template.styles["GwBody"].font.size = Pt(15)
    template.save(str(office / "notice.docx"))
    (office / "notice-wording.toml").write_text('[progress]\nlabel = "整改情况："\n', encoding="utf-8")
    config = make_config()
    config.path = office / "ledgerkit.toml"
    doc = write(tmp_path / "out", config=config)[1]
    assert near(doc.sections[0].left_margin, Mm(30))
    assert doc.styles["GwBody"].font.size == Pt(15)
    assert any(t.startswith("整改情况：") for t in texts(doc))
    assert "PAGE" in "".join(doc.sections[0].footer._element.xpath(".//w:instrText/text()"))


def test_shipped_template_is_current():
    """templates/notice.docx carries the styles make_notice_template.py builds."""
    doc = Document(str(TEMPLATES_DIR / "notice.docx"))
    names = {s.name for s in doc.styles}
    assert {"GwTitle", "GwSubtitle", "GwBody", "GwH1", "GwH2"} <= names
    assert not doc.paragraphs or all(not p.text for p in doc.paragraphs)
    assert style_font(doc.styles["Normal"]) == "仿宋_GB2312"


def test_broken_wording_is_a_sentence(tmp_path):
    office = tmp_path / "office"
    office.mkdir()
    (office / "notice-wording.toml").write_text('[figures]\npartial = "共{count}个问题"\n', encoding="utf-8")
    config = make_config()
    config.path = office / "ledgerkit.toml"
    with pytest.raises(LedgerkitError, match=r"\{count\}"):
        write(tmp_path, config=config)


def test_notice_text_reads_like_the_reference():
    ledger = make_ledger()
    text = notice_text(build_notice(ledger, summarise(ledger, AS_OF), make_config()))
    assert text.splitlines()[0] == "开封市机关事务中心关于巡察整改情况的通报"
    assert text.endswith("开封市机关事务中心\n2025年3月3日")


# --- rendering and the real samples -------------------------------------------------------------


def test_libreoffice_lays_out_28_characters_a_line(tmp_path):
    """Issue 12: a real client renders the draft; a body page holds lines of 26–29 characters.

    (The character grid it replaced gave LibreOffice 14 characters a line.)
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice（soffice）或 pdftotext 不在 PATH 上，无法把通报草稿转成 PDF 检查")
    ledger = make_ledger()
    for m in ledger.measures:
        m.progress = (
            "组织机关全体人员集中学习了有关规定，进一步明确工作职能，在推进主责主业方面全面发力。" * 4
        )
    written = write_notice(ledger, summarise(ledger, AS_OF), make_config(), tmp_path)
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: parallel runs do not lock each other
    cmd = [
        soffice,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
    ]
    subprocess.run([*cmd, str(written.path)], check=True, capture_output=True, timeout=240)
    pdf = out / (written.path.stem + ".pdf")
    page2 = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts = sorted(len(re.sub(r"\s", "", line)) for line in page2.splitlines() if line.strip())
    full = [n for n in counts if n >= 20]  # the lines a paragraph fills, not its last line or the footer
    assert len(full) >= 15, page2
    assert 26 <= full[len(full) // 2] <= 29 and max(full) <= 29, counts


def test_samples_notice_figures_match_summary(sample, tmp_path):
    from conftest import load_truth

    from ledgerkit.pipeline import run

    result = run(sample, date.fromisoformat(load_truth(sample)["as_of"]))
    written = write_notice(result.ledger, result.summary, result.config, tmp_path)
    paras = texts(Document(str(written.path)))
    figures = next(p for p in paras if p.startswith("截至"))
    s = result.summary
    numbers = [int(n) for n in re.findall(r"(\d+)[个条]", figures)]
    if s.issues_done == s.issues:
        assert numbers == [s.issues, s.measures]
        assert "全部完成" in figures
    else:
        assert numbers == [s.issues, s.issues_done, s.measures, s.measures_done]
        assert f"完成率{percent(s.issues_done, s.issues)}" in figures
    assert figures.startswith(f"截至{s.as_of.year}年{s.as_of.month}月{s.as_of.day}日")
    issue_lines = [re.sub(r"^（\d+）", "", p) for p in paras if re.match(r"（\d+）", p)]
    assert len(issue_lines) == s.issues
    # every sample folder has a full ledgerkit.toml; the narrative parts and the rules are the office's
    assert all("[notice]" in m for m in written.missing), written.missing


# --- issue 12: what the published notices say ---------------------------------------------------


def test_description_follows_the_title_then_the_progress(tmp_path):
    ledger = make_ledger()
    for m in ledger.measures[:2]:
        m.description = "机关后勤服务社会化方向坚持不够。"
    ledger.sheets[0].columns["description"] = "F"
    paras = texts(write(tmp_path, ledger=ledger)[1])
    i = paras.index("（1）主体责任扛得不牢。机关后勤服务社会化方向坚持不够。")
    assert paras[i + 1].startswith("整改进展：")


def test_issue_cell_holding_a_paragraph_is_cut_after_its_first_sentence(tmp_path):
    ledger = make_ledger()
    cell = "深化机关事务改革不到位。除县委大院，其他区域仍由各单位自行保障（见“一、”）。成本尚需降低"
    ledger.measures[7].issue = cell
    ledger.measures[7].description = "另见问题描述。"
    paras = texts(write(tmp_path, ledger=ledger)[1])
    issue = next(p for p in paras if p.startswith("（5）"))
    assert issue == (
        "（5）深化机关事务改革不到位。除县委大院，其他区域仍由各单位自行保障（见“一、”）。成本尚需降低。另见问题描述。"
    )


def test_issue_label_from_the_wording_file(tmp_path):
    office = tmp_path / "office"
    office.mkdir()
    (office / "notice-wording.toml").write_text('[headings]\nissue_label = "具体表现："\n', encoding="utf-8")
    config = make_config(label="整改落实情况")
    config.path = office / "ledgerkit.toml"
    paras = texts(write(tmp_path / "out", config=config)[1])
    i = paras.index("（1）具体表现：主体责任扛得不牢。")
    assert paras[i + 1].startswith("整改落实情况：")


def test_each_heading_once(tmp_path):
    ledger = make_ledger()
    ledger.measures[7].issue = ledger.measures[7].issue_key = "学习贯彻不深入"  # the problem's own title
    paras = texts(write(tmp_path, ledger=ledger)[1])
    assert [p for p in paras if "学习贯彻不深入" in p] == ["1.学习贯彻不深入"]
    assert paras[paras.index("1.学习贯彻不深入") + 1] == "（4）学习氛围不浓。"


def test_intro_stays_an_intro_and_text_stays_verbatim(tmp_path):
    ledger = make_ledger()
    ledger.measures[0].progress = "为进一步完善请休假制度，采取以下措施："
    ledger.measures[1].progress = "对请休假制度进行修订"
    ledger.measures[5].progress = ledger.measures[6].progress = "开展“学党史 悟思想”活动"
    paras = texts(write(tmp_path, ledger=ledger)[1])
    assert "整改进展：为进一步完善请休假制度，采取以下措施：一是对请休假制度进行修订。" in paras
    assert any("学党史 悟思想" in p for p in paras)  # the space inside the slogan is kept


def test_empty_ordinal_gives_a_paragraph_per_measure(tmp_path):
    office = tmp_path / "office"
    office.mkdir()
    (office / "notice-wording.toml").write_text('[progress]\nordinal = ""\n', encoding="utf-8")
    config = make_config()
    config.path = office / "ledgerkit.toml"
    paras = texts(write(tmp_path / "out", config=config)[1])
    i = paras.index("（1）主体责任扛得不牢。")
    assert paras[i + 1 : i + 3] == [
        "整改进展：推动巡察整改常态化。召开党组会3次。",
        "始终将巡察整改任务融入日常工作。",
    ]


def test_split_cell_prints_its_progress_once_as_written(tmp_path):
    from build import HEADER, measure_row, write_xlsx

    from ledgerkit.pipeline import run

    progress = "为规范管理，采取以下措施：\n一是制定方案；\n二是开展检查；\n三是建立台账。"
    row = measure_row(1, "方面", "问题", "管理不规范", "1.制定方案\n2.开展检查\n3.建立台账")
    row[HEADER.index("整改进展")] = progress
    path = write_xlsx(tmp_path / "t.xlsx", [HEADER, row])
    result = run(path, AS_OF)
    assert len(result.ledger.measures) == 3
    paras = texts(Document(str(write_notice(result.ledger, result.summary, make_config(), tmp_path).path)))
    text = next(p for p in paras if p.startswith("整改进展："))
    assert text == "整改进展：为规范管理，采取以下措施：一是制定方案；二是开展检查；三是建立台账。"


def test_three_parts(tmp_path):
    config = make_config(layout="three_parts")
    result, doc = write(tmp_path, config=config)
    paras = texts(doc)
    h1 = [p for p in paras if re.match("[一二三]、", p)]
    assert h1 == ["一、整改工作开展情况", "二、具体问题整改情况", "三、下一步工作打算"]
    i = paras.index("一、整改工作开展情况")
    assert paras[i + 1].startswith("截至2025年3月3日") and "通报如下" not in paras[i + 1]
    assert paras[i + 2].startswith("【待填：整改工作开展情况") and "销号" in paras[i + 2]
    assert paras[i + 3] == "二、具体问题整改情况" and paras[i + 4].startswith("（一）")
    j = paras.index("三、下一步工作打算")
    assert paras[j + 1].startswith("【待填：下一步工作打算")
    for start in ("【待填：整改工作开展情况", "【待填：下一步工作打算"):
        assert para(doc, start).runs[0].font.highlight_color == WD_COLOR_INDEX.YELLOW
    assert [m for m in result.missing if "[notice]" in m] == [
        "整改工作开展情况（[notice] overview）",
        "下一步工作打算（[notice] next_steps）",
    ]
    config = make_config(
        layout="three_parts", overview="成立领导小组。\n召开专题会议3次", next_steps="巩固成果"
    )
    result, doc = write(tmp_path / "filled", config=config)
    paras = texts(doc)
    i = paras.index("一、整改工作开展情况")
    assert paras[i + 2 : i + 4] == ["成立领导小组。", "召开专题会议3次。"]
    assert paras[paras.index("三、下一步工作打算") + 1] == "巩固成果。"
    assert not [m for m in result.missing if "[notice]" in m]


def test_figures_wording_has_aspects_and_problems(tmp_path):
    office = tmp_path / "office"
    office.mkdir()
    wording = '[figures]\npartial = "共计{aspects}个方面{problems}个问题中的{issues}个具体表现，已完成{issues_done}个。"\n'
    (office / "notice-wording.toml").write_text(wording, encoding="utf-8")
    config = make_config()
    config.path = office / "ledgerkit.toml"
    paras = texts(write(tmp_path / "out", config=config)[1])
    assert any(p.startswith("共计2个方面3个问题中的5个具体表现，已完成2个。") for p in paras)


def test_rules_detected_are_a_sentence_to_check(tmp_path):
    ledger = make_ledger()
    ledger.measures[0].progress = "制定了《考勤制度》《请休假制度》，学习了《条例》"
    ledger.measures[1].progress = "修订完善《印章使用管理制度》"
    summary = summarise(ledger, AS_OF)
    assert (summary.rules.made, summary.rules.revised) == (2, 1)
    assert summary.as_dict()["rules"]["titles"][2] == {"title": "《印章使用管理制度》", "kind": "revised"}
    result = write_notice(ledger, summary, make_config(), tmp_path)
    doc = Document(str(result.path))
    figures = para(doc, "截至")
    marked = "".join(r.text for r in figures.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW)
    assert marked.startswith("【请核对：整改过程中制定制度2项、修订制度1项。")
    assert any("rules_made" in m for m in result.missing)
    config = make_config(rules_made=3, rules_revised=2)
    doc = Document(str(write_notice(ledger, summary, config, tmp_path / "given").path))
    figures = para(doc, "截至")
    assert figures.text.endswith("整改过程中制定制度3项、修订制度2项。")
    assert not any(r.font.highlight_color for r in figures.runs)


def test_rules_column_counts_before_progress(tmp_path):
    ledger = make_ledger()
    ledger.extra_headers = ["制度建设"]
    ledger.sheets[0].headers = {"L": "制度建设"}
    ledger.measures[0].extras = {"制度建设": "《考勤制度》、《财务制度》"}
    ledger.measures[1].extras = {"制度建设": "修订《请休假制度》"}
    ledger.measures[2].progress = "制定了《不算的制度》"
    rules = summarise(ledger, AS_OF).rules
    assert (rules.made, rules.revised, rules.source) == (2, 1, "column")
    assert [(t.title, t.cell) for t in rules.titles][:1] == [("《考勤制度》", "L2")]


def test_long_issuer_breaks_at_a_unit_and_long_contacts_can_wrap(tmp_path):
    config = make_config()
    config.values["unit"]["issuer"] = "中共某某省某某市某某县机关事务服务中心党组某某工作领导小组办公室"
    config.values["contact"]["email"] = "a.very.long.mailbox.name.for.the.office@example-mail.gov.cn"
    doc = write(tmp_path, config=config)[1]
    lines = doc.paragraphs[-2].text.split("\n")
    assert len(lines) == 2 and all(len(line) > 4 for line in lines)
    assert "".join(lines) == config.values["unit"]["issuer"]
    closing = para(doc, "欢迎广大")
    assert "\u200b" in closing.text  # break opportunities inside the address
    assert closing.text.replace("\u200b", "").endswith(config.values["contact"]["email"] + "。")


# --- properties of the text rules ---------------------------------------------------------------

_WORDS = st.text(alphabet="机关事务中心党组县委局办公室学习整改。，“”《》 ab1", min_size=0, max_size=60)


@given(_WORDS)
@settings(max_examples=200, deadline=None)
def test_first_sentence_loses_nothing(text):
    head, rest = first_sentence(text)
    assert fold(head + "。" + rest if rest else head) == fold(text.rstrip("。")) or fold(
        head + "。" + rest
    ) == fold(text)


@given(
    st.text(alphabet="中共某县委机关事务服务中心党组办公室局", min_size=1, max_size=60), st.integers(8, 26)
)
@settings(max_examples=200, deadline=None)
def test_issuer_lines_keep_the_name_and_fit(text, width):
    lines = [text[a:b] for a, b in issuer_breaks(text, width)]
    assert "".join(lines) == text
    assert all(text_width(line) <= width for line in lines)
    if text_width(text) > width:  # balanced: no line of one or two characters
        assert min(len(line) for line in lines) >= min(3, len(text) // len(lines))


def test_measure_from_an_unlisted_sheet_does_not_crash(tmp_path):
    """A combined ledger may hold measures of a sheet it does not list (issue 11)."""
    ledger = make_ledger()
    ledger.measures[0].sheet = "别的表"
    ledger.measures[0].progress = "推动\x07整改"
    result, _ = write(tmp_path, ledger=ledger)
    assert ("text-forbidden-char", "别的表", "") in [(w.code, w.sheet, w.cell) for w in result.warnings]


def test_content_and_rendering_do_not_import_each_other():
    """notice/content says what, notice/render how; neither imports the other, nor the notice package (issue 11)."""
    import ast

    package = Path(__file__).resolve().parent.parent / "ledgerkit" / "notice"

    def siblings(
        name: str,
    ) -> set[str]:  # ``from .x import`` inside the notice package; ``from . import`` = __init__
        tree = ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))
        return {
            n.module or "__init__" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 1
        }

    assert not {"__init__", "content", "wording"} & siblings("render")
    for name in ("content", "wording", "hygiene", "model"):
        assert not {"__init__", "render"} & siblings(name), name
