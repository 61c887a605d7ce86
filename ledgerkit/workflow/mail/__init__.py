"""Mail the outputs: a ready .eml beside the first attachment, and SMTP when [mail] has a host.

``send_files`` is the library call (the watched inbox's and ``report --mail-to``'s);
``message.py`` builds the message and the .eml, ``body.py`` its text, ``smtp.py`` sends it.
The .eml is written before any network step; once it is, every failure's sentence says where
it is, to be sent by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...config import DEFAULT_PASSWORD_ENV, Config, which_unit
from ...errors import MailError
from .body import MailFigures, compose_body, default_subject, figures_sentence
from .message import MIME_TYPES, POLICY, build_message, eml_path, mime_type, parse_addresses, write_eml
from .smtp import PORTS, TIMEOUT, deliver, sender_address, server_settings

__all__ = [
    "DEFAULT_PASSWORD_ENV",
    "MIME_TYPES",
    "POLICY",
    "PORTS",
    "TIMEOUT",
    "MailFigures",
    "MailResult",
    "build_message",
    "eml_path",
    "figures_sentence",
    "mime_type",
    "parse_addresses",
    "send_files",
]


@dataclass
class MailResult:
    eml: Path
    sent: bool
    recipients: list[str]


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
    to = list(to) or list(config.mail.to)
    cc = list(cc or []) or list(config.mail.cc)
    recipients = _unique(a.addr_spec for a in parse_addresses(to + cc))
    if not recipients:
        raise MailError("没有收件人。请用 --to 指定邮箱，或在 ledgerkit.toml 的 [mail] to 中填写。")
    unit = which_unit(summary.unit if summary else "", config.get("unit", "name"), "ledger")
    sender = sender_address(config)
    envelope_from = parse_addresses([sender])[0].addr_spec if sender else ""
    body = compose_body(paths, summary, config, unit, notes)
    msg = build_message(paths, to, cc, subject or default_subject(paths, unit), body, sender)
    eml = eml_path(paths)
    write_eml(msg, eml)
    try:
        server = server_settings(config)
        if server is None:
            return MailResult(eml=eml, sent=False, recipients=recipients)
        deliver(msg, server, envelope_from, recipients, TIMEOUT)  # looked up now: tests shorten it
    except MailError as exc:
        raise MailError(f"{exc.message}邮件已保存为“{eml}”，可用邮件客户端打开后手动发送。") from None
    return MailResult(eml=eml, sent=True, recipients=recipients)


def _unique(addresses: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(address.lower(), address)
    return list(seen.values())
