"""serve's safety rules as pure functions (ledgerkit/serve/security.py), tested directly."""

from __future__ import annotations

import io
import zipfile

from hypothesis import given
from hypothesis import strategies as st

from ledgerkit.serve import security


def test_token_from_any_of_query_cookie_header():
    t = security.new_token()
    assert len(t) >= 32
    assert security.token_ok(t, None, t, None)
    assert security.token_ok(t, None, None, t)
    assert not security.token_ok(t, None, None, None)
    assert not security.token_ok(t, "", t[:-1], t + "x")
    assert security.new_token() != t


def test_host_rules_against_dns_rebinding():
    ok = security.host_ok
    assert ok("127.0.0.1:8765", "127.0.0.1")
    assert ok("localhost:8765", "127.0.0.1")
    assert ok("[::1]:8765", "127.0.0.1")
    assert not ok("evil.example:8765", "127.0.0.1")
    assert not ok("evil.example", "127.0.0.1", frozenset({"evil.example"}))  # loopback: names never
    assert not ok(None, "127.0.0.1")
    assert not ok("", "127.0.0.1")
    # Bound for the office network: the machine's own names and any IP literal, no other name.
    names = frozenset({"office-pc"})
    assert ok("office-pc:8765", "0.0.0.0", names)
    assert ok("192.168.1.20:8765", "0.0.0.0", names)
    assert not ok("attacker.example:8765", "0.0.0.0", names)


def test_public_bind():
    assert not security.is_public_bind("127.0.0.1")
    assert not security.is_public_bind("::1")
    assert not security.is_public_bind("localhost")
    assert security.is_public_bind("0.0.0.0")
    assert security.is_public_bind("192.168.1.20")


def test_origin_rule():
    assert security.origin_ok(None, "127.0.0.1:8765")  # a script: it carries the token
    assert security.origin_ok("http://127.0.0.1:8765", "127.0.0.1:8765")
    assert not security.origin_ok("http://evil.example", "127.0.0.1:8765")
    assert not security.origin_ok("null", "127.0.0.1:8765")
    assert not security.origin_ok("http://127.0.0.1:9999", "127.0.0.1:8765")


def test_declared_size():
    assert security.too_large("2000", 1000)
    assert not security.too_large("1000", 1000)
    assert not security.too_large(None, 1000)
    assert not security.too_large("abc", 1000)


def _zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in names.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_type_by_content():
    kind = security.kind_of
    assert kind(security.OLE_MAGIC, None).suffix == ".xls"
    assert kind(b"PK\x03\x04", ["xl/workbook.xml"], b"<Types/>").suffix == ".xlsx"
    assert (
        kind(b"PK\x03\x04", ["xl/workbook.xml"], b"application/vnd.ms-excel.sheet.macroEnabled").suffix
        == ".xlsm"
    )
    assert "Word" in kind(b"PK\x03\x04", ["word/document.xml"]).problem
    assert "压缩文件" in kind(b"PK\x03\x04", ["a.txt"]).problem
    assert "已损坏" in kind(b"PK\x03\x04", None).problem
    assert "不是 Excel 工作簿" in kind(b"<html>", None).problem


def test_names_are_only_names():
    stem = security.safe_stem
    assert stem("../../x.xlsx") == "x"
    assert stem("..\\..\\x.xlsx") == "x"
    assert stem("C:\\Users\\a\\台账.xlsx") == "台账"
    assert stem("~$台账.xlsx") == "台账"
    assert stem(".hidden.xlsx") == "hidden"
    assert stem("台账（清洗）.xlsx") == "台账"
    assert stem("") == "台账"
    assert stem("a:b*c?.xlsx") == "a_b_c_"
    assert stem("CON.xlsx") == "台账-CON"


@given(st.text(max_size=300))
def test_any_name_stays_a_plain_name_inside_folder(name):
    stem = security.safe_stem(name)
    assert stem
    assert not any(c in stem for c in '\\/:*?"<>|')
    assert not stem.startswith((".", "~$", " "))
    assert stem not in {".", ".."}
    assert len(stem) <= security.NAME_CHARS + 3
    assert stem.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}
    assert all(ord(c) >= 32 for c in stem)
