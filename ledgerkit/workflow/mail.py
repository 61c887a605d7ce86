"""Mail the outputs: a ready .eml beside the first attachment, and SMTP when [mail] has a host.

The .eml is written before any network step, so an office whose server refuses us still has a
message to open and send from its own mail client. Every failure a user can cause (a wrong
address, a missing file, a refused login, an unreachable server) ends as one Chinese sentence.
"""

from __future__ import annotations

import mimetypes
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from email import errors as email_errors
from email import policy as email_policy
from email.header import Header
from email.headerregistry import Address, ContentDispositionHeader, ContentTypeHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import Policy
from email.utils import formatdate, make_msgid, parseaddr, quote
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote as percent_encode

from .. import formats
from ..config import Config
from ..errors import MailError
from ..support.atomic import atomic_path

TIMEOUT = 20.0  # seconds for the connection and each server reply: a dead server must not hang a watcher
DEFAULT_PASSWORD_ENV = "LEDGERKIT_SMTP_PASSWORD"
PORTS = {"ssl": 465, "starttls": 587, "none": 25}

# Explicit, because mimetypes reads the Windows registry, where Office types are sometimes missing.
MIME_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".doc": "application/msword",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
}

# Office staff separate addresses the way Outlook does, sometimes with full-width punctuation.
_ADDRESS_SEPARATORS = re.compile(r"[,;，；、]")


@dataclass
class MailResult:
    eml: Path
    sent: bool
    recipients: list[str]


# --- MIME parameters that every client reads -------------------------------------------------


class _ClientFriendlyParams:
    """Fold MIME parameters the way Outlook, Foxmail and webmail all read them.

    The stdlib folder turns a long non-ASCII value into RFC 2231 continuations (``filename*0*=``),
    which Outlook before 2007 cannot read, and with a long type such as the .docx one it even
    encodes the subtype as an encoded word (Python 3.11). Here each parameter gets its own line:
    ``name=`` as RFC 2047 encoded words in quotes (what Outlook itself writes), any other
    non-ASCII value as one RFC 2231 ``filename*=`` line.
    """

    name: str
    params: Any

    def _main_value(self) -> str:
        raise NotImplementedError

    def fold(self, *, policy: Policy) -> str:
        params = [_param_lines(key, value) for key, value in self.params.items()]
        one_line = f"{self.name}: " + "; ".join([self._main_value(), *(p[0] for p in params)])
        if all(len(p) == 1 for p in params) and len(one_line) <= (policy.max_line_length or 78):
            return one_line + policy.linesep
        lines = [f"{self.name}: {self._main_value()}"]
        for param in params:
            lines[-1] += ";"
            lines.extend(" " + line for line in param)
        return policy.linesep.join(lines) + policy.linesep


class _ContentType(_ClientFriendlyParams, ContentTypeHeader):
    def _main_value(self) -> str:
        return self.content_type  # type: ignore[attr-defined]


class _ContentDisposition(_ClientFriendlyParams, ContentDispositionHeader):
    def _main_value(self) -> str:
        return self.content_disposition or "attachment"  # type: ignore[attr-defined]


def _param_lines(key: str, value: str) -> list[str]:
    """One parameter as header lines; several lines are one parameter folded, not several."""
    if value.isascii():
        return [f'{key}="{quote(value)}"']
    if key == "name":
        # Words of at most 66 characters keep each line under 78; a decoder joins adjacent words.
        words = Header(value, "utf-8", maxlinelen=66).encode().split()
        words[0] = f'{key}="{words[0]}'
        words[-1] += '"'
        return words
    return _rfc2231_lines(key, value)


def _rfc2231_lines(key: str, value: str) -> list[str]:
    # One line while it keeps well under the 998-octet line limit; beyond that, RFC 2231
    # continuations, cut between characters so that no decoder ever sees half a character.
    pieces = [percent_encode(ch, safe="") for ch in value]
    if len(key) + sum(map(len, pieces)) < 900:
        return [f"{key}*=utf-8''{''.join(pieces)}"]
    chunks = [""]
    for piece in pieces:
        if len(chunks[-1]) + len(piece) > 60:
            chunks.append("")
        chunks[-1] += piece
    charset = "utf-8''"
    lines = [f"{key}*{i}*={'' if i else charset}{chunk};" for i, chunk in enumerate(chunks)]
    lines[-1] = lines[-1].rstrip(";")
    return lines


def _policy() -> Policy:
    registry = HeaderRegistry()
    registry.map_to_type("content-type", _ContentType)
    registry.map_to_type("content-disposition", _ContentDisposition)
    # 7bit: the body goes out base64, so no server needs 8BITMIME; CRLF so the .eml is standard.
    return email_policy.SMTP.clone(header_factory=registry, cte_type="7bit")


POLICY = _policy()


# --- Building the message ----------------------------------------------------------------------


