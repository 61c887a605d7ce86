"""The 巡察整改情况通报 draft: what it says, from the ledger, its Summary and ledgerkit.toml.

This module decides the content: paragraphs made of spans, some of them yellow 【待填：…】
placeholders for values the config lacks. ``docx_render`` decides how Word shows them. The
wording lives in ``templates/notice-wording.toml`` and the look in ``templates/notice.docx``; an
office may put its own copy of either beside its ledgerkit.toml. Figures come only from the
``Summary`` passed in, so the notice publishes the numbers ``summary`` prints.
"""

from __future__ import annotations

import re
import string
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Union

from . import findings, formats
from .atomic import atomic_path
from .config import TEMPLATES_DIR, Config
from .errors import LedgerkitError
from .figures import IssueFigures, Summary
from .model import STATUSES, Finding, Ledger, Measure

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

WORDING_NAME = "notice-wording.toml"
TEMPLATE_NAME = "notice.docx"
PLACEHOLDER_MARK = "【待填"
TITLE_LINE_CHARS = 20  # 22 pt characters across the 156 mm text block

NUMBERING = {
    "problem_numbering": {"per_aspect": "每个方面重新编号", "continuous": "全文连续编号"},
    "issue_numbering": {
        "continuous": "全文连续编号",
        "per_problem": "每个问题重新编号",
        "per_aspect": "每个方面重新编号",
    },
}
DEFAULT_NUMBERING = {"problem_numbering": "per_aspect", "issue_numbering": "continuous"}

# Required config values: (section, key) -> the name shown in 【待填：…】 and in the missing list.
REQUIRED = {
    ("unit", "name"): "单位名称",
    ("inspection", "committee"): "派出巡察组的党委",
    ("inspection", "group"): "巡察组名称",
    ("inspection", "start"): "巡察开始日期",
    ("inspection", "end"): "巡察结束日期",
    ("inspection", "feedback"): "巡察意见反馈日期",
    ("contact", "phone"): "联系电话",
    ("contact", "email"): "电子邮箱",
}


@dataclass
class NoticeResult:
    path: Path
    missing: list[str]  # Chinese names of missing values, e.g. "巡察组名称（[inspection] group）"
    warnings: list[Finding]  # e.g. code "text-forbidden-char"


@dataclass(slots=True)
class Span:
    """A piece of text; a placeholder is shown highlighted so the office sees what to fill."""

    text: str
    placeholder: bool = False
    bold: bool = False


@dataclass(slots=True)
class Para:
    """One paragraph. kind: h1 (一、), aspect (（一）), problem (1.), issue (（1）), progress, text."""

    kind: str
    spans: list[Span]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(slots=True)
class Notice:
    title: list[list[Span]]  # one span list per title line
    subtitle: str
    body: list[Para]
    signature: list[Span]
    date: str
    sealed: bool
    missing: list[str] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def all_spans(self) -> list[Span]:
        spans = [s for line in self.title for s in line] + list(self.signature)
        return spans + [s for p in self.body for s in p.spans]


Value = Union[str, Span, list[Span]]  # noqa: UP007 -- a runtime alias on Python 3.10


# --- public API -------------------------------------------------------------------------------


def notice_filename(unit: str) -> str:
    name = _tidy(re.sub(r'[\\/:*?"<>|\x00-\x1f]', "", unit or "")) or "本单位"
    return f"{name}关于巡察整改情况的通报（草稿）.docx"


