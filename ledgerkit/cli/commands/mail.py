"""``ledgerkit mail FILES --to …``: say in Chinese what was saved and to whom it went."""

from __future__ import annotations

from pathlib import Path


def mail_command(
    files: list[Path], to: list[str], cc: list[str], subject: str | None, config_path: Path | None
) -> int:
    from ...config import load_config
    from ...workflow.mail import send_files

    paths = [Path(f) for f in files]
    config = load_config(paths[0] if paths else None, config_path)
    result = send_files(paths, to, cc, subject, config)
    print(f"已保存邮件：{result.eml}")
    if result.sent:
        print(f"已发送给：{'、'.join(result.recipients)}")
    else:
        print("未配置 [mail]，只保存了 .eml：用 Outlook、Foxmail 等邮件客户端打开即可发送。")
    return 0
