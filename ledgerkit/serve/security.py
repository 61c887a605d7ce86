"""The page's safety rules, as pure functions: token, Host, Origin, upload size, file type, file name.

Each rule decides from plain values (header texts, bytes) and returns a verdict; the app
(app.py) turns a refusal into its status code and sentence. Nothing here touches a socket or a
file, so each rule is tested directly (tests/test_serve_security.py).

- **Token**: a random token is in the printed address; it may come as the ``token`` query
  parameter, the ``ledgerkit_token`` cookie (set HttpOnly, SameSite=Strict on the first visit
  with ``?token=``) or the ``X-Ledgerkit-Token`` header. Compared in constant time.
- **Host** (DNS rebinding): a page on another site that makes its own name resolve to 127.0.0.1
  sends that name as Host. Accepted: the bound address, ``localhost``, an IP literal, and — only
  when bound beyond this machine — the machine's own names.
- **Origin**: a POST from a page of another site is refused; no Origin (curl, scripts) is fine,
  since such a request carries the token anyway.
- **Type by content**: xlsx/xlsm are zip files holding ``xl/workbook.xml``, xls an OLE file; the
  name's extension is never trusted. **Names**: only the last part of what the browser sends,
  with characters Windows forbids replaced, so ``../../x.xlsx`` is ``x.xlsx`` inside FOLDER.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass

TOKEN_QUERY = "token"
TOKEN_COOKIE = "ledgerkit_token"
TOKEN_HEADER = "x-ledgerkit-token"
DEFAULT_MAX_UPLOAD_MB = 50

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
NAME_CHARS = 120  # a Windows path of FOLDER + name stays well under 260


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_ok(token: str, *offered: str | None) -> bool:
    """Any offered value (query, cookie, header) equal to the token."""
    return any(o and hmac.compare_digest(o.encode(), token.encode()) for o in offered)


def _host_name(host_header: str) -> str:
    """``127.0.0.1:8080`` → ``127.0.0.1``; ``[::1]:80`` → ``::1``; lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_ok(host_header: str | None, bound: str, machine_names: frozenset[str] = frozenset()) -> bool:
    """The Host header names this server, not a name someone else's DNS points here."""
    if not host_header:
        return False
    name = _host_name(host_header)
    if name in {"localhost", bound.lower()} or _is_ip(name):
        return True
    return is_public_bind(bound) and name.rstrip(".") in machine_names


def is_public_bind(bound: str) -> bool:
    """Bound beyond this machine's loopback: other computers can connect."""
    if bound.lower() == "localhost":
        return False
    try:
        return not ipaddress.ip_address(bound).is_loopback
    except ValueError:
        return True  # a host name: whoever resolves it can


def origin_ok(origin: str | None, host_header: str | None) -> bool:
    """A POST's Origin, when there is one, is this very page (scheme://Host)."""
    if origin is None:
        return True
    if not host_header:
        return False
    return origin.lower() in {f"http://{host_header.lower()}", f"https://{host_header.lower()}"}


def too_large(content_length: str | None, limit: int) -> bool:
    """The declared body already exceeds the limit (the stream is counted too: app.py)."""
    return bool(content_length and content_length.isdigit() and int(content_length) > limit)


@dataclass(frozen=True, slots=True)
class Kind:
    """What a file is by its content: its extension, or why it is no workbook and what to do
    (a clause to follow the file's name)."""

    suffix: str = ""
    problem: str = ""


def kind_of(head: bytes, zip_names: list[str] | None, content_types: bytes = b"") -> Kind:
    """``head``: the first bytes; ``zip_names``: the zip's member names, None when it is no zip
    (or a broken one); ``content_types``: its [Content_Types].xml (macro-enabled or not)."""
    if head.startswith(OLE_MAGIC):
        return Kind(".xls")
    if head.startswith(ZIP_MAGIC) and zip_names is not None:
        if "xl/workbook.xml" in zip_names or "xl/workbook.bin" in zip_names:
            return Kind(".xlsm" if b"macroEnabled" in content_types else ".xlsx")
        if "word/document.xml" in zip_names:
            return Kind(problem="是 Word 文档，不是台账。请选择台账的 Excel 文件（.xlsx .xlsm .xls）")
        return Kind(problem="是压缩文件，不是 Excel 工作簿。请先解压，再选择其中的台账文件")
    if head.startswith(ZIP_MAGIC):
        return Kind(problem="已损坏（文件不完整）。请重新复制或下载后再上传")
    return Kind(
        problem="不是 Excel 工作簿（可能是文本、CSV 或网页文件改了扩展名）。请用 Excel 或 WPS 打开，另存为 .xlsx 后再上传"
    )


def safe_stem(filename: str | None) -> str:
    """The stem a browser-sent name may give a file in FOLDER: its last path part, no extension,
    without characters Windows forbids, leading dots (hidden files) or Office's ``~$``."""
    name = re.split(r"[\\/]", filename or "")[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = _UNSAFE_NAME.sub("_", stem).strip().lstrip(".~$").strip(" .")
    stem = stem.replace("（清洗）", "")[:NAME_CHARS].strip(" .")  # never mistaken for our own output
    if stem.split(".")[0].upper() in _RESERVED:  # CON, NUL, COM1…: Windows cannot make these files
        stem = f"台账-{stem}"
    return stem or "台账"
