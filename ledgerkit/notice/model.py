"""The notice's content model: what the 巡察整改情况通报 says, as plain data.

``notice_content`` builds a :class:`Notice`; ``docx_render`` lays it out in Word. Neither imports
the other, and this module imports neither: the content is spans and paragraphs, nothing of Word.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Finding

PLACEHOLDER_MARK = "【待填"


@dataclass(slots=True)
class Span:
    """A piece of text; a placeholder is shown highlighted so the office sees what to fill or check."""

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
    signature: list[list[Span]]  # one span list per 署名 line (a long issuer is broken at word units)
    date: str
    sealed: bool
    missing: list[str] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def all_spans(self) -> list[Span]:
        spans = [s for line in self.title for s in line] + [s for line in self.signature for s in line]
        return spans + [s for p in self.body for s in p.spans]


def text_width(text: str) -> float:
    """Width in full-width characters: ASCII counts half."""
    return sum(0.5 if ord(ch) < 0x7F else 1 for ch in text)


def notice_text(notice: Notice) -> str:
    """The notice as plain text, one paragraph a line: for checks and for reading in a terminal."""
    lines = ["".join(s.text for s in line) for line in notice.title]
    lines += [notice.subtitle] if notice.subtitle else []
    lines += [p.text for p in notice.body]
    lines += ["".join(s.text for line in notice.signature for s in line), notice.date]
    return "\n".join(lines)
