"""``ledgerkit init``: a folder ready for an office: blank ledger, commented config, inbox.

Never overwrites: a file already there is kept as it is (the office may have filled it in).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..config import CONFIG_NAME, TEMPLATES_DIR
from ..errors import LedgerkitError
from ..support.atomic import atomic_path

TEMPLATE_NAME = "台账模板.xlsx"
INBOX_NAME = "inbox"


def init_folder(folder: Path) -> str:
    """Fill ``folder``; return what was written and kept, and the next steps, as lines of text."""
    _make_folder(folder)
    written: list[str] = []
    kept: list[str] = []
    for name in (TEMPLATE_NAME, CONFIG_NAME):
        target = folder / name
        if target.exists():
            kept.append(name)
            continue
        _write(name, target)
        written.append(name)
    inbox = folder / INBOX_NAME
    if inbox.is_dir():
        kept.append(f"{INBOX_NAME}/")
    elif inbox.exists():
        raise LedgerkitError(f"“{inbox}”已存在但不是文件夹，无法创建收件文件夹。请改名或移走该文件后重试。")
    else:
        _make_folder(inbox)
        written.append(f"{INBOX_NAME}/")
    return _report(folder, written, kept)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise LedgerkitError(f"“{folder}”已存在但不是文件夹。请换一个文件夹名。") from None
    except OSError as exc:
        raise LedgerkitError(f"无法创建文件夹“{folder}”：{exc.strerror or exc}。请检查路径和权限。") from None


def _write(name: str, target: Path) -> None:
    source = TEMPLATES_DIR / name
    try:
        with atomic_path(target) as tmp:
            if source.is_file():
                shutil.copyfile(source, tmp)
            elif name == TEMPLATE_NAME:  # templates/ not shipped (installed package): build it
                from ..workbook import write_blank_template

                write_blank_template(tmp)
            else:
                raise LedgerkitError(
                    f"找不到配置文件模板“{source}”。请重新安装 ledgerkit，或从项目的 templates 文件夹复制 {name}。"
                )
    except OSError as exc:
        raise LedgerkitError(f"无法写入“{target}”：{exc.strerror or exc}。请检查文件夹权限。") from None


def _report(folder: Path, written: list[str], kept: list[str]) -> str:
    lines = [f"已初始化文件夹“{folder}”。"]
    if written:
        lines.append("新写入：" + "、".join(written))
    if kept:
        lines.append("已存在，未覆盖：" + "、".join(kept))
    lines += [
        "下一步：",
        f"  1. 用 Excel 或 WPS 打开“{TEMPLATE_NAME}”，按“填报说明”工作表填写台账；",
        f"  2. 编辑“{CONFIG_NAME}”，填写单位名称、巡察组和联系方式（删去行首的“# ”即可启用）；",
        f"  3. 运行 ledgerkit report {TEMPLATE_NAME}，或把台账放入 {INBOX_NAME} 文件夹后运行 ledgerkit watch {INBOX_NAME}。",
    ]
    return "\n".join(lines)
