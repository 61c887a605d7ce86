"""What the 巡察整改情况通报 says, built from the Ledger, its Summary and ledgerkit.toml.

The content is a :class:`~ledgerkit.notice.model.Notice`: paragraphs of spans, some of them
highlighted (【待填：…】 for what the office must write, 【请核对：…】 for what it must check).
Its shape follows the published notices: the opening; 一、整改工作开展情况 (the figures and the
office's account of how it organised the work); 二、具体问题整改情况 (each issue with its
description and progress, in the ledger's words); 三、下一步工作打算; the closing and 署名.
``[notice] layout = "one_part"`` gives the older shape without 一、二、三. The words come from
``notice_wording``; figures only from the ``Summary`` passed in, stated through ``formats``.
"""

from __future__ import annotations

from datetime import date

from .. import formats
from ..config import NOTICE_CHOICES, Config
from ..figures import IssueFigures, Summary, status_tally
from ..model import Finding, Ledger, Measure, cell_name
from ..rules import findings
from ..text import fold, not_applicable, without_status
from .hygiene import (
    FORBIDDEN,
    SOFT_END,
    chinese_number,
    cut_spans,
    end_sentence,
    first_sentence,
    fix_spans,
    is_numbered,
    issuer_breaks,
    split_lines,
    strip_end,
    tidy,
    title_breaks,
    title_text,
    trim,
)
from .model import PLACEHOLDER_MARK, Notice, Para, Span, text_width
from .wording import Value, Wording, load_wording

# Required config values: (section, key) -> the name shown in 【待填：…】 and in the missing list.
REQUIRED = {
    ("unit", "name"): "单位名称",
    ("inspection", "committee"): "派出巡察组的党委",
    ("inspection", "group"): "巡察组名称",
    ("inspection", "start"): "巡察开始日期",
    ("inspection", "end"): "巡察结束日期",
    ("inspection", "feedback"): "巡察意见反馈日期",
    ("notice", "overview"): "整改工作开展情况",
    ("notice", "next_steps"): "下一步工作打算",
    ("contact", "phone"): "联系电话",
    ("contact", "email"): "电子邮箱",
}
LINE_CHARS = 28  # GB/T 9704: 28 characters a line
SIGNATURE_RIGHT = 2  # 署名 右空二字 (§7.3.5.2)


def build_notice(ledger: Ledger, summary: Summary, config: Config, errors: int = 0) -> Notice:
    """The notice's content, without writing anything."""
    return _Builder(ledger, summary, config, Wording(load_wording(config)), errors).build()


