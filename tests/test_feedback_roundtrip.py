"""``init --from``, round trip: a hierarchy → a feedback document in each form → ``init --from`` →
the ledger read back (as ``summary --json`` counts it) gives the same aspects, problems and issues,
and the parse gives every title and description where the feedback put them (Hypothesis)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_feedback import OPENING, Para, read_back, write_docx

from ledgerkit.workflow.init import init_from_feedback

# ---- the round trip (Hypothesis) ------------------------------------------------------------

_CN = "一二三四五六七八九十"
_CHARS = "学习教育监督管理落实责任整改党建工作作风纪律廉政风险防控基层组织制度执行规范程序会议经费"
_ENDS = "甲乙丙丁戊己庚辛壬癸"
_title = st.text(alphabet=_CHARS, min_size=3, max_size=14)


@st.composite
def hierarchies(draw):
    """Aspects (each a 方面) → problems → 0–3 issues (0: the problem is its own issue)."""
    shape = draw(st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=3), min_size=1, max_size=3))
    n = len(shape) + sum(len(a) for a in shape) + sum(sum(a) for a in shape)
    # a distinct two-character ending from characters the titles never use: every title unique
    titles = iter(
        t + _ENDS[k // 10] + _ENDS[k % 10]
        for k, t in enumerate(draw(st.lists(_title, min_size=n, max_size=n)))
    )
    described = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    out = []
    for problems in shape:
        aspect = next(titles) + "方面"
        out.append((aspect, [(next(titles), [next(titles) for _ in range(k)]) for k in problems]))
    return out, described


SCHEMES = [("{cn}、", "（{cn}）", "{n}."), ("({cn})", "{n}.", "({n})"), ("{cn}、", "（{cn}）", "{n}、")]


def feedback_paragraphs(tree, described, scheme, headings: bool, inline: bool) -> list[Para]:
    marks = SCHEMES[scheme]
    flags = iter(described)
    out: list[Para] = [(OPENING, "")]

    def item(level: int, k: int, title: str) -> None:
        number = marks[level].format(cn=_CN[k], n=k + 1)
        style = f"Heading {level + 1}" if headings else ""
        if next(flags) and level > 0:
            if inline:
                out.append((f"{number}{title}。具体表现：{title}的情况。", style))
            else:
                out.append((f"{number}{title}", style))
                out.append((f"{title}的情况。", ""))
        else:
            out.append((f"{number}{title}", style))

    for a, (aspect, problems) in enumerate(tree):
        item(0, a, aspect)
        for p, (problem, issues) in enumerate(problems):
            item(1, p, problem)
            for i, issue in enumerate(issues):
                item(2, i, issue)
    return out


def feedback_table(tree, described) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """The 问题清单 table of a hierarchy: 问题类别 and 问题 merged down their rows, 具体表现 left
    blank where a problem is its own issue."""
    flags = iter(described)
    rows = [["序号", "问题类别", "问题", "具体表现", "问题描述"]]
    merges = []
    for aspect, problems in tree:
        top = len(rows)
        for problem, issues in problems:
            first = len(rows)
            for issue in issues or [""]:
                own = issue or problem
                rows.append([str(len(rows)), aspect, problem, issue, f"{own}的情况" if next(flags) else ""])
            if len(rows) - 1 > first:
                merges.append((first, 2, len(rows) - 1, 2))
        if len(rows) - 1 > top:
            merges.append((top, 1, len(rows) - 1, 1))
    return rows, merges


def write_form(path: Path, tree, described, form: str, scheme: int, headings: bool, inline: bool) -> Path:
    if form == "table":
        table, merges = feedback_table(tree, described)
        return write_docx(path.with_suffix(".docx"), [(OPENING, ""), table], merges)
    paragraphs = feedback_paragraphs(tree, described, scheme, headings, inline)
    if form == "docx":
        return write_docx(path.with_suffix(".docx"), paragraphs)
    text = path.with_suffix(".txt")
    text.write_bytes("\r\n".join(t for t, _style in paragraphs).encode(form))  # form: the encoding
    return text


def expected_rows(tree, described, form: str, inline: bool) -> list[tuple[str, str, str, str]]:
    """The rows the feedback gives, as a reader of it takes them (mirrors the two writers above)."""
    flags = iter(described)
    out = []
    if form == "table":
        for aspect, problems in tree:
            for problem, issues in problems:
                for issue in issues or [problem]:
                    out.append((aspect, problem, issue, f"{issue}的情况" if next(flags) else ""))
        return out

    def item(title: str) -> tuple[str, str]:  # (title as parsed, description)
        if not next(flags):
            return title, ""
        return (f"{title}。" if inline else title), f"{title}的情况。"

    levels = 3 if any(issues for _a, ps in tree for _p, issues in ps) else 2
    for aspect, problems in tree:
        next(flags)  # an aspect's flag: written plain
        for problem, issues in problems:
            p_title, p_text = item(problem)
            if not issues:  # its own only issue; with two levels the feedback has no problem level
                out.append((aspect, p_title if levels == 3 else "", p_title, p_text))
            for issue in issues:
                out.append((aspect, p_title, *item(issue)))
    return out


def expected(tree) -> list[tuple[str, str]]:
    """(aspect, issue) per issue: a problem with no issue is its own."""
    return [(a, i) for a, problems in tree for p, issues in problems for i in (issues or [p])]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=hierarchies(),
    form=st.sampled_from(["docx", "table", "utf-8", "gbk"]),
    scheme=st.integers(0, len(SCHEMES) - 1),
    headings=st.booleans(),
    inline=st.booleans(),
)
def test_round_trip_hierarchy_feedback_ledger(tmp_path_factory, data, form, scheme, headings, inline):
    tree, described = data
    tmp = tmp_path_factory.mktemp("rt")
    feedback = write_form(tmp / "反馈意见", tree, described, form, scheme, headings, inline)
    result = init_from_feedback(tmp / "d", feedback)
    back = read_back(tmp / "d")
    want = expected(tree)
    problems = sum(len(ps) for _a, ps in tree)
    assert (back["aspects"], back["problems"], back["issues"]) == (len(tree), problems, len(want))
    assert result.hierarchy.counts == (len(tree), problems, len(want))
    assert result.hierarchy.form == ("table" if form == "table" else "paragraphs")
    assert [(a, i.rstrip("。")) for a, _p, i in back["items"]] == want
    # and the parse itself: every title and description where the feedback put it
    assert list(result.hierarchy.rows()) == expected_rows(tree, described, form, inline)
