"""How every output states a figure: rates, counts and dates, with one rounding rule.

The CLI line, the e-mail body, the cleaned workbook's 汇总 and the notice all call these
functions, so a public notice and the mail that carries it never disagree. Rates are computed
from the counts, exactly, and round half up as people and Excel do: 1 of 16 is 6.25% → "6.3%".
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

_TENTH = Decimal("0.1")
_RATE_PLACES = Decimal("0.0001")


def _exact_percent(done: int, total: int) -> Decimal:
    # Decimal division at 28 digits is exact enough that half-up sees the true fraction:
    # no double rounding through a 4-place float (625/10002 is 6.2488%, not 6.25%).
    return Decimal(done) * 100 / Decimal(total)


def rate(done: int, total: int) -> float:
    """The completion rate as a fraction, 4 places, half up (``summary --json``'s completion_rate)."""
    if total <= 0:
        return 0.0
    return float((Decimal(done) / Decimal(total)).quantize(_RATE_PLACES, rounding=ROUND_HALF_UP))


def percent_value(done: int, total: int) -> float:
    """The rate rounded as ``percent`` shows it, as a number for a cell formatted ``0.0%``."""
    if total <= 0:
        return 0.0
    return float(_exact_percent(done, total).quantize(_TENTH, rounding=ROUND_HALF_UP) / 100)


def percent(done: int, total: int) -> str:
    """ "90.5%": always one decimal ("100.0%"), half up, as the domain's counting rules print it."""
    if total <= 0:
        return "0.0%"
    return f"{_exact_percent(done, total).quantize(_TENTH, rounding=ROUND_HALF_UP)}%"


@lru_cache(maxsize=4096)
def cn_date(d: date, with_year: bool = True) -> str:
    """2025年3月1日: no zero padding, as official documents write dates (GB/T 9704 §7.3.5.4)."""
    return f"{d.year}年{d.month}月{d.day}日" if with_year else f"{d.month}月{d.day}日"


def figures_sentence(as_of: date, issues: int, issues_done: int, measures: int, measures_done: int) -> str:
    """The one-line statement of the figures, for the CLI, the folder report and the e-mail."""
    return (
        f"截至{cn_date(as_of)}，具体问题{issues}个，已完成整改{issues_done}个，"
        f"完成率{percent(issues_done, issues)}；整改措施{measures}条，已完成{measures_done}条。"
    )


def position(sheet: str, cell: str = "", row: int = 0) -> str:
    """Where something is in a workbook, one way in every output (console, check, 汇总, 校验结果):
    「整改台账」F12 for a cell, 「整改台账」第101行 for a row, 「整改台账」 for the whole sheet."""
    if cell:
        return f"「{sheet}」{cell}"
    return f"「{sheet}」第{row}行" if row > 0 else f"「{sheet}」"


def stages_sentence(issues: int, done: int, staged: int, not_done: int) -> str:
    """The 巡察办's wording of the issues by stage, without a full stop: "巡察反馈的697个具体问题，
    完成整改688个，基本完成取得阶段性成果并持续整改4个，未完成5个，总体完成率98.7%"."""
    return (
        f"巡察反馈的{issues}个具体问题，完成整改{done}个，基本完成取得阶段性成果并持续整改{staged}个，"
        f"未完成{not_done}个，总体完成率{percent(done, issues)}"
    )


def rules_sentence(made: int, revised: int) -> str:
    """ "完善和新建制度12项（新建8项、完善4项）", without a full stop."""
    return f"完善和新建制度{made + revised}项（新建{made}项、完善{revised}项）"