def parse_addresses(values: Iterable[str]) -> list[Address]:
    """Addresses as typed (``a@b.cn``, ``张三 <a@b.cn>``, several in one string); a bad one → MailError."""
    found: list[Address] = []
    for item in (part.strip() for value in values for part in _ADDRESS_SEPARATORS.split(str(value))):
        if not item:
            continue
        name, addr = parseaddr(item)
        try:
            address = Address(display_name=name, addr_spec=addr)
        except (ValueError, IndexError, email_errors.HeaderParseError):
            address = None
        if address is None or not address.username or not address.domain:
            raise MailError(f"邮箱地址“{item}”无效，请写成 name@example.com 这样的形式。")
        if not address.addr_spec.isascii():  # would need SMTPUTF8, which office servers rarely offer
            raise MailError(f"邮箱地址“{item}”含有中文等非英文字符，请改用英文邮箱地址。")
        found.append(address)
    return found


def build_message(
    files: list[Path], to: list[str], cc: list[str], subject: str, body: str, sender: str
) -> EmailMessage:
    """The message with ``files`` attached; ``sender`` may be empty (the mail client fills it in)."""
    msg = EmailMessage(policy=POLICY)
    sender_addresses = parse_addresses([sender])
    if sender_addresses:
        msg["From"] = sender_addresses[0]
    if to:
        msg["To"] = parse_addresses(to)
    if cc:
        msg["Cc"] = parse_addresses(cc)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    # An explicit domain: make_msgid's default asks DNS for this machine's name, slow on some PCs.
    domain = sender_addresses[0].domain if sender_addresses else "ledgerkit.local"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(body)
    for path in files:
        maintype, subtype = mime_type(path).split("/", 1)
        # name= as well as filename=: old Outlook only looks at the Content-Type name.
        msg.add_attachment(
            _read(path), maintype=maintype, subtype=subtype, filename=path.name, params={"name": path.name}
        )
    return msg


def mime_type(path: Path) -> str:
    known = MIME_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    # message/* and multipart/* parts may not be base64; any other file goes as plain bytes.
    if not known or known.split("/")[0] in ("message", "multipart"):
        return "application/octet-stream"
    return known


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise MailError(f"找不到要发送的文件“{path}”。请检查文件名和路径。") from None
    except IsADirectoryError:
        raise MailError(f"“{path}”是文件夹，不能作为附件。请指定其中的文件。") from None
    except OSError as exc:
        raise MailError(
            f"无法读取要发送的文件“{path}”（{exc.strerror}）。请关闭占用它的程序后重试。"
        ) from None


class MailFigures(Protocol):
    """What the body and subject take from a report: ``figures.Summary`` has these."""

    as_of: date
    unit: str
    issues: int
    issues_done: int
    measures: int
    measures_done: int


def figures_sentence(summary: MailFigures) -> str:
    """The figures as a notice states them; "" without figures."""
    clauses = []
    if summary.issues:
        done, total = summary.issues_done, summary.issues
        clauses.append(
            f"巡察反馈的{total}个具体问题，已完成整改{done}个，完成率{formats.percent(done, total)}"
        )
    if summary.measures:
        clauses.append(f"制定的{summary.measures}条整改措施，已完成{summary.measures_done}条")
    if not clauses:
        return ""
    return f"截至{formats.cn_date(summary.as_of)}，" + "；".join(clauses) + "。"


def _body(
    files: list[Path], summary: MailFigures | None, config: Config, unit: str, notes: Sequence[str] = ()
) -> str:
    lines = ["您好！", ""]
    figures = figures_sentence(summary) if summary else ""
    if figures:
        lines += [figures, ""]
    if notes:  # e.g. the changes since the last version and their red flags
        lines += [*notes, ""]
    if len(files) == 1:
        lines.append(f"附件为“{files[0].name}”，请查收。")
    else:
        lines.append("附件为以下文件，请查收：")
        lines += [f"{i}. {path.name}" for i, path in enumerate(files, 1)]
    lines += ["", "如有疑问，请及时联系。谢谢！"]
    phone = config.get("contact", "phone")
    signature = [unit] if unit else []
    signature += [f"联系电话：{phone}"] if phone else []
    if signature:
        lines += ["", *signature]
    return "\n".join(lines) + "\n"


def _default_subject(files: list[Path], unit: str) -> str:
    if unit:
        return f"{unit}巡察整改情况通报（草稿）"
    stems = "、".join(path.stem for path in files[:3])
    return stems + (f"等{len(files)}个文件" if len(files) > 3 else "")


# --- The .eml ----------------------------------------------------------------------------------


def eml_path(files: list[Path]) -> Path:
    """Beside the first attachment, named after it; never over one of the attachments."""
    path = files[0].with_suffix(".eml")
    if any(path.resolve() == f.resolve() for f in files):
        path = files[0].with_name(f"{files[0].stem}-邮件.eml")
    return path


