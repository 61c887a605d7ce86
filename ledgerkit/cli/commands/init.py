"""``ledgerkit init [FOLDER] [--from FEEDBACK] [--json]``: the library fills the folder (with
``--from``, the first ledger from the feedback); this prints what it did."""

from __future__ import annotations

from pathlib import Path

from ...errors import LedgerkitError
from . import print_json


def init_command(folder: Path, feedback: Path | None = None, as_json: bool = False) -> int:
    if feedback is not None:
        return init_from_command(Path(folder), Path(feedback), as_json)
    if as_json:
        raise LedgerkitError(
            "--json 只能与 --from 一起使用，如：ledgerkit init 文件夹 --from 反馈意见.docx --json。"
        )
    from ...workflow.init import init_folder

    print(init_folder(Path(folder)))
    return 0


def init_from_command(folder: Path, feedback: Path, as_json: bool) -> int:
    from ...workflow.init import LEDGER_NAME, init_from_feedback

    result = init_from_feedback(folder, feedback)
    if as_json:
        print_json(result.as_dict())
        return 0
    aspects, problems, issues = result.hierarchy.counts
    form = "问题清单表格" if result.hierarchy.form == "table" else "分级段落（编号或标题样式）"
    print(
        f"已从“{result.feedback.name}”的{form}中找到 {aspects} 个方面、{problems} 个问题、{issues} 个具体问题。"
    )
    print(f"已写入“{result.ledger}”：每个具体问题一行，整改措施和责任分工留空待填。")
    if result.config_written:
        found = "、".join(f"{label}“{value}”" for label, value in result.found_facts())
        print(f"已写入“{result.config}”，从反馈意见开头找到：{found or '（无）'}。")
    others = [n for n in result.written if n not in (LEDGER_NAME, result.config.name)]
    if others:
        print("新写入：" + "、".join(others))
    if result.kept:
        print("已存在，未覆盖：" + "、".join(result.kept))
    print("下一步：")
    for k, step in enumerate(result.next_steps(), start=1):
        print(f"  {k}. {step}")
    return 0
