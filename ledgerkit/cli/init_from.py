"""``ledgerkit init FOLDER --from FEEDBACK``: the library makes the first ledger; this prints it."""

from __future__ import annotations

import json
from pathlib import Path


def init_from_command(folder: Path, feedback: Path, as_json: bool) -> int:
    from ..workflow.init import init_from_feedback

    result = init_from_feedback(Path(folder), Path(feedback))
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0
    aspects, problems, issues = result.hierarchy.counts
    form = "问题清单表格" if result.hierarchy.form == "table" else "编号的段落"
    print(
        f"已从“{result.feedback.name}”的{form}中找到 {aspects} 个方面、{problems} 个问题、{issues} 个具体问题。"
    )
    print(f"已写入“{result.ledger}”：每个具体问题一行，整改措施和责任分工留空待填。")
    if result.config_written:
        found = "、".join(f"{label}“{value}”" for label, value in result.found_facts())
        print(f"已写入“{result.folder / 'ledgerkit.toml'}”，从反馈意见开头找到：{found or '（无）'}。")
    others = [n for n in result.written if n not in ("整改台账.xlsx", "ledgerkit.toml")]
    if others:
        print("新写入：" + "、".join(others))
    if result.kept:
        print("已存在，未覆盖：" + "、".join(result.kept))
    print("下一步：")
    for k, step in enumerate(result.next_steps(), start=1):
        print(f"  {k}. {step}")
    return 0