def write_notice(
    ledger: Ledger,
    summary: Summary,
    config: Config,
    out_dir: Path,
    *,
    final: bool = False,
    errors: int = 0,
) -> NoticeResult:
    """Write the notice draft beside the workbook; return what is missing and text warnings.

    ``final=True`` refuses to save while any 【待填：…】 placeholder remains. ``errors``, the
    ledger's validation errors, puts a highlighted warning before the figures: they may be wrong.
    """
    notice = build_notice(ledger, summary, config, errors)
    if final and (notice.missing or any(s.placeholder for s in notice.all_spans())):
        listed = "、".join(notice.missing) or "见草稿中黄色标出的内容"
        raise LedgerkitError(
            f"通报定稿未保存：还有待填内容（{listed}）。请在 ledgerkit.toml 或台账中补全后再生成。"
        )
    target = Path(out_dir) / notice_filename(config.get("unit", "name") or summary.unit)
    from .docx_render import render  # python-docx only when a notice is written

    try:
        with atomic_path(target) as tmp:
            render(notice, template_path(config), tmp)
    except PermissionError:
        raise LedgerkitError(
            f"无法保存通报草稿“{target.name}”：文件可能正在 Word 中打开，请关闭后重试。"
        ) from None
    except OSError as exc:
        raise LedgerkitError(f"无法保存通报草稿“{target}”：{exc.strerror or exc}。") from None
    return NoticeResult(path=target, missing=notice.missing, warnings=notice.warnings)


def template_path(config: Config) -> Path | None:
    """The office's notice.docx beside its ledgerkit.toml, else the shipped one."""
    for folder in _lookup_folders(config):
        if (folder / TEMPLATE_NAME).is_file():
            return folder / TEMPLATE_NAME
    return None


def build_notice(ledger: Ledger, summary: Summary, config: Config, errors: int = 0) -> Notice:
    """The notice's content, without writing anything."""
    return _Builder(ledger, summary, config, load_wording(config), errors).build()


# --- wording ----------------------------------------------------------------------------------


def _lookup_folders(config: Config) -> list[Path]:
    folders = [config.path.parent] if config.path is not None else []
    return [*folders, TEMPLATES_DIR]


def load_wording(config: Config) -> dict[str, dict[str, str]]:
    """The shipped wording, with an office's notice-wording.toml (beside its config) on top."""
    shipped = TEMPLATES_DIR / WORDING_NAME
    if not shipped.is_file():
        raise LedgerkitError(f"找不到通报措辞文件“{shipped}”。请重新安装 ledgerkit。")
    wording = _read_wording(shipped)
    if config.path is not None:
        local = config.path.parent / WORDING_NAME
        if local.is_file() and local.resolve() != shipped.resolve():
            for section, keys in _read_wording(local).items():
                wording.setdefault(section, {}).update(keys)
    return wording


