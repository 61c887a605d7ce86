"""The message: MIME headers every mail client reads, addresses as office staff type them, and the .eml.

The .eml is written before any network step, so an office whose server refuses us still has a
message to open and send from its own mail client.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable
from email import errors as email_errors
from email import policy as email_policy
from email.header import Header
from email.headerregistry import Address, ContentDispositionHeader, ContentTypeHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import Policy
from email.utils import formatdate, make_msgid, parseaddr, quote
from pathlib import Path
from typing import Any
from urllib.parse import quote as percent_encode

from ...errors import MailError, os_reason
from ...support.atomic import atomic_path

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
            f"无法读取要发送的文件“{path}”（{os_reason(exc)}）。请关闭占用它的程序后重试。"
        ) from None


# --- The .eml ----------------------------------------------------------------------------------


def eml_path(files: list[Path]) -> Path:
    """Beside the first attachment, named after it; never over one of the attachments."""
    path = files[0].with_suffix(".eml")
    if any(path.resolve() == f.resolve() for f in files):
        path = files[0].with_name(f"{files[0].stem}-邮件.eml")
    return path


def write_eml(msg: EmailMessage, path: Path) -> None:
    msg["X-Unsent"] = "1"  # Outlook opens the file as a draft with a Send button
    try:
        with atomic_path(path) as tmp:
            tmp.write_bytes(msg.as_bytes())
    except OSError as exc:
        raise MailError(f"无法保存邮件文件“{path}”（{os_reason(exc)}）。请检查该文件夹是否可写。") from None
    finally:
        del msg["X-Unsent"]  # the message recipients get must not open as a draft
