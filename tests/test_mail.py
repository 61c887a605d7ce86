"""Mail: the message as clients decode it, the .eml, and delivery to a real SMTP server on loopback.

Every server here is aiosmtpd on 127.0.0.1; nothing leaves the machine. Attachments are real Word and
Excel files with Chinese names, compared byte for byte after a round trip through the server.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import os
import re
import socket
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from ledgerkit.config import Config
from ledgerkit.errors import MailError
from ledgerkit.workflow import mail

HOST = "127.0.0.1"
DOCX_NAME = "开封市机关事务中心关于巡察整改情况的通报（社会公开稿）.docx"
XLSX_NAME = "巡察整改台账（清洗后）.xlsx"
USER, PASSWORD = "office@example.com", "s3cret-auth-code"


@dataclass(frozen=True)
class Figures:
    """What mail reads from a report's Summary (mail.MailFigures)."""

    as_of: dt.date
    unit: str
    issues: int
    issues_done: int
    measures: int
    measures_done: int


SUMMARY = Figures(dt.date(2025, 3, 3), "开封市机关事务中心", 42, 38, 127, 123)
FIGURES = "截至2025年3月3日，巡察反馈的42个具体问题，已完成整改38个，完成率90.5%；制定的127条整改措施，已完成123条。"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """A real small notice (.docx) and ledger (.xlsx), named the way offices name them."""
    import docx
    import openpyxl

    folder = tmp_path / "输出"
    folder.mkdir()
    document = docx.Document()
    document.add_paragraph("开封市机关事务中心关于巡察整改情况的通报")
    document.save(folder / DOCX_NAME)
    book = openpyxl.Workbook()
    book.active.append(["序号", "具体问题", "整改措施", "完成情况"])
    book.active.append([1, "主体责任扛得不牢", "召开党组会研究整改", "已完成"])
    book.save(folder / XLSX_NAME)
    return [folder / DOCX_NAME, folder / XLSX_NAME]