class _Builder:
    """Builds one Notice, collecting what is missing and the text warnings on the way."""

    def __init__(self, ledger: Ledger, summary: Summary, config: Config, wording: Wording, errors: int = 0):
        self.ledger, self.summary, self.config, self.wording = ledger, summary, config, wording
        self.errors = errors
        self.missing: list[str] = []
        self.warnings: list[Finding] = []
        self._warned: set[tuple[str, str]] = set()
        self.numbering = {k: getattr(config.notice, k) for k in NOTICE_CHOICES}  # checked when loaded
        self.bold = config.notice.bold_headings

    # -- values

    def fill(self, section: str, key: str, **values: Value) -> list[Span]:
        return self.wording.fill(section, key, **values)

    def word(self, section: str, key: str, default: str | None = None) -> str:
        return self.wording.word(section, key, default)

    def placeholder(self, name: str, listed: str) -> Span:
        if listed not in self.missing:
            self.missing.append(listed)
        return Span(f"{PLACEHOLDER_MARK}：{name}】", placeholder=True)

    def conf(self, section: str, key: str) -> Span:
        """A required config value, or its placeholder."""
        value = self.config.get(section, key)
        if isinstance(value, date):
            return Span(formats.cn_date(value))
        text = tidy(str(value)) if value is not None else ""
        name = REQUIRED[(section, key)]
        return Span(text) if text else self.placeholder(name, f"{name}（[{section}] {key}）")

    def optional(self, section: str, key: str, default: str = "") -> str:
        value = self.config.get(section, key)
        return tidy(str(value)) if value is not None else default

    # -- ledger text

    def ledger_text(self, m: Measure, fieldname: str, value: str) -> str:
        """A ledger value with the characters Word cannot hold removed, warning once per cell."""
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        bad = sorted(set(FORBIDDEN.findall(value)))
        if not bad:
            return value
        sheet, row, column = self._source(m, fieldname)
        key = (sheet, cell_name(row, column) or f"{m.row}:{fieldname}")
        if key not in self._warned:
            self._warned.add(key)
            codes = "、".join(f"U+{ord(c):04X}" for c in bad)
            shown = FORBIDDEN.sub(lambda x: f"\\u{ord(x.group()):04x}", value)
            self.warnings.append(
                findings.make(
                    "text-forbidden-char", sheet, row, column, field=fieldname, value=shown, codes=codes
                )
            )
        return FORBIDDEN.sub("", value)

    def _source(self, m: Measure, fieldname: str) -> tuple[str, int, int]:
        src = self.ledger.source(m, fieldname)  # None for a sheet the ledger does not list
        return (src.sheet, src.row, src.column) if src is not None else (m.sheet, 0, 0)

    def title_of(self, m: Measure | None, fieldname: str, text: str) -> str:
        return trim(self.ledger_text(m, fieldname, text) if m is not None else text)

    # -- the document

    def build(self) -> Notice:
        issuer = self.issuer()
        title = self.title(issuer)
        body = self.body()
        date_value = self.config.notice.date or self.summary.as_of
        title = fix_spans(title)
        return Notice(
            title=[cut_spans(title, a, b) for a, b in title_breaks(_text(title))],
            subtitle=self.word("title", "public") if self.config.notice.public else "",
            body=[Para(p.kind, fix_spans(p.spans)) for p in body],
            signature=self.signature(fix_spans([issuer])),
            date=formats.cn_date(date_value),
            sealed=self.config.notice.sealed,
            missing=self._missing_in_order(),
            warnings=self.warnings,
        )

    def _missing_in_order(self) -> list[str]:
        """Config values in the order ledgerkit.toml lists them, then the ledger's gaps."""
        order = {f"{name}（[{s}] {k}）": i for i, ((s, k), name) in enumerate(REQUIRED.items())}
        return sorted(self.missing, key=lambda x: order.get(x, len(order)))

    def unit(self) -> Span:
        if self.config.get("unit", "name") is None and tidy(self.summary.unit or ""):
            return Span(tidy(self.summary.unit))
        return self.conf("unit", "name")

    def issuer(self) -> Span:
        issuer = self.optional("unit", "issuer")
        return Span(issuer) if issuer else self.unit()

    def title(self, issuer: Span) -> list[Span]:
        custom = self.optional("notice", "title")
        round_ = self.optional("inspection", "round")
        values: dict[str, Value] = {"issuer": issuer, "unit": self.unit(), "round": round_}
        if custom:
            return self.wording.fill_text(custom, "[notice] title", **values)
        return self.fill("title", "text", **values)

    def signature(self, spans: list[Span]) -> list[list[Span]]:
        """The 署名 in lines that fit right of its two-character space, broken at word units."""
        width = LINE_CHARS - SIGNATURE_RIGHT - 2  # and never flush against the left margin
        return [cut_spans(spans, a, b) for a, b in issuer_breaks(_text(spans), width)]

    def body(self) -> list[Para]:
        if self.numbering["layout"] == "one_part":
            return self.one_part()
        paras = [Para("text", self.opening())]
        paras.append(Para("h1", self.fill("sections", "overview")))
        paras.append(Para("text", self._errors_warning() + self.figures(lead=False) + self.rules()))
        paras.extend(self.narrative("overview", "overview_todo"))
        paras.append(Para("h1", self.fill("sections", "issues")))
        paras.extend(self.items())
        paras.append(Para("h1", self.fill("sections", "next_steps")))
        paras.extend(self.narrative("next_steps", "next_steps_todo"))
        paras.append(Para("text", self.closing()))
        return paras

    def one_part(self) -> list[Para]:
        """The older shape: figures, the issues, and next steps only when configured."""
        paras = [Para("text", self.opening())]
        has_next = bool(self.config.get("notice", "next_steps"))
        if has_next:
            paras.append(Para("h1", self.fill("sections", "progress")))
        paras.append(Para("text", self._errors_warning() + self.figures(lead=True) + self.rules()))
        if self.config.get("notice", "overview"):
            paras.extend(self.narrative("overview", "overview_todo"))
        paras.extend(self.items())
        if has_next:
            paras.append(Para("h1", self.fill("sections", "next_steps_one_part")))
            paras.extend(self.narrative("next_steps", "next_steps_todo"))
        paras.append(Para("text", self.closing()))
        return paras

    def narrative(self, key: str, todo: str) -> list[Para]:
        """The office's own paragraphs from ``[notice] key``, verbatim; else what to write, highlighted."""
        text = self.config.get("notice", key)
        if text:
            return [Para("text", [Span(end_sentence(p))]) for p in split_lines(FORBIDDEN.sub("", str(text)))]
        name = REQUIRED[("notice", key)]
        listed = f"{name}（[notice] {key}）"
        if listed not in self.missing:
            self.missing.append(listed)
        return [Para("text", [Span(self.word("sections", todo), placeholder=True)])]

    def opening(self) -> list[Span]:
        start, end = (self.config.get("inspection", k) for k in ("start", "end"))
        start_year = start.year if isinstance(start, date) else None
        end_short = self._date_span("end", start_year)
        feedback_short = self._date_span("feedback", end.year if isinstance(end, date) else start_year)
        return self.fill(
            "opening",
            "text",
            committee=self.conf("inspection", "committee"),
            group=self.conf("inspection", "group"),
            unit=self.unit(),
            start=self.conf("inspection", "start"),
            end=end_short,
            end_full=self.conf("inspection", "end"),
            feedback=feedback_short,
            feedback_full=self.conf("inspection", "feedback"),
            kind=self.optional("inspection", "kind", self.word("opening", "kind")),
            legal_basis=strip_end(
                self.optional("notice", "legal_basis", self.word("opening", "legal_basis"))
            ),
        )

    def _date_span(self, key: str, same_year_as: int | None) -> Span:
        """A date without its year when the year was just said ("7月30日至9月14日")."""
        value = self.config.get("inspection", key)
        if isinstance(value, date):
            return Span(formats.cn_date(value, with_year=value.year != same_year_as))
        return self.conf("inspection", key)

    def figures(self, lead: bool) -> list[Span]:
        s = self.summary
        all_done = s.issues > 0 and s.issues_done == s.issues and s.measures_done == s.measures
        spans = self.fill(
            "figures",
            "all_done" if all_done else "partial",
            as_of=formats.cn_date(s.as_of),
            aspects=str(s.aspects),
            problems=str(s.problems),
            issues=str(s.issues),
            issues_done=str(s.issues_done),
            rate=formats.percent(s.issues_done, s.issues),
            measures=str(s.measures),
            measures_done=str(s.measures_done),
        )
        return spans + (self.fill("figures", "lead") if lead else [])

    def rules(self) -> list[Span]:
        """制定制度N项、修订制度M项: the office's numbers, else the detected ones marked for checking."""
        made, revised = self.config.notice.rules_made, self.config.notice.rules_revised
        if made is not None or revised is not None:
            return self.fill("figures", "rules", made=str(made or 0), revised=str(revised or 0))
        found = self.summary.rules
        if not found.made and not found.revised:
            return []
        sentence = _text(self.fill("figures", "rules", made=str(found.made), revised=str(found.revised)))
        where = "台账“制度”列" if found.source == "column" else "整改进展中《》所列制度"
        check = self.word("figures", "rules_check", "【请核对：{sentence}（据{where}统计）】")
        text = _text(self.wording.fill_text(check, "[figures] rules_check", sentence=sentence, where=where))
        listed = "制定、修订制度数（核对后填入 [notice] rules_made、rules_revised）"
        if listed not in self.missing:
            self.missing.append(listed)
        return [Span(text, placeholder=True)]

    def _errors_warning(self) -> list[Span]:
        """A public notice must not quietly carry figures from a ledger that failed its checks."""
        if not self.errors:
            return []
        where = "见清洗台账的“校验结果”表"
        listed = f"台账校验错误{self.errors}处（{where}，改正后重新生成）"
        if listed not in self.missing:
            self.missing.append(listed)
        text = f"【请注意：台账有{self.errors}处错误未改正，以下数字可能不准确，{where}，改正后重新生成】"
        return [Span(text, placeholder=True)]

    def closing(self) -> list[Span]:
        contacts: list[Span] = []
        for key in ("phone", "email", "address", "postcode"):
            if key in ("phone", "email"):
                value: Span | None = self.conf("contact", key)
            else:
                text = self.optional("contact", key)
                value = Span(text) if text else None
            if value is None:
                continue
            if contacts:
                contacts.append(Span("；"))
            contacts.extend(self.fill("closing", key, **{key: value}))
        contacts.append(Span("。"))
        return self.fill("closing", "text", contacts=contacts)

    # -- the enumerated issues

    def items(self) -> list[Para]:
        """（一）aspects, 1. problems, （1）issues: each heading once, numbered as configured."""
        paras: list[Para] = []
        counters = {"aspect": 0, "problem": 0, "issue": 0}
        prev_aspect: str | None = None
        prev_problem: str | None = None
        for it in self.summary.items:
            first = it.measures[0] if it.measures else self._issue_row(it)
            aspect = self.title_of(first, "aspect", it.aspect) if self.ledger.has_aspects else ""
            problem = self.title_of(first, "problem", it.problem) if self.ledger.has_problems else ""
            if fold(problem) == fold(aspect):  # the same title a level down is not said twice
                problem = ""
            if fold(aspect) != prev_aspect:
                prev_aspect, prev_problem = fold(aspect), None
                if self.numbering["problem_numbering"] == "per_aspect":
                    counters["problem"] = 0
                if self.numbering["issue_numbering"] == "per_aspect":
                    counters["issue"] = 0
                if aspect:  # a level the ledger lacks gets no heading
                    counters["aspect"] += 1
                    paras.append(self.heading("aspect", chinese_number(counters["aspect"]), aspect))
            if fold(problem) != prev_problem:
                prev_problem = fold(problem)
                if self.numbering["issue_numbering"] == "per_problem":
                    counters["issue"] = 0
                if problem:
                    counters["problem"] += 1
                    paras.append(self.heading("problem", str(counters["problem"]), problem))
            paras.extend(self.issue(it, first, counters, repeats=fold(problem or aspect)))
        return paras

    def heading(self, kind: str, n: str, title: str) -> Para:
        prefix = self.optional("notice", "problem_prefix")
        spans = self.fill("headings", kind, n=n, title=title_text(title), prefix=prefix)
        for s in spans:
            s.bold = self.bold
        return Para(kind, spans)

    def _issue_row(self, it: IssueFigures) -> Measure | None:
        """The issue-only row behind an issue listed with no measure."""
        key = (fold(it.aspect), fold(it.problem), fold(it.title))
        return next(
            (
                m
                for m in self.ledger.issue_only_rows
                if (fold(m.aspect), fold(m.problem), fold(m.issue)) == key
            ),
            None,
        )

    def description(self, it: IssueFigures, first: Measure | None) -> str:
        """The issue's 问题描述 as the ledger has it: each distinct text once, in ledger order."""
        rows = it.measures or ([first] if first is not None else [])
        seen: list[str] = []
        for m in rows:
            text = trim(self.ledger_text(m, "description", m.description))
            if text and not not_applicable(text) and fold(text) not in {fold(s) for s in seen}:
                seen.append(text)
        return "".join(end_sentence(t) for t in seen)

    def issue(
        self, it: IssueFigures, first: Measure | None, counters: dict[str, int], repeats: str
    ) -> list[Para]:
        """（n）title。description, then the progress label and text (as reference 001 prints them)."""
        raw = self.title_of(first, "issue", it.title)
        title, rest = first_sentence(raw)  # a paragraph in the issue cell: nothing of it is cut
        title = title.rstrip("。" + SOFT_END)
        described = (end_sentence(rest) if rest else "") + self.description(it, first)
        paras: list[Para] = []
        if title and fold(title) == repeats:  # the issue repeats its problem's title: say it once
            if described:
                paras.append(Para("text", [Span(described)]))
            label_for = title
        else:
            counters["issue"] += 1
            n = counters["issue"]
            title_span: Value = title or self.placeholder("具体问题", f"具体问题（第 {n} 个）")
            label = self.word("headings", "issue_label", "")
            if described:
                spans = self.fill(
                    "headings",
                    "issue_described",
                    n=str(n),
                    title=title_span,
                    label=label,
                    description=described,
                )
            else:
                spans = self.fill("headings", "issue", n=str(n), title=title_span, label=label)
            paras.append(Para("issue", spans))
            label_for = title or f"第 {n} 个"
        paras.extend(self.progress(it, first, label_for))
        if self.config.notice.self_assessment:
            paras.append(
                Para("text", self.fill("progress", "self_assessment", status=self.status(it, first)))
            )
        return paras

    def label(self) -> Span:
        text = self.optional("notice", "label") or self.word("progress", "label")
        if text and text[-1] not in "：:":
            text += "："
        return Span(text, bold=self.bold)

    def progress(self, it: IssueFigures, first: Measure | None, title: str) -> list[Para]:
        """整改进展：the ledger's text verbatim; several measures' texts as 一是……；二是……。

        Measures split from one cell share that cell's text: it is printed once, as written.
        """
        rows = it.measures or ([first] if first is not None else [])
        texts: list[list[str]] = []
        seen: set[str] = set()
        blank: list[Measure] = []
        for m in rows:
            # a status stated at a line's head ("整改状态：已完成。") is counted, not said again
            pieces = split_lines(self.ledger_text(m, "progress", without_status(self._progress_cell(m))))
            if not pieces or not_applicable("".join(pieces)):
                blank.append(m)
                continue
            key = fold("".join(pieces)).rstrip("。；;")
            if key not in seen:  # one cell split into several measures repeats its text
                seen.add(key)
                texts.append(pieces)
        if not texts:
            sheet, row, column = self._source(blank[0], "progress") if blank else ("", 0, 0)
            cell = cell_name(row, column)
            where = f"（工作表“{sheet}”{cell}）" if cell else ""
            span = self.placeholder("整改进展", f"整改进展：具体问题“{title}”{where}")
            return [Para("progress", [self.label(), span])]
        for m in blank:
            self._warn_no_progress(m, title)
        lines = self._join(texts)
        paras = [Para("progress", [self.label(), Span(lines[0])])]
        return paras + [Para("progress", [Span(line)]) for line in lines[1:]]

    def _progress_cell(self, m: Measure) -> str:
        """The whole progress cell a split measure came from: its lead-in and numbering included."""
        src = m.origins.get("progress")
        return src.text if m.part and src is not None else m.progress

    def _join(self, texts: list[list[str]]) -> list[str]:
        if len(texts) == 1:
            return [*texts[0][:-1], end_sentence(texts[0][-1])]
        intro: list[str] = []
        if texts[0][-1].rstrip()[-1:] in "：:" and not is_numbered("".join(texts[0])):
            intro, texts = texts[0], texts[1:]  # "采取以下措施：" stays the intro, not 一是
        numbered = any(is_numbered(t[0]) for t in texts)
        if not numbered and not self.word("progress", "ordinal"):  # reference 001: a paragraph each
            return [*intro, *(end_sentence(line) for t in texts for line in t)]
        # Parts that are whole sentences join with 。 (reference 000), short ones with ；.
        sentences = any(len(t) > 1 or "。" in strip_end(t[0]) for t in texts)
        sep = "。" if sentences else "；"
        lines: list[str] = list(intro)
        for k, pieces in enumerate(texts, start=1):
            if not numbered:  # text the office numbered itself is never renumbered
                ordinal = _text(self.fill("progress", "ordinal", n=chinese_number(k)))
                pieces = [ordinal + pieces[0], *pieces[1:]]
            pieces = [*pieces[:-1], strip_end(pieces[-1]) + (sep if k < len(texts) else "。")]
            if lines:  # the next measure goes on in the same paragraph, as in the references
                lines[-1] += pieces[0]
            else:
                lines.append(pieces[0])
            lines.extend(pieces[1:])
        return lines

    def _warn_no_progress(self, m: Measure, title: str) -> None:
        sheet, row, column = self._source(m, "progress")
        self.warnings.append(findings.make("notice-progress-missing", sheet, row, column, title=title))

    def status(self, it: IssueFigures, first: Measure | None) -> list[Span]:
        """The issue's status as the ledger states it: one word, or a count per status."""
        rows = it.measures or ([first] if first is not None else [])
        words = [m.status or trim(self.ledger_text(m, "status", m.status_text)) for m in rows]
        if not words or not all(words):
            return [self.placeholder("完成情况", f"完成情况：具体问题“{trim(it.title)}”")]
        tally = status_tally(words)
        if len(tally) == 1:
            return [Span(tally[0][0])]
        parts: list[Span] = []
        for word, count in tally:
            if parts:
                parts.append(Span("、"))
            parts.extend(self.fill("progress", "count", status=word, count=str(count)))
        return parts


def _text(spans: list[Span]) -> str:
    return "".join(s.text for s in spans)


__all__ = ["build_notice", "text_width"]
