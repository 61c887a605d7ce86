"""Sending by SMTP: the [mail] server, the login, delivery, and every failure as one Chinese sentence.

The [mail] values are checked when the config is loaded (config.MailSettings), before any report.

Every failure a user can cause (a refused login, an unreachable or silent server, a refused
recipient) ends as one sentence saying what to check.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from email.message import EmailMessage

from ...config import MAIL_PORTS, Config, MailSettings
from ...errors import MailError, os_reason

TIMEOUT = 20.0  # seconds for the connection and each server reply: a dead server must not hang a watcher
PORTS = MAIL_PORTS

Server = MailSettings  # [mail] as parsed with the config (config.MailSettings)


def server_settings(config: Config) -> MailSettings | None:
    """The [mail] server settings, or None when there is no host (only the .eml is wanted)."""
    return config.mail if config.mail.host else None


def sender_address(config: Config) -> str:
    return config.mail.sender


def _password(server: Server) -> str:
    password = os.environ.get(server.password_env, "")
    if not (server.user.isascii() and password.isascii()):  # smtplib's AUTH sends ASCII only
        raise MailError(f"[mail] user 和环境变量 {server.password_env} 中的密码只能含英文字母、数字和符号。")
    if not password:
        raise MailError(
            f"要登录邮件服务器，请先把邮箱密码（或授权码）设到环境变量 {server.password_env}。"
            f'命令提示符中：set {server.password_env}=授权码；PowerShell 中：$env:{server.password_env}="授权码"。'
        )
    return password


def deliver(
    msg: EmailMessage, server: Server, sender: str, recipients: list[str], timeout: float = TIMEOUT
) -> None:
    if not sender:
        raise MailError("要发送邮件，请在 ledgerkit.toml 的 [mail] 中填写 from（发件人邮箱）。")
    password = _password(server) if server.user else ""
    context = ssl.create_default_context()
    stage = "connect"
    try:
        if server.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
        try:
            if server.security == "starttls":
                stage = "starttls"
                smtp.starttls(context=context)
            if server.user:
                stage = "login"
                smtp.login(server.user, password)
            stage = "send"
            refused = smtp.send_message(msg, from_addr=sender, to_addrs=recipients)
        finally:
            _quit(smtp)
    except OSError as exc:  # smtplib's errors, ssl's and the socket's are all OSErrors
        raise MailError(_explain(exc, stage, server, sender, timeout)) from None
    if refused:
        accepted = [r for r in recipients if r not in refused]
        raise MailError(
            f"邮件已发给 {'、'.join(accepted)}，但邮件服务器拒绝了 {'、'.join(refused)}"
            f"（{_reply(*next(iter(refused.values())))}）。请检查这些地址。"
        )


def _quit(smtp: smtplib.SMTP) -> None:
    # After the message is accepted, a rude goodbye must not turn success into an error.
    try:
        smtp.quit()
    except OSError:
        smtp.close()


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _explain(exc: OSError, stage: str, server: Server, sender: str, timeout: float) -> str:
    """The Chinese sentence for a failed SMTP step, saying what to check."""
    where = server.where
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"邮件服务器 {where} 拒绝登录（{_reply(exc.smtp_code, exc.smtp_error)}）。"
            f"请检查 [mail] user“{server.user}”和环境变量 {server.password_env} 中的密码；"
            "QQ、163 等邮箱要用“授权码”而不是登录密码。"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) and stage == "starttls":
        return (
            f'邮件服务器 {where} 不支持 STARTTLS 加密。465 端口请设 security = "ssl"；'
            '不加密的内网服务器请设 security = "none"。'
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) and stage == "login":
        return (
            f"邮件服务器 {where} 不接受登录。如该服务器无需登录，请删去 [mail] user；"
            '许多服务器只在加密后才允许登录，请设 security = "starttls" 或 "ssl"。'
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        reason = _reply(*next(iter(exc.recipients.values())))
        return f"邮件服务器拒绝了收件人 {'、'.join(exc.recipients)}（{reason}）。请检查邮箱地址。"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"邮件服务器拒绝了发件人 {sender}（{_reply(exc.smtp_code, exc.smtp_error)}）。"
            "请检查 [mail] from，它通常要与登录账号一致。"
        )
    if isinstance(exc, smtplib.SMTPDataError):
        return (
            f"邮件服务器拒绝了这封邮件（{_reply(exc.smtp_code, exc.smtp_error)}）。附件较大时请压缩后再发。"
        )
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        # smtplib reports a reply that never came as "disconnected"; the cause says it was time
        return (
            f"邮件服务器 {where} 在 {timeout:g} 秒内没有响应。"
            "请检查网络，以及 [mail] port 与 security 是否匹配（465 端口用 ssl）。"
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"邮件服务器 {where} 意外断开了连接。请检查 [mail] port 和 security（465 端口用 ssl，587 端口用 starttls）。"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"邮件服务器 {where} 返回错误：{_reply(exc.smtp_code, exc.smtp_error)}。"
    if isinstance(exc, smtplib.SMTPException):
        return f"与邮件服务器 {where} 通信出错：{exc}。"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"无法验证邮件服务器 {server.host} 的证书（{exc.verify_message}）。"
            "如服务器使用单位自签的证书，请把该证书文件的路径设到环境变量 SSL_CERT_FILE。"
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"与邮件服务器 {where} 建立加密连接失败。"
            "请检查 [mail] security 与 port 是否匹配：465 端口用 ssl，587 端口用 starttls。"
        )
    if isinstance(exc, ConnectionRefusedError):
        return f"邮件服务器 {where} 拒绝连接。请检查 [mail] host 和 port，以及服务器是否开启。"
    if isinstance(exc, socket.gaierror):
        return f"找不到邮件服务器“{server.host}”。请检查 [mail] host 和网络连接。"
    return f"无法连接邮件服务器 {where}（{os_reason(exc)}）。请检查 [mail] host、port 和网络连接。"
