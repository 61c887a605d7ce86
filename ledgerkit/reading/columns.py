"""Which header means which field: the column names offices use (docs/ledger-domain.md)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..text import fold

ALIASES: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序", "问题序号"),
    "aspect": ("方面", "问题类别", "类别", "问题类型", "问题方面", "反馈问题类别", "所属方面"),
    "problem": ("问题", "反馈问题", "巡察反馈问题", "存在问题", "问题概述", "主要问题", "反馈意见"),
    "issue": ("具体问题", "具体表现", "问题表现", "问题清单", "具体问题表现", "问题具体表现"),
    "description": ("问题描述", "问题内容", "具体情况", "问题详情"),
    "measure": ("整改措施", "整改举措", "整改任务", "具体整改措施", "整改措施及目标"),
    "leader": ("责任领导", "牵头领导", "分管领导", "责任领导/牵头领导", "牵头领导/责任领导", "领导"),
    "department": (
        "责任科室",
        "责任部门",
        "责任股室",
        "牵头科室",
        "责任单位",
        "牵头部门",
        "牵头单位",
        "责任处室",
    ),
    "owner": ("责任人", "具体责任人", "经办人", "具体负责人"),
    # 计划/应/要求完成时间 name the deadline, not the completion date (longer aliases win)
    "deadline": (
        "整改时限",
        "完成时限",
        "整改期限",
        "时间节点",
        "整改时间",
        "完成期限",
        "计划完成时间",
        "计划完成日期",
        "计划完成时限",
        "应完成时间",
        "应完成日期",
        "要求完成时间",
        "预计完成时间",
        "拟完成时间",
    ),
    "kind": ("整改类型", "整改方式"),
    "progress": ("整改进展", "整改情况", "整改落实情况", "进展情况", "整改成效", "整改进展情况", "落实情况"),
    "status": (
        "完成情况",
        "整改状态",
        "是否完成",
        "自评完成情况",
        "销号情况",
        "完成状态",
        "整改完成情况",
        "整改进度",  # values are statuses (已完成 / 推进中); 整改进展 is the narrative
        "是否销号",  # 是 / 否: text.STATUS_WORDS maps them
        "是否整改完成",
        "是否完成整改",
        "是否已销号",
        "是否已完成",
    ),
    "done_on": ("完成时间", "完成日期", "销号时间", "销号日期", "实际完成时间"),
    "evidence": ("佐证材料", "佐证资料", "佐证"),
    "remarks": ("备注",),
}

# Group cells of two-row headers: they name no field themselves.
GROUP_LABELS = frozenset(
    fold(w) for w in ("责任分工", "责任主体", "责任落实", "整改落实", "完成情况", "整改情况")
)

_EXACT = {fold(alias): name for name, aliases in ALIASES.items() for alias in aliases}
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
# Longest aliases first, so 具体问题 wins over 问题 inside "具体问题表现".
_BY_LENGTH = sorted(_EXACT.items(), key=lambda kv: -len(kv[0]))
_COUNT_WORDS = ("数", "率", "合计", "个数", "条数")


@lru_cache(maxsize=4096)
def match_header(text: str) -> str | None:
    """The field a header names, or None. Spaces, full-width forms, line breaks ignored."""
    key = fold(text)
    if not key or len(key) > 24:
        return None
    if key in _EXACT:
        return _EXACT[key]
    key = _BRACKETS.sub("", key).rstrip(":：")  # "整改时限（立行立改/限期）"
    if key in _EXACT:
        return _EXACT[key]
    if any(key.endswith(w) for w in _COUNT_WORDS):  # "具体问题数" is a figure, not a column
        return None
    for alias, name in _BY_LENGTH:
        if len(alias) >= 2 and alias in key and len(key) - len(alias) <= 4:
            return name
    return None


def is_group_label(text: str) -> bool:
    return fold(text) in GROUP_LABELS