class Recorder:
    """An aiosmtpd handler that keeps what it receives and refuses the addresses it is told to."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.envelopes: list = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def message(self) -> EmailMessage:
        assert len(self.envelopes) == 1
        return email.message_from_bytes(self.envelopes[0].content, policy=email.policy.default)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd then answers 535 itself


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., tuple[int, Recorder]]]:
    """Start aiosmtpd servers on loopback: ``start(**controller_kwargs) -> (port, recorder)``."""
    controllers: list[Controller] = []

    def start(refuse: tuple[str, ...] = (), **kwargs) -> tuple[int, Recorder]:
        recorder = Recorder(refuse)
        controller = Controller(recorder, hostname=HOST, port=free_port(), ready_timeout=10, **kwargs)
        controller.start()
        controllers.append(controller)
        return controller.port, recorder

    yield start
    for controller in controllers:
        controller.stop()


def mail_config(port: int, **mail_keys) -> Config:
    return Config(
        values={"mail": {"host": HOST, "port": port, "security": "none", "from": USER, **mail_keys}}
    )


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca.pem, server.pem, server.key)."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)

    def build(subject: str, issuer: x509.Name | None, issuer_key, key, ca: bool) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
            )
        )
        if ca:
            usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
            builder = builder.add_extension(usage, critical=True)
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False
            ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("ledgerkit test CA", None, ca_key, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build(HOST, ca_cert.subject, ca_key, key, ca=False)
    paths = tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server.key"
    paths[0].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


def server_tls(certificate: tuple[Path, Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate[1], certificate[2])
    return context


# --- what clients see ----------------------------------------------------------------------------


def pct(name: str) -> str:
    return quote(name, safe="")


def raw_name_param(raw: bytes, filename: str) -> str:
    """The Content-Type name="..." exactly as written, unfolded, in the part for ``filename``."""
    unfolded = re.sub(r"\r\n[ \t]", " ", raw.decode("ascii"))
    part = next(p for p in unfolded.split("\r\n--") if f"filename*=utf-8''{pct(filename)}" in p)
    content_type = next(h for h in part.split("\r\n") if h.startswith("Content-Type:"))
    return re.search(r'name="([^"]*)"', content_type)[1]


def assert_attachments(msg: EmailMessage, files: list[Path]) -> None:
    parts = list(msg.iter_attachments())
    assert [p.get_filename() for p in parts] == [f.name for f in files]
    assert [p.get_content() for p in parts] == [f.read_bytes() for f in files]
    assert [p.get_content_type() for p in parts][:2] == [DOCX, XLSX]


def test_figures_sentence_reads_like_the_notice() -> None:
    assert mail.figures_sentence(SUMMARY) == FIGURES
    done = replace(SUMMARY, as_of=dt.date(2025, 4, 1), issues_done=42)
    assert mail.figures_sentence(done).startswith(
        "截至2025年4月1日，巡察反馈的42个具体问题，已完成整改42个，完成率100.0%；"
    )
    assert mail.figures_sentence(replace(SUMMARY, issues=16, issues_done=1, measures=0)) == (
        "截至2025年3月3日，巡察反馈的16个具体问题，已完成整改1个，完成率6.3%。"
    )
    assert mail.figures_sentence(replace(SUMMARY, issues=0, measures=0)) == ""


def test_headers_carry_chinese_names_in_both_encodings(files: list[Path], tmp_path: Path) -> None:
    pdf = tmp_path / "输出" / "整改报告.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    msg = mail.build_message(
        [*files, pdf], ["张三 <a@example.com>"], ["b@example.com"], "巡察整改情况通报（草稿）", "您好！", USER
    )
    raw = msg.as_bytes()

    assert raw.isascii()  # nothing relies on 8BITMIME or SMTPUTF8
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF throughout, as .eml files are
    for path in (files[0], files[1], pdf):
        # RFC 2231 filename*= for current clients and webmail (found by raw_name_param), and RFC 2047
        # words in name="..." for Outlook before 2007, decoded here the way such a client does.
        assert str(make_header(decode_header(raw_name_param(raw, path.name)))) == path.name
    assert b'\r\n name="=?utf-8?b?' in raw
    assert f"Content-Type: {DOCX};\r\n".encode() in raw  # the type itself is never encoded or split

    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "巡察整改情况通报（草稿）"
    assert parsed["To"].addresses[0].display_name == "张三"
    types = [p.get_content_type() for p in parsed.iter_attachments()]
    assert types == [DOCX, XLSX, "application/pdf"]
    assert [p.get_param("name") for p in parsed.iter_attachments()] == [DOCX_NAME, XLSX_NAME, "整改报告.pdf"]
    assert_attachments(parsed, [*files, pdf])


def test_very_long_name_uses_rfc2231_continuations() -> None:
    # Windows allows 255-character names; one filename*= line of those would pass the 998 limit.
    name = "很长的附件名" * 40 + ".pdf"
    msg = EmailMessage(policy=mail.POLICY)
    msg.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename=name, params={"name": name})
    raw = msg.as_bytes()
    assert b"filename*0*=utf-8''" in raw and b"filename*1*=" in raw
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    part = next(email.message_from_bytes(raw, policy=email.policy.default).iter_attachments())
    assert part.get_filename() == name
    assert part.get_param("name") == name


# --- the .eml --------------------------------------------------------------------------------------


def test_without_mail_config_only_the_eml_is_written(files: list[Path]) -> None:
    result = mail.send_files(files, ["a@example.com"], ["b@example.com"], config=Config(), summary=SUMMARY)

    assert result == mail.MailResult(files[0].with_suffix(".eml"), False, ["a@example.com", "b@example.com"])
    eml = email.message_from_bytes(result.eml.read_bytes(), policy=email.policy.default)
    assert eml["X-Unsent"] == "1"
    assert eml["From"] is None  # the office's own client fills in its account
    assert eml["Subject"] == "开封市机关事务中心巡察整改情况通报（草稿）"
    assert FIGURES in eml.get_body(("plain",)).get_content()
    assert_attachments(eml, files)
    assert not list(files[0].parent.glob(".~ledgerkit-*"))


def test_eml_never_replaces_an_attachment(tmp_path: Path) -> None:
    forwarded = tmp_path / "来文.eml"
    forwarded.write_bytes(b"Subject: x\r\n\r\nbody\r\n")
    result = mail.send_files([forwarded], ["a@example.com"])
    assert result.eml == tmp_path / "来文-邮件.eml"
    assert forwarded.read_bytes() == b"Subject: x\r\n\r\nbody\r\n"


def test_missing_attachment_is_named_and_nothing_is_written(files: list[Path]) -> None:
    missing = files[0].parent / "不存在的通报.docx"
    with pytest.raises(MailError, match=r"找不到要发送的文件.*不存在的通报.docx"):
        mail.send_files([missing, *files], ["a@example.com"])
    assert not list(files[0].parent.glob("*.eml"))


@pytest.mark.parametrize("address", ["张三", "a@", "@example.com", "a b@example.com"])
def test_bad_address_is_refused_before_anything_happens(files: list[Path], address: str) -> None:
    with pytest.raises(MailError, match=r"邮箱地址"):
        mail.send_files(files, [address])
    assert not files[0].with_suffix(".eml").exists()


def test_recipients_come_from_config_and_accept_outlook_separators(files: list[Path]) -> None:
    config = Config(values={"mail": {"to": ["a@example.com；b@example.com"], "cc": ["c@example.com"]}})
    assert mail.send_files(files, [], config=config).recipients == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]
    with pytest.raises(MailError, match=r"没有收件人"):
        mail.send_files(files, [])


# --- sending ---------------------------------------------------------------------------------------


def test_sent_message_arrives_whole(files: list[Path], smtp_server) -> None:
    port, server = smtp_server()
    result = mail.send_files(
        files, ["张三 <a@example.com>"], ["b@example.com"], config=mail_config(port), summary=SUMMARY
    )

    assert result.sent and result.recipients == ["a@example.com", "b@example.com"]
    envelope = server.envelopes[0]
    assert envelope.mail_from == USER
    assert envelope.rcpt_tos == ["a@example.com", "b@example.com"]
    received = server.message()
    assert received["Subject"] == "开封市机关事务中心巡察整改情况通报（草稿）"
    assert received["X-Unsent"] is None  # only the .eml opens as a draft
    assert FIGURES in received.get_body(("plain",)).get_content()
    assert_attachments(received, files)

    eml = email.message_from_bytes(result.eml.read_bytes(), policy=email.policy.default)
    assert_attachments(eml, files)
    assert eml["Message-ID"] == received["Message-ID"]


# aiosmtpd warns that AUTH without TLS is unsafe: true, and wanted here to test the login alone.
plain_auth = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@plain_auth
def test_login_uses_the_password_from_the_named_env_var(files: list[Path], smtp_server, monkeypatch) -> None:
    port, server = smtp_server(authenticator=authenticator, auth_require_tls=False, auth_required=True)
    monkeypatch.setenv("OFFICE_MAIL_PW", PASSWORD)
    config = mail_config(port, user=USER, password_env="OFFICE_MAIL_PW")
    assert mail.send_files(files, ["a@example.com"], subject="台账", config=config).sent
    assert server.message()["Subject"] == "台账"


@plain_auth
def test_wrong_password_is_explained_and_the_eml_kept(files: list[Path], smtp_server, monkeypatch) -> None:
    port, server = smtp_server(authenticator=authenticator, auth_require_tls=False, auth_required=True)
    monkeypatch.setenv("LEDGERKIT_SMTP_PASSWORD", "wrong")
    with pytest.raises(MailError, match=r"拒绝登录.*授权码.*邮件已保存为") as caught:
        mail.send_files(files, ["a@example.com"], config=mail_config(port, user=USER))
    assert str(files[0].with_suffix(".eml")) in caught.value.message
    assert files[0].with_suffix(".eml").is_file()
    assert server.envelopes == []


def test_missing_password_env_var_is_explained(files: list[Path], smtp_server, monkeypatch) -> None:
    port, _ = smtp_server(authenticator=authenticator, auth_require_tls=False)
    monkeypatch.delenv("LEDGERKIT_SMTP_PASSWORD", raising=False)
    with pytest.raises(MailError, match=r"LEDGERKIT_SMTP_PASSWORD.*邮件已保存为"):
        mail.send_files(files, ["a@example.com"], config=mail_config(port, user=USER))
    assert files[0].with_suffix(".eml").is_file()


def test_missing_sender_is_explained(files: list[Path], smtp_server) -> None:
    port, _ = smtp_server()
    config = Config(values={"mail": {"host": HOST, "port": port, "security": "none"}})
    with pytest.raises(MailError, match=r"from"):
        mail.send_files(files, ["a@example.com"], config=config)
    assert files[0].with_suffix(".eml").is_file()


def test_refused_connection_is_explained(files: list[Path]) -> None:
    with socket.socket() as bound:  # bound but not listening: connecting is refused, and the port stays ours
        bound.bind((HOST, 0))
        config = mail_config(bound.getsockname()[1])
        with pytest.raises(MailError, match=r"拒绝连接.*邮件已保存为"):
            mail.send_files(files, ["a@example.com"], config=config)
    assert files[0].with_suffix(".eml").is_file()


def test_refused_recipient_is_named(files: list[Path], smtp_server) -> None:
    port, server = smtp_server(refuse=("nobody@example.com",))
    with pytest.raises(MailError, match=r"拒绝了收件人 nobody@example.com（550"):
        mail.send_files(files, ["nobody@example.com"], config=mail_config(port))
    with pytest.raises(MailError, match=r"已发给 a@example.com，但邮件服务器拒绝了 nobody@example.com"):
        mail.send_files(files, ["a@example.com", "nobody@example.com"], config=mail_config(port))
    assert server.envelopes[0].rcpt_tos == ["a@example.com"]


def test_silent_server_times_out(files: list[Path], monkeypatch) -> None:
    monkeypatch.setattr(mail, "TIMEOUT", 0.5)
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind((HOST, 0))
        silent.listen()
        with pytest.raises(MailError, match=r"0\.5 秒内没有响应"):
            mail.send_files(files, ["a@example.com"], config=mail_config(silent.getsockname()[1]))


def test_ssl_against_a_plain_server_is_explained(files: list[Path], smtp_server) -> None:
    port, _ = smtp_server()
    with pytest.raises(MailError, match=r"加密连接失败.*465 端口用 ssl"):
        mail.send_files(files, ["a@example.com"], config=mail_config(port, security="ssl"))


def test_starttls_then_login(files: list[Path], smtp_server, certificate, monkeypatch) -> None:
    # aiosmtpd offers AUTH only after STARTTLS here, so a sent message proves the order too.
    port, server = smtp_server(
        tls_context=server_tls(certificate), require_starttls=True, authenticator=authenticator
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust our CA, as an office would its own
    monkeypatch.setenv("LEDGERKIT_SMTP_PASSWORD", PASSWORD)
    config = mail_config(port, security="starttls", user=USER)
    assert mail.send_files(files, ["a@example.com"], config=config).sent
    assert_attachments(server.message(), files)


def test_ssl_on_connect(files: list[Path], smtp_server, certificate, monkeypatch) -> None:
    port, server = smtp_server(ssl_context=server_tls(certificate))
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    assert mail.send_files(files, ["a@example.com"], config=mail_config(port, security="ssl")).sent
    assert_attachments(server.message(), files)


def test_untrusted_certificate_is_explained(files: list[Path], smtp_server, certificate, monkeypatch) -> None:
    port, server = smtp_server(tls_context=server_tls(certificate), require_starttls=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[1].parent / "no-such-ca.pem"))
    with pytest.raises(MailError, match=r"无法验证邮件服务器 127.0.0.1 的证书.*SSL_CERT_FILE"):
        mail.send_files(files, ["a@example.com"], config=mail_config(port, security="starttls"))
    assert server.envelopes == []


def test_unknown_security_is_explained(files: list[Path]) -> None:
    with pytest.raises(MailError, match=r"security.*tls.*ssl、starttls 或 none"):
        mail.send_files(files, ["a@example.com"], config=mail_config(1, security="tls"))


# --- the command, end to end -------------------------------------------------------------------


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "HOME": str(cwd), **env}
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit.cli.main", "mail", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def write_toml(path: Path, port: int) -> Path:
    path.write_text(
        f'[mail]\nhost = "{HOST}"\nport = {port}\nsecurity = "none"\nfrom = "{USER}"\n', encoding="utf-8"
    )
    return path


def test_cli_sends_and_says_so(files: list[Path], smtp_server, tmp_path: Path) -> None:
    port, server = smtp_server()
    config = write_toml(tmp_path / "x.toml", port)
    done = run_cli(
        *map(str, files),
        "--to",
        "a@example.com",
        "--cc",
        "b@example.com",
        "--config",
        str(config),
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert f"已保存邮件：{files[0].with_suffix('.eml')}" in done.stdout
    assert "已发送给：a@example.com、b@example.com" in done.stdout
    assert server.envelopes[0].rcpt_tos == ["a@example.com", "b@example.com"]
    assert_attachments(server.message(), files)


def test_cli_refused_connection_exits_2_in_chinese(files: list[Path], tmp_path: Path) -> None:
    with socket.socket() as bound:
        bound.bind((HOST, 0))
        config = write_toml(tmp_path / "x.toml", bound.getsockname()[1])
        done = run_cli(str(files[0]), "--to", "a@example.com", "--config", str(config), cwd=tmp_path)

    assert done.returncode == 2
    assert "拒绝连接" in done.stderr and "邮件已保存为" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert files[0].with_suffix(".eml").is_file()


def test_cli_without_mail_section_keeps_the_eml(files: list[Path], tmp_path: Path) -> None:
    done = run_cli(str(files[1]), "--to", "a@example.com", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "未配置 [mail]，只保存了 .eml" in done.stdout
    assert files[1].with_suffix(".eml").is_file()


def test_cli_missing_file_exits_2_in_chinese(tmp_path: Path) -> None:
    done = run_cli(str(tmp_path / "通报.docx"), "--to", "a@example.com", cwd=tmp_path)
    assert done.returncode == 2
    assert "找不到要发送的文件" in done.stderr
    assert "Traceback" not in done.stderr