def _write_eml(msg: EmailMessage, path: Path) -> None:
    msg["X-Unsent"] = "1"  # Outlook opens the file as a draft with a Send button
    try:
        with atomic_path(path) as tmp:
            tmp.write_bytes(msg.as_bytes())
    except OSError as exc:
        raise MailError(f"无法保存邮件文件“{path}”（{exc.strerror}）。请检查该文件夹是否可写。") from None
    finally:
        del msg["X-Unsent"]  # the message recipients get must not open as a draft


# --- Sending -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Server:
    host: str
    port: int
    security: str
    user: str
    password_env: str

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _server(config: Config) -> _Server | None:
    """The [mail] server settings, or None when there is no host (only the .eml is wanted)."""
    host = config.get("mail", "host")
    if not host:
        return None
    port = config.get("mail", "port")
    security = str(config.get("mail", "security") or ("ssl" if port == 465 else "starttls")).lower()
    if security not in PORTS:
        raise MailError(f"[mail] security 的值“{security}”无效，应为 ssl、starttls 或 none。")
    if port is not None and not 0 < port < 65536:
        raise MailError(f"[mail] port 的值 {port} 无效，常用端口为 465（ssl）、587（starttls）或 25。")
    return _Server(
        host=host,
        port=port or PORTS[security],
        security=security,
        user=config.get("mail", "user", ""),
        password_env=config.get("mail", "password_env", DEFAULT_PASSWORD_ENV),
    )


def _sender(config: Config) -> str:
    user = config.get("mail", "user", "")
    return config.get("mail", "from") or (user if "@" in user else "")


def _password(server: _Server) -> str:
    password = os.environ.get(server.password_env, "")
    if not (server.user.isascii() and password.isascii()):  # smtplib's AUTH sends ASCII only
        raise MailError(f"[mail] user 和环境变量 {server.password_env} 中的密码只能含英文字母、数字和符号。")
    if not password:
        raise MailError(
            f"要登录邮件服务器，请先把邮箱密码（或授权码）设到环境变量 {server.password_env}。"
            f'命令提示符中：set {server.password_env}=授权码；PowerShell 中：$env:{server.password_env}="授权码"。'
        )
    return password


def _deliver(msg: EmailMessage, server: _Server, sender: str, recipients: list[str]) -> None:
    if not sender:
        raise MailError("要发送邮件，请在 ledgerkit.toml 的 [mail] 中填写 from（发件人邮箱）。")
    password = _password(server) if server.user else ""
    context = ssl.create_default_context()
    stage = "connect"
    try:
        if server.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
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
        raise MailError(_explain(exc, stage, server, sender)) from None
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


def _explain(exc: OSError, stage: str, server: _Server, sender: str) -> str:
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
            f"邮件服务器 {where} 在 {TIMEOUT:g} 秒内没有响应。"
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
    return f"无法连接邮件服务器 {where}（{exc.strerror or exc}）。请检查 [mail] host、port 和网络连接。"


# --- The library call and the command ----------------------------------------------------------


def send_files(
    files: list[Path],
    to: list[str],
    cc: list[str] | None = None,
    subject: str | None = None,
    config: Config | None = None,
    summary: MailFigures | None = None,
    notes: Sequence[str] = (),
) -> MailResult:
    """Write ``<first attachment>.eml``, then send it by SMTP when ``config`` has [mail] host.

    ``to``/``cc`` fall back to [mail] to/cc. ``config`` None means no [mail]: only the .eml.
    ``summary`` (a report's ``Summary``) puts the figures into the body and the unit into the
    default subject; ``notes`` are lines put after the figures (a report's changes since the
    last version). Raises MailError; once the .eml is written, its message says where it is.
    """
    config = config or Config()
    paths = [Path(f) for f in files]
    if not paths:
        raise MailError("没有要发送的文件。")
    to = list(to) or [str(a) for a in config.get("mail", "to", [])]
    cc = list(cc or []) or [str(a) for a in config.get("mail", "cc", [])]
    recipients = _unique(a.addr_spec for a in parse_addresses(to + cc))
    if not recipients:
        raise MailError("没有收件人。请用 --to 指定邮箱，或在 ledgerkit.toml 的 [mail] to 中填写。")
    unit = str((summary.unit if summary else "") or config.get("unit", "name", ""))
    sender = _sender(config)
    envelope_from = parse_addresses([sender])[0].addr_spec if sender else ""
    body = _body(paths, summary, config, unit, notes)
    msg = build_message(paths, to, cc, subject or _default_subject(paths, unit), body, sender)
    eml = eml_path(paths)
    _write_eml(msg, eml)
    try:
        server = _server(config)
        if server is None:
            return MailResult(eml=eml, sent=False, recipients=recipients)
        _deliver(msg, server, envelope_from, recipients)
    except MailError as exc:
        raise MailError(f"{exc.message}邮件已保存为“{eml}”，可用邮件客户端打开后手动发送。") from None
    return MailResult(eml=eml, sent=True, recipients=recipients)


def _unique(addresses: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(address.lower(), address)
    return list(seen.values())
