"""Text rules of the notice: ledger text kept verbatim, only its ends trimmed and its lines joined.

What may change between a ledger cell and the notice: the ends of lines are trimmed, a cell's line
breaks become paragraph breaks or joins, characters Word cannot hold are dropped (with a finding),
and half-width punctuation next to Chinese becomes full-width. Nothing else: spaces inside a
line stay (a slogan "学党史 悟思想" keeps its space), numbering the office wrote is never changed.
"""

from __future__ import annotations

import re
from itertools import pairwise

from ..text import starts_numbered
from .model import Span, text_width

TITLE_LINE_CHARS = 20  # 22 pt characters across the 156 mm text block

# Characters XML 1.0 (and so Word) cannot hold, plus C1 controls; \t and \n stay.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026"
_CJK_RE = re.compile(f"[{_CJK}]")
_SPACE_NEAR_CJK = re.compile(f"[ ]+(?=[{_CJK}])|(?<=[{_CJK}])[ ]+")
_FULLWIDTH = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）"}
# Numbering inside a text: "……。一是……二是……" or "①……②……"; the office has numbered it.
_ENUM_INSIDE = re.compile(r"一是.*二是|①.*②|[（(]1[）)].*[（(]2[）)]", re.S)
SENTENCE_END = "。！？!?…"
SOFT_END = "；;，,、：:"
_TRIM = " \t\r\n\u3000\xa0\ufeff"


def is_cjk(ch: str) -> bool:
    return bool(_CJK_RE.match(ch))


def tidy(text: str) -> str:
    """A config value on one line: whitespace collapsed, no spaces next to Chinese ("2024 年")."""
    text = re.sub(r"[\s\u3000\xa0]+", " ", text).strip()
    return _SPACE_NEAR_CJK.sub("", text)


def trim(text: str) -> str:
    """A ledger value on one line, verbatim: the ends trimmed, a line break joined, inner spaces kept."""
    lines = [line.strip(_TRIM) for line in text.split("\n")]
    out = ""
    for line in (x for x in lines if x):
        gap = "" if not out or is_cjk(out[-1]) or is_cjk(line[0]) else " "
        out += gap + line
    return out


def is_numbered(text: str) -> bool:
    """The office numbered this text itself (it starts with, or contains, a numbering)."""
    return starts_numbered(text) or bool(_ENUM_INSIDE.search(text))


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
        return (i > 0 and is_cjk(text[i - 1])) or (i + 1 < len(text) and is_cjk(text[i + 1]))

    for i, ch in enumerate(text):
        if ch in ",:;" and near(i):
            chars[i] = _FULLWIDTH[ch]
        elif ch in "()":
            j = pair.get(i)
            inner = text[min(i, j) + 1 : max(i, j)] if j is not None else ""
            partner_cjk = j is not None and (near(j) or text[j] in "（）")
            if near(i) or partner_cjk or any(is_cjk(c) for c in inner):
                chars[i] = _FULLWIDTH[ch]
    return "".join(chars)


def fix_spans(spans: list[Span]) -> list[Span]:
    fixed = fullwidth_punct("".join(s.text for s in spans))
    out, pos = [], 0
    for s in spans:
        out.append(Span(fixed[pos : pos + len(s.text)], s.placeholder, s.bold))
        pos += len(s.text)
    return out


def split_lines(text: str) -> list[str]:
    """A cell's line breaks: a line ending a sentence starts a new paragraph, others are joined.

    "召开会议\\n制定方案" -> "召开会议，制定方案"; "……。\\n二是……" -> two paragraphs. Each line is
    kept as written apart from its ends.
    """
    out: list[str] = []
    for line in (x.strip(_TRIM) for x in text.split("\n")):
        if not line:
            continue
        if not out or out[-1][-1] in SENTENCE_END:
            out.append(line)
        elif out[-1][-1] in SOFT_END:
            out[-1] += line
        else:
            out[-1] += ("；" if starts_numbered(line) else "，") + line
    return out


def strip_end(text: str) -> str:
    return text.rstrip("。" + SOFT_END + " ")


def end_sentence(text: str) -> str:
    text = text.rstrip(SOFT_END + " ")
    return text if not text or text[-1] in SENTENCE_END else text + "。"


def title_text(text: str) -> str:
    """A heading's title: trailing commas gone; a final 。 dropped when it ends the only sentence."""
    text = text.rstrip(SOFT_END + " ")
    if text.endswith("。") and text.count("。") == 1:
        text = text[:-1]
    return text


def first_sentence(text: str) -> tuple[str, str]:
    """("heading", "the rest"): a cell holding a paragraph is cut after its first sentence.

    Nothing is dropped: the rest becomes the issue's description. A 。 inside quotes or
    brackets does not end the sentence.
    """
    depth = 0
    for i, ch in enumerate(text):
        if ch in "“‘《（(「":
            depth += 1
        elif ch in "”’》）)」":
            depth = max(depth - 1, 0)
        elif ch in "。！？" and depth == 0:
            rest = text[i + 1 :].strip(_TRIM)
            if rest:
                return text[:i], rest
            break
    return text.rstrip("。"), ""


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


# Where an issuer's name may break: after these units ("中共××县委" / "机关事务服务中心" / "党组").
_ISSUER_UNITS = re.compile(r"(?:委员会|党委|党组|党支部|县委|市委|区委|政府|办公室|中心|局|委|厅|部|院|公司)")


def issuer_breaks(text: str, width: float) -> list[tuple[int, int]]:
    """(start, end) of each 署名 line: balanced lines no wider than ``width``, cut after a unit.

    A right-aligned name Word wraps by itself leaves one character on its last line.
    """
    total = text_width(text)
    if total <= width:
        return [(0, len(text))]
    units = {m.end() for m in _ISSUER_UNITS.finditer(text) if 0 < m.end() < len(text)}
    lines = -(-int(total * 2) // int(width * 2))  # ceil(total / width), counted in half characters
    while True:
        cuts = _balanced_cuts(text, width, lines, units)
        if cuts is not None:
            return list(pairwise(cuts))
        lines += 1


def _balanced_cuts(text: str, width: float, lines: int, units: set[int]) -> list[int] | None:
    cuts = [0]
    for left in range(lines, 1, -1):  # lines still to fill, this one included
        start = cuts[-1]
        target = text_width(text[start:]) / left
        ok = [
            e
            for e in range(start + 1, len(text))
            if text_width(text[start:e]) <= width and text_width(text[e:]) <= width * (left - 1)
        ]
        if not ok:
            return None
        at_unit = [e for e in ok if e in units and abs(text_width(text[start:e]) - target) <= target / 3]
        cuts.append(min(at_unit or ok, key=lambda e: abs(text_width(text[start:e]) - target)))
    if text_width(text[cuts[-1] :]) > width:
        return None
    return [*cuts, len(text)]


def cut_spans(spans: list[Span], start: int, end: int) -> list[Span]:
    """The spans covering text[start:end], split where a line break falls inside one."""
    out, pos = [], 0
    for s in spans:
        a, b = max(start, pos), min(end, pos + len(s.text))
        if a < b:
            out.append(Span(s.text[a - pos : b - pos], s.placeholder, s.bold))
        pos += len(s.text)
    return out


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九 (numbering past 99 is arabic)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")