def _read_wording(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LedgerkitError(f"通报措辞文件“{path.name}”格式有误：{exc}。") from None
    for section, keys in data.items():
        if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
            raise LedgerkitError(f"通报措辞文件“{path.name}”中 [{section}] 的每一项都应是引号中的文字。")
    return data


# --- text hygiene -----------------------------------------------------------------------------

# Characters XML 1.0 (and so Word) cannot hold, plus C1 controls; \t and \n stay.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026"
_CJK_RE = re.compile(f"[{_CJK}]")
_SPACE_NEAR_CJK = re.compile(f"[ ]+(?=[{_CJK}])|(?<=[{_CJK}])[ ]+")
_FULLWIDTH = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）"}
# A numbering at the start of a text: 一是 ① （1） 1、 1. (not the "1." of "1.5万元").
_ENUM_START = re.compile(
    r"^(?:[一二三四五六七八九十]+是|[①-⑳]|[（(][0-9一二三四五六七八九十]+[）)]|\d+(?:[、．]|\.(?!\d)))"
)
_SENTENCE_END = "。！？!?…"
_SOFT_END = "；;，,、：:"
_BLANK_VALUES = {"/", "／", "-", "－", "—", "——", "无"}


def _is_cjk(ch: str) -> bool:
    return bool(_CJK_RE.match(ch))


def _tidy(text: str) -> str:
    """One line: whitespace collapsed, and no spaces next to Chinese ("2024 年" -> "2024年")."""
    text = re.sub(r"[\s\u3000\xa0]+", " ", text).strip()
    return _SPACE_NEAR_CJK.sub("", text)


def fullwidth_punct(text: str) -> str:
    """Half-width , : ; ( ) next to Chinese become full-width; a bracket pair converts together.

    Keeps the length, so spans can be fixed as one paragraph and cut back apart.
    """
    chars = list(text)
    stack: list[int] = []
    pair: dict[int, int] = {}
    for i, ch in enumerate(text):
        if ch in "(（":
            stack.append(i)
        elif ch in ")）" and stack:
            j = stack.pop()
            pair[i], pair[j] = j, i

    def near(i: int) -> bool:
        return (i > 0 and _is_cjk(text[i - 1])) or (i + 1 < len(text) and _is_cjk(text[i + 1]))

    for i, ch in enumerate(text):
        if ch in ",:;" and near(i):
            chars[i] = _FULLWIDTH[ch]
        elif ch in "()":
            j = pair.get(i)
            inner = text[min(i, j) + 1 : max(i, j)] if j is not None else ""
            partner_cjk = j is not None and (near(j) or text[j] in "（）")
            if near(i) or partner_cjk or any(_is_cjk(c) for c in inner):
                chars[i] = _FULLWIDTH[ch]
    return "".join(chars)


def _fix_spans(spans: list[Span]) -> list[Span]:
    fixed = fullwidth_punct("".join(s.text for s in spans))
    out, pos = [], 0
    for s in spans:
        out.append(Span(fixed[pos : pos + len(s.text)], s.placeholder, s.bold))
        pos += len(s.text)
    return out


def split_lines(text: str) -> list[str]:
    """A cell's line breaks: a line ending a sentence starts a new paragraph, others are joined.

    "召开会议\\n制定方案" -> "召开会议，制定方案"; "……。\\n二是……" -> two paragraphs.
    """
    out: list[str] = []
    for line in (_tidy(x) for x in text.split("\n")):
        if not line:
            continue
        if not out or out[-1][-1] in _SENTENCE_END:
            out.append(line)
        elif out[-1][-1] in _SOFT_END:
            out[-1] += line
        else:
            out[-1] += ("；" if _ENUM_START.match(line) else "，") + line
    return out


def _strip_end(text: str) -> str:
    return text.rstrip("。" + _SOFT_END + " ")


def _end_sentence(text: str) -> str:
    text = text.rstrip(_SOFT_END + " ")
    return text if not text or text[-1] in _SENTENCE_END else text + "。"


def _title_text(text: str) -> str:
    """A heading's title: trailing commas gone; a final 。 dropped when it ends the only sentence."""
    text = text.rstrip(_SOFT_END + " ")
    if text.endswith("。") and text.count("。") == 1:
        text = text[:-1]
    return text


def text_width(text: str) -> float:
    """Width in full-width characters: ASCII counts half."""
    return sum(0.5 if ord(ch) < 0x7F else 1 for ch in text)


def title_breaks(text: str, width: float = TITLE_LINE_CHARS) -> list[tuple[int, int]]:
    """(start, end) of each title line: whole word units packed into lines of ``width``."""
    if text_width(text) <= width:
        return [(0, len(text))]
    cuts = [0]
    at = text.find("关于")
    if at > 0:
        cuts.append(at)
        rest = text.find("巡察整改", at + 2)
        if rest > at + 2:
            cuts.append(rest)
    cuts.append(len(text))
    lines: list[tuple[int, int]] = []
    for a, b in pairwise(cuts):
        if lines and text_width(text[lines[-1][0] : b]) <= width:
            lines[-1] = (lines[-1][0], b)
        else:
            lines.append((a, b))
    return lines


def _cut(spans: list[Span], start: int, end: int) -> list[Span]:
    """The spans covering text[start:end], split where a line break falls inside one."""
    out, pos = [], 0
    for s in spans:
        a, b = max(start, pos), min(end, pos + len(s.text))
        if a < b:
            out.append(Span(s.text[a - pos : b - pos], s.placeholder, s.bold))
        pos += len(s.text)
    return out


# --- numbers and dates ------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九 (numbering past 99 is arabic)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def _fold(text: str) -> str:
    return "".join(text.split())


# --- the content ------------------------------------------------------------------------------


class _Builder:
    """Builds one Notice, collecting what is missing and the text warnings on the way."""

    def __init__(
        self,
        ledger: Ledger,
        summary: Summary,
        config: Config,
        wording: dict[str, dict[str, str]],
        errors: int = 0,
    ):
        self.ledger, self.summary, self.config, self.wording = ledger, summary, config, wording
        self.errors = errors
        self.missing: list[str] = []
        self.warnings: list[Finding] = []
        self._warned: set[tuple[str, str]] = set()
        self.numbering = {k: self._numbering(k) for k in NUMBERING}
        self.bold = bool(config.get("notice", "bold_headings", False))

    # -- values

    def word(self, section: str, key: str) -> str:
        try:
            return self.wording[section][key]
        except KeyError:
            raise LedgerkitError(
                f"通报措辞文件中缺少 [{section}] {key}。请从 ledgerkit 自带的措辞文件中复制这一项。"
            ) from None

    def fill(self, section: str, key: str, **values: Value) -> list[Span]:
        """The wording ``[section] key`` with its {names} filled; placeholders stay their own spans."""
        return self.fill_text(self.word(section, key), f"[{section}] {key}", **values)

    def fill_text(self, template: str, where: str, **values: Value) -> list[Span]:
        spans: list[Span] = []
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError:
            raise LedgerkitError(f"通报措辞 {where} 中的花括号不成对：“{template}”。") from None
        for literal, name, _spec, _conv in parsed:
            if literal:
                spans.append(Span(literal))
            if name is None:
                continue
            if name not in values:
                known = "、".join("{" + k + "}" for k in values)
                raise LedgerkitError(f"通报措辞 {where} 中的“{{{name}}}”无法填写。可用的名称：{known}。")
            value = values[name]
            if isinstance(value, str):
                spans.append(Span(value))
            elif isinstance(value, Span):
                spans.append(value)
            else:
                spans.extend(value)
        return [s for s in spans if s.text]

    def placeholder(self, name: str, listed: str) -> Span:
        if listed not in self.missing:
            self.missing.append(listed)
        return Span(f"{PLACEHOLDER_MARK}：{name}】", placeholder=True)

    def conf(self, section: str, key: str) -> Span:
        """A required config value, or its placeholder."""
        value = self.config.get(section, key)
        if isinstance(value, date):
            return Span(formats.cn_date(value))
        text = _tidy(str(value)) if value is not None else ""
        name = REQUIRED[(section, key)]
        return Span(text) if text else self.placeholder(name, f"{name}（[{section}] {key}）")

    def optional(self, section: str, key: str, default: str = "") -> str:
        value = self.config.get(section, key)
        return _tidy(str(value)) if value is not None else default

    def _numbering(self, key: str) -> str:
        value = self.optional("notice", key, DEFAULT_NUMBERING[key])
        if value not in NUMBERING[key]:
            allowed = "；".join(f"{k}（{v}）" for k, v in NUMBERING[key].items())
            raise LedgerkitError(f"配置文件中 [notice] {key} 的值“{value}”无效。可用的值：{allowed}。")
        return value

    # -- ledger text

    def ledger_text(self, m: Measure, fieldname: str, value: str) -> str:
        """A ledger value with the characters Word cannot hold removed, warning once per cell."""
        bad = sorted(set(_FORBIDDEN.findall(value.replace("\r\n", "\n").replace("\r", "\n"))))
        if not bad:
            return value.replace("\r\n", "\n").replace("\r", "\n")
        src = self._source(m, fieldname)
        key = (src[0], src[1] or f"{m.row}:{fieldname}")
        if key not in self._warned:
            self._warned.add(key)
            codes = "、".join(f"U+{ord(c):04X}" for c in bad)
            where = f"工作表“{src[0]}”{src[1]}单元格" if src[1] else f"工作表“{src[0]}”第{m.row}行"
            self.warnings.append(
                Finding(
                    code="text-forbidden-char",
                    severity="warning",
                    sheet=src[0],
                    cell=src[1],
                    field=fieldname,
                    value=_FORBIDDEN.sub(lambda x: f"\\u{ord(x.group()):04x}", value),
                    message=f"{where}含有 Word 不能保存的控制字符（{codes}），通报草稿中已删除。",
                    hint="请在台账中删除这个字符（多见于从其他系统复制的文字）。",
                )
            )
        return _FORBIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))

    def _source(self, m: Measure, fieldname: str) -> tuple[str, str]:
        try:
            src = self.ledger.source(m, fieldname)
        except StopIteration:  # a measure whose sheet the ledger does not list
            src = None
        return (src.sheet, src.cell) if src is not None else (m.sheet, "")

    def title_of(self, m: Measure | None, fieldname: str, text: str) -> str:
        return _tidy(self.ledger_text(m, fieldname, text) if m is not None else text)

    # -- the document

    def build(self) -> Notice:
        issuer = self.issuer()
        title = self.title(issuer)
        body = self.body()
        date_value = self.config.get("notice", "date") or self.summary.as_of
        return Notice(
            title=self.title_lines(_fix_spans(title)),
            subtitle=self.word("title", "public") if self.config.get("notice", "public", False) else "",
            body=[Para(p.kind, _fix_spans(p.spans)) for p in body],
            signature=_fix_spans([issuer]),
            date=formats.cn_date(date_value),
            sealed=bool(self.config.get("notice", "sealed", True)),
            missing=self._missing_in_order(),
            warnings=self.warnings,
        )

    def _missing_in_order(self) -> list[str]:
        """Config values in the order ledgerkit.toml lists them, then the ledger's gaps."""
        order = {f"{name}（[{s}] {k}）": i for i, ((s, k), name) in enumerate(REQUIRED.items())}
        return sorted(self.missing, key=lambda x: order.get(x, len(order)))

    def unit(self) -> Span:
        if self.config.get("unit", "name") is None and _tidy(self.summary.unit or ""):
            return Span(_tidy(self.summary.unit))
        return self.conf("unit", "name")

    def issuer(self) -> Span:
        issuer = self.optional("unit", "issuer")
        return Span(issuer) if issuer else self.unit()

    def title(self, issuer: Span) -> list[Span]:
        custom = self.optional("notice", "title")
        round_ = self.optional("inspection", "round")
        values: dict[str, Value] = {"issuer": issuer, "unit": self.unit(), "round": round_}
        if custom:
            return self.fill_text(custom, "[notice] title", **values)
        return self.fill("title", "text", **values)

    def title_lines(self, spans: list[Span]) -> list[list[Span]]:
        """Break a long title into lines at word units (GB/T 9704 §7.3.1).

        Units: the issuer, "关于…" up to the round, "巡察整改…的通报". Whole units are packed into
        lines of at most 20 characters; a unit longer than a line is left for Word to wrap.
        """
        return [_cut(spans, a, b) for a, b in title_breaks("".join(s.text for s in spans))]

    def body(self) -> list[Para]:
        paras = [Para("text", self.opening())]
        next_steps = self.next_steps()
        if next_steps:  # 001's shape: 一、 holds the figures and the issues, 二、 the next steps
            paras.append(Para("h1", self.fill("sections", "progress")))
        paras.append(Para("text", self.figures()))
        paras.extend(self.items())
        if next_steps:
            paras.append(Para("h1", self.fill("sections", "next_steps")))
            paras.extend(Para("text", [Span(line)]) for line in next_steps)
        paras.append(Para("text", self.closing()))
        return paras

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
            legal_basis=_strip_end(
                self.optional("notice", "legal_basis", self.word("opening", "legal_basis"))
            ),
        )

    def _date_span(self, key: str, same_year_as: int | None) -> Span:
        """A date without its year when the year was just said ("7月30日至9月14日")."""
        value = self.config.get("inspection", key)
        if isinstance(value, date):
            return Span(formats.cn_date(value, with_year=value.year != same_year_as))
        return self.conf("inspection", key)

    def figures(self) -> list[Span]:
        s = self.summary
        all_done = s.issues > 0 and s.issues_done == s.issues and s.measures_done == s.measures
        spans = self._errors_warning() + self.fill(
            "figures",
            "all_done" if all_done else "partial",
            as_of=formats.cn_date(s.as_of),
            issues=str(s.issues),
            issues_done=str(s.issues_done),
            rate=formats.percent(s.issues_done, s.issues),
            measures=str(s.measures),
            measures_done=str(s.measures_done),
        )
        return spans + self.fill("figures", "lead")

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

    def next_steps(self) -> list[str]:
        text = self.config.get("notice", "next_steps")
        if not text:
            return []
        return [_end_sentence(p) for p in split_lines(_FORBIDDEN.sub("", str(text)))]

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
        paras: list[Para] = []
        counters = {"aspect": 0, "problem": 0, "issue": 0}
        prev_aspect: str | None = None
        prev_problem: str | None = None
        for it in self.summary.items:
            first = it.measures[0] if it.measures else self._issue_row(it)
            aspect = self.title_of(first, "aspect", it.aspect) if self.ledger.has_aspects else ""
            problem = self.title_of(first, "problem", it.problem) if self.ledger.has_problems else ""
            if _fold(aspect) != prev_aspect:
                prev_aspect, prev_problem = _fold(aspect), None
                if self.numbering["problem_numbering"] == "per_aspect":
                    counters["problem"] = 0
                if self.numbering["issue_numbering"] == "per_aspect":
                    counters["issue"] = 0
                if aspect:  # a level the ledger lacks gets no heading
                    counters["aspect"] += 1
                    paras.append(self.heading("aspect", chinese_number(counters["aspect"]), aspect))
            if _fold(problem) != prev_problem:
                prev_problem = _fold(problem)
                if self.numbering["issue_numbering"] == "per_problem":
                    counters["issue"] = 0
                if problem:
                    counters["problem"] += 1
                    paras.append(self.heading("problem", str(counters["problem"]), problem))
            counters["issue"] += 1
            paras.extend(self.issue(it, first, counters["issue"]))
        return paras

    def heading(self, kind: str, n: str, title: str) -> Para:
        prefix = self.optional("notice", "problem_prefix")
        spans = self.fill("headings", kind, n=n, title=_title_text(title), prefix=prefix)
        for s in spans:
            s.bold = self.bold
        return Para(kind, spans)

    def _issue_row(self, it: IssueFigures) -> Measure | None:
        """The issue-only row behind an issue listed with no measure."""
        key = (_fold(it.aspect), _fold(it.problem), _fold(it.title))
        return next(
            (
                m
                for m in self.ledger.issue_only_rows
                if (_fold(m.aspect), _fold(m.problem), _fold(m.issue)) == key
            ),
            None,
        )

    def issue(self, it: IssueFigures, first: Measure | None, n: int) -> list[Para]:
        title = self.title_of(first, "issue", it.title).rstrip("。" + _SOFT_END)
        if not title:
            title_span: Value = self.placeholder("具体问题", f"具体问题（第 {n} 个）")
        else:
            title_span = title
        paras = [Para("issue", self.fill("headings", "issue", n=str(n), title=title_span))]
        paras.extend(self.progress(it, first, title or f"第 {n} 个"))
        status = self.status(it, first)
        if self.config.get("notice", "self_assessment", False):
            paras.append(Para("text", self.fill("progress", "self_assessment", status=status)))
        elif not it.done:  # say where it stands, in the ledger's own words
            paras.append(Para("text", self.fill("progress", "status", status=status)))
        return paras

    def label(self) -> Span:
        text = self.optional("notice", "label") or self.word("progress", "label")
        if text and text[-1] not in "：:":
            text += "："
        return Span(text, bold=self.bold)

    def progress(self, it: IssueFigures, first: Measure | None, title: str) -> list[Para]:
        """整改进展：one paragraph per text paragraph; several measures as 一是……；二是……。"""
        rows = it.measures or ([first] if first is not None else [])
        texts: list[list[str]] = []
        seen: set[str] = set()
        blank: list[Measure] = []
        for m in rows:
            pieces = split_lines(self.ledger_text(m, "progress", m.progress))
            if not pieces or "".join(pieces) in _BLANK_VALUES:
                blank.append(m)
                continue
            key = _fold("".join(pieces)).rstrip("。；;")
            if key not in seen:  # one cell split into several measures repeats its text
                seen.add(key)
                texts.append(pieces)
        if not texts:
            where = self._source(blank[0], "progress") if blank else ("", "")
            cell = f"（工作表“{where[0]}”{where[1]}）" if where[1] else ""
            span = self.placeholder("整改进展", f"整改进展：具体问题“{title}”{cell}")
            return [Para("progress", [self.label(), span])]
        for m in blank:
            self._warn_no_progress(m, title)
        lines = self._join(texts)
        paras = [Para("progress", [self.label(), Span(lines[0])])]
        return paras + [Para("progress", [Span(line)]) for line in lines[1:]]

    def _join(self, texts: list[list[str]]) -> list[str]:
        if len(texts) == 1:
            return [*texts[0][:-1], _end_sentence(texts[0][-1])]
        # Parts that are whole sentences join with 。 (reference 000), short ones with ；.
        sentences = any(len(t) > 1 or "。" in _strip_end(t[0]) for t in texts)
        sep = "。" if sentences else "；"
        lines: list[str] = []
        for k, pieces in enumerate(texts, start=1):
            ordinal = "".join(s.text for s in self.fill("progress", "ordinal", n=chinese_number(k)))
            # "①召开会议" becomes "一是召开会议", not "一是①召开会议"
            pieces = [ordinal + _ENUM_START.sub("", pieces[0], count=1), *pieces[1:]]
            pieces[-1] = _strip_end(pieces[-1]) + (sep if k < len(texts) else "。")
            if lines:  # the next measure goes on in the same paragraph, as in the references
                lines[-1] += pieces[0]
            else:
                lines.append(pieces[0])
            lines.extend(pieces[1:])
        return lines

    def _warn_no_progress(self, m: Measure, title: str) -> None:
        sheet, cell = self._source(m, "progress")
        self.warnings.append(findings.make("notice-progress-missing", sheet, cell, title=title))

    def status(self, it: IssueFigures, first: Measure | None) -> list[Span]:
        """The issue's status as the ledger states it: one word, or a count per status."""
        rows = it.measures or ([first] if first is not None else [])
        counts: Counter[str] = Counter()
        unknown = 0
        for m in rows:
            word = m.status or _tidy(self.ledger_text(m, "status", m.status_text))
            if word:
                counts[word] += 1
            else:
                unknown += 1
        if unknown or not counts:
            return [self.placeholder("完成情况", f"完成情况：具体问题“{_tidy(it.title)}”")]
        if len(counts) == 1:
            return [Span(next(iter(counts)))]
        order = {s: i for i, s in enumerate(STATUSES)}
        parts: list[Span] = []
        for word, count in sorted(counts.items(), key=lambda kv: order.get(kv[0], len(order))):
            if parts:
                parts.append(Span("、"))
            parts.extend(self.fill("progress", "count", status=word, count=str(count)))
        return parts


def notice_text(notice: Notice) -> str:
    """The notice as plain text, one paragraph a line: for checks and for reading in a terminal."""
    lines = ["".join(s.text for s in line) for line in notice.title]
    lines += [notice.subtitle] if notice.subtitle else []
    lines += [p.text for p in notice.body]
    lines += ["".join(s.text for s in notice.signature), notice.date]
    return "\n".join(lines)
