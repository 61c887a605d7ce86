"""``ledgerkit serve`` over real HTTP: the real server on 127.0.0.1 (port 0) and http.client.

Upload a sample and read its manifest, download both outputs and open them, a file that is no
ledger, a second version (the first kept byte for byte, the changes said), a file copied into
FOLDER by hand, 12 uploads at once, the combined figures, and each safety rule with its status.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import SAMPLES, load_truth
from serving import Client, multipart, start, stop

MIDWAY = SAMPLES / "000" / "merged_midway.xlsx"
FLAT = SAMPLES / "000" / "flat.xlsx"
AS_OF = load_truth(MIDWAY)["as_of"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve") / "台账收件"
    folder.mkdir()
    running, thread, client = start(folder, max_upload_mb=1)
    yield folder, client
    stop(running, thread)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def second_version(src: Path, target: Path) -> Path:
    """The same ledger a week later: one measure 正在推进 → 已完成 (openpyxl, saved anew)."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == "正在推进":
                    cell.value = "已完成"
                    wb.save(target)
                    return target
    raise AssertionError("no 正在推进 in the sample")


# ---- uploading, reading, downloading --------------------------------------------------------


def test_upload_answers_the_manifest_with_links_and_the_truths_figures(served):
    folder, client = served
    answer = client.upload(MIDWAY.read_bytes(), MIDWAY.name, AS_OF)
    assert answer.status == 200, answer.text
    got = answer.json()
    truth = load_truth(MIDWAY)
    assert set(got) >= {"file", "outputs", "summary", "findings", "links"}
    for key in ("issues", "issues_done", "measures", "measures_done", "completion_rate"):
        assert got["summary"][key] == truth[key], key
    assert len(got["summary"]["overdue"]) == truth["overdue"]
    assert got["summary"]["as_of"] == AS_OF
    assert set(got["links"]) == {"workbook", "notice", "page"}
    assert (folder / MIDWAY.name).read_bytes() == MIDWAY.read_bytes()  # the input as sent
    # The same manifest `report --json` gives for this file into the same kind of folder.
    cli = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "report", str(folder / MIDWAY.name), "--as-of", AS_OF, "--json",
         "-o", str(folder.parent / "cli-out")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert json.loads(cli.stdout)["summary"] == got["summary"] | {"file": str(folder / MIDWAY.name)}


def test_the_listing_and_the_page_show_the_same_figures(served):
    _folder, client = served
    listed = client.get("/api/ledgers").json()["files"]
    mine = next(f for f in listed if Path(f["file"]).name == MIDWAY.name)
    page = client.get(mine["links"]["page"])
    assert page.status == 200
    assert 'data-figure="completion_rate">61.1%<' in page.text
    assert f'data-figure="issues">{mine["summary"]["issues"]}<' in page.text
    assert 'data-download="workbook"' in page.text and 'data-download="notice"' in page.text
    home = client.get("/")
    assert MIDWAY.name in home.text and "61.1%" in home.text


def test_both_downloads_open_and_only_the_servers_files_are_served(served):
    import docx
    import openpyxl

    _folder, client = served
    mine = client.get("/api/ledgers").json()["files"][0]
    workbook = client.get(mine["links"]["workbook"])
    assert workbook.status == 200 and "attachment" in workbook.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(workbook.body))
    assert "汇总" in wb.sheetnames
    notice = client.get(mine["links"]["notice"])
    assert notice.status == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(notice.body)).paragraphs)
    assert "开封市机关事务中心" in text
    folder_part = mine["links"]["workbook"].rsplit("/", 1)[0]
    for path in (
        f"{folder_part}/state",
        "/download/ledger/..%2F..%2Fetc/workbook",
        "/download/ledger/nothing/notice",
    ):
        assert client.get(path).status == 404, path


def test_a_file_that_is_no_ledger_gets_its_sentence_never_a_traceback(served):
    folder, client = served
    answer = client.upload("序号,问题\n1,x\n".encode(), "假台账.xlsx")
    assert answer.status == 422
    assert "不是 Excel 工作簿" in answer.json()["error"]
    assert not (folder / "假台账.xlsx").exists()  # refused by content: never written
    page = client.upload(
        "序号,问题\n".encode(), "假台账.xlsx", path="/upload", headers={"Accept": "text/html"}
    )
    assert page.status == 422 and "data-error" in page.text and "Traceback" not in page.text
    # A workbook that opens but holds no ledger: kept, reported as watch does (错误报告.txt).
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "会议签到表"
    buf = io.BytesIO()
    wb.save(buf)
    answer = client.upload(buf.getvalue(), "签到表.xlsx")
    assert answer.status == 422
    assert "表头" in answer.json()["error"]
    outbox = folder.with_name(f"{folder.name}-输出")
    assert (outbox / "签到表" / "错误报告.txt").exists()


def test_the_findings_are_rows_with_code_and_cell_as_check_gives_them(served, tmp_path):
    import openpyxl

    _folder, client = served
    wb = openpyxl.load_workbook(MIDWAY)
    spoilt = 0
    for row in wb.worksheets[0].iter_rows():
        for cell in row:
            if cell.value == "正在推进" and spoilt < 2:
                cell.value, spoilt = "已完了", spoilt + 1
    bad = tmp_path / "有错误.xlsx"
    wb.save(bad)
    answer = client.upload(bad.read_bytes(), bad.name, AS_OF).json()
    assert answer["findings"]["errors"] == 2
    check = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "check", str(bad), "--json", "--as-of", AS_OF],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    checked = json.loads(check.stdout)
    expected = [(f["code"], f["cell"]) for f in checked["errors"] + checked["warnings"]]
    page = client.get(answer["links"]["page"]).text
    import re

    rows = re.findall(r'<tr data-code="([^"]+)" data-cell="([^"]*)">', page)
    assert sorted(rows) == sorted(expected)  # every finding a row, errors and warnings alike
    assert [r for r in rows if r[0] == "status-unknown"] == [r for r in expected if r[0] == "status-unknown"]
    assert len([r for r in rows if r[0] == "status-unknown"]) == 2
    assert "台账有 2 处错误，下面的数字可能不准确" in page


def test_a_second_version_keeps_the_first_and_says_what_changed(served, tmp_path):
    folder, client = served
    before = _sha(folder / MIDWAY.name)
    newer = second_version(MIDWAY, tmp_path / MIDWAY.name)
    answer = client.upload(newer.read_bytes(), MIDWAY.name, AS_OF)
    assert answer.status == 200, answer.text
    got = answer.json()
    assert Path(got["file"]).name == "merged_midway（2）.xlsx"
    assert _sha(folder / MIDWAY.name) == before  # the first version, byte for byte
    assert (folder / "merged_midway（2）.xlsx").read_bytes() == newer.read_bytes()
    assert got["changes"]["old"]  # compared with the remembered first version
    page = client.get(got["links"]["page"]).text
    assert "data-changes" in page
    # The same bytes again are that very file, not a third copy.
    again = client.upload(newer.read_bytes(), MIDWAY.name, AS_OF).json()
    assert Path(again["file"]).name == "merged_midway（2）.xlsx"
    assert not (folder / "merged_midway（3）.xlsx").exists()


def test_a_ledger_copied_in_by_hand_shows_up_like_an_uploaded_one(served):
    folder, client = served
    (folder / "手工放入.xlsx").write_bytes(FLAT.read_bytes())
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        names = [Path(f["file"]).name for f in client.get("/api/ledgers").json()["files"]]
        if "手工放入.xlsx" in names:
            break
        time.sleep(0.5)
    assert "手工放入.xlsx" in names
    state = json.loads((folder.with_name(f"{folder.name}-输出") / ".ledgerkit-state.json").read_text("utf-8"))
    assert state["files"]["手工放入.xlsx"]["status"] == "done"  # kept as watch keeps it


def test_twelve_uploads_at_once_are_all_processed(served):
    _folder, client = served
    content = FLAT.read_bytes()
    names = [f"单位{i:02d}.xlsx" for i in range(12)]
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda n: client.upload(content, n, AS_OF), names))
    assert [a.status for a in answers] == [200] * 12
    assert sorted(Path(a.json()["file"]).name for a in answers) == names
    listed = {Path(f["file"]).name for f in client.get("/api/ledgers").json()["files"]}
    assert set(names) <= listed
    for a in answers:
        assert Path(a.json()["outputs"]["workbook"]).is_file()


def test_combined_answers_combines_json(served, tmp_path):
    folder, client = served
    got = client.get(f"/api/combined?as_of={AS_OF}").json()
    cli = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "combine", str(folder), "--json", "--as-of",
         AS_OF, "-o", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    expected = json.loads(cli.stdout)
    assert set(got) == set(expected)
    assert got["units"] == expected["units"] and got["total"] == expected["total"]
    page = client.get(f"/combined?as_of={AS_OF}").text
    assert 'data-download="workbook"' in page and "统计截止" in page
    assert client.get(f"/download/combined/workbook?as_of={AS_OF}").status == 200
    assert client.get("/api/combined?as_of=2025-13-40").status == 400
    # The date forms the CLI's --as-of and the ledgers take (text.whole_day, one parser).
    y, m, d = (int(x) for x in AS_OF.split("-"))
    written = urllib.parse.quote(f"{y}年{m}月{d}日")
    answer = client.get(f"/api/combined?as_of={written}")
    assert answer.status == 200, (answer.status, answer.body[:300])
    assert answer.json()["total"] == expected["total"]


# ---- the safety rules ------------------------------------------------------------------------


def test_without_the_token_403_with_the_sentence(served):
    _folder, client = served
    answer = client.get("/api/ledgers", token=False)
    assert answer.status == 403
    assert "请打开启动 ledgerkit serve 时显示的完整网址" in answer.json()["error"]
    assert client.get("/", token=False, headers={"X-Ledgerkit-Token": "wrong"}).status == 403
    assert client.upload(FLAT.read_bytes(), "x.xlsx", token=False).status == 403


def test_the_first_visit_sets_an_httponly_strict_cookie_that_then_suffices(served):
    _folder, client = served
    first = client.get(f"/?token={client.token}", token=False)
    assert first.status == 303 and first.headers["location"] == "/"
    cookie = first.cookies[0]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    pair = cookie.split(";", 1)[0]
    assert pair == f"ledgerkit_token={client.token}"
    assert client.get("/", token=False, headers={"Cookie": pair}).status == 200


def test_another_host_name_is_refused(served):
    _folder, client = served
    assert client.get("/api/ledgers", headers={"Host": "evil.example"}).status == 400
    assert client.get("/api/ledgers", headers={"Host": f"localhost:{client.port}"}).status == 200


def test_a_post_from_another_site_is_refused(served):
    _folder, client = served
    evil = client.upload(FLAT.read_bytes(), "x.xlsx", headers={"Origin": "http://evil.example"})
    assert evil.status == 403 and "其他网站" in evil.json()["error"]
    own = {"Origin": f"http://127.0.0.1:{client.port}"}
    assert client.upload(FLAT.read_bytes(), "同源.xlsx", AS_OF, headers=own).status == 200


def test_over_the_limit_413_and_nothing_written(served):
    folder, client = served
    big = b"PK\x03\x04" + b"0" * (1024 * 1024 + 10)
    before = set(folder.iterdir())
    answer = client.upload(big, "大文件.xlsx")
    assert answer.status == 413 and "上传限制" in answer.json()["error"]
    # Streamed without a length (chunked): counted as it arrives, stopped at the limit.
    body, content_type = multipart({}, big, "大文件.xlsx")
    conn = http.client.HTTPConnection(client.host, client.port, timeout=60)
    conn.putrequest("POST", "/api/ledgers")
    for k, v in {
        "Content-Type": content_type,
        "Transfer-Encoding": "chunked",
        "X-Ledgerkit-Token": client.token,
    }.items():
        conn.putheader(k, v)
    conn.endheaders()
    try:
        for i in range(0, len(body), 65536):
            part = body[i : i + 65536]
            conn.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer and close before the whole body is sent
    assert conn.getresponse().status == 413
    conn.close()
    assert set(folder.iterdir()) == before  # no file, no temporary left


def test_a_name_is_only_a_name(served):
    folder, client = served
    answer = client.upload(FLAT.read_bytes(), "../../逃出.xlsx", AS_OF)
    assert answer.status == 200
    assert (folder / "逃出.xlsx").is_file()
    assert not (folder.parent.parent / "逃出.xlsx").exists()
    assert Path(answer.json()["file"]).parent == folder


def test_type_by_content_an_xls_named_xlsx_is_kept_as_xls(served):
    folder, client = served
    legacy = SAMPLES / "001" / "legacy_midway.xls"
    answer = client.upload(legacy.read_bytes(), "旧格式.xlsx", AS_OF)
    assert answer.status == 200, answer.text
    assert (folder / "旧格式.xls").read_bytes() == legacy.read_bytes()


def test_no_page_fetches_anything_from_the_internet():
    templates = Path(__file__).resolve().parent.parent / "ledgerkit" / "serve" / "templates"
    for page in templates.glob("*.html"):
        text = page.read_text("utf-8")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, page.name


def test_help_does_not_import_the_web_parts():
    code = "import sys; from ledgerkit.cli.main import app; print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2', 'python_multipart') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_client_helper_sanity():
    assert Client("http://127.0.0.1:1", "t").port == 1


def test_a_worker_killed_under_the_server_costs_nothing(tmp_path):
    """The pool is made anew and the file done again: the upload is answered, none lost."""
    import os
    import signal

    folder = tmp_path / "收件"
    folder.mkdir()
    running, thread, client = start(folder)
    try:
        worker = next(iter(running.server.kept.pool._processes))
        os.kill(worker, signal.SIGKILL)  # as the OOM killer would
        time.sleep(0.5)
        answer = client.upload(FLAT.read_bytes(), FLAT.name, AS_OF)
        assert answer.status == 200, answer.text
        assert answer.json()["summary"]["issues"] == load_truth(FLAT)["issues"]
        log = (folder.with_name("收件-输出") / "ledgerkit.log").read_text("utf-8")
        assert "子进程意外退出，已重新启动" in log
        assert client.upload(MIDWAY.read_bytes(), MIDWAY.name, AS_OF).status == 200  # the new pool works on
    finally:
        stop(running, thread)


def test_two_new_versions_at_once_each_compared_with_the_one_recorded_before_it(tmp_path):
    """Reports run in parallel, but the record is watch's, one at a time: the version recorded
    second is compared with the one recorded first, never both with the old one."""
    import openpyxl

    folder = tmp_path / "收件"
    folder.mkdir()
    running, thread, client = start(folder)
    try:
        assert client.upload(MIDWAY.read_bytes(), MIDWAY.name, AS_OF).status == 200
        versions = []
        for n in (1, 2):
            wb = openpyxl.load_workbook(MIDWAY)
            done = 0
            for row in wb.worksheets[0].iter_rows():
                for cell in row:
                    if cell.value == "正在推进" and done < n:
                        cell.value, done = "已完成", done + 1
            target = tmp_path / f"v{n}.xlsx"
            wb.save(target)
            versions.append(target.read_bytes())
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda c: client.upload(c, MIDWAY.name, AS_OF).json(), versions))
        state = json.loads((folder.with_name("收件-输出") / ".ledgerkit-state.json").read_text("utf-8"))
        ledger = state["ledgers"]["单位：开封市机关事务中心"]
        latest = ledger["current"]["source"]
        second = next(a for a in answers if Path(a["file"]).name == latest)
        first = next(a for a in answers if a is not second)
        assert ledger["previous"]["source"] == Path(first["file"]).name
        assert Path(first["changes"]["old"]["file"]).name.endswith(".xlsx")
        # The one recorded second names the first one's remembered copy as its old version.
        assert second["changes"]["old"]["file"] != first["changes"]["old"]["file"]
    finally:
        stop(running, thread)


def test_a_file_watch_recorded_before_shows_up_without_watchs_record_changing(tmp_path):
    from ledgerkit.workflow.watch import process_file

    folder = tmp_path / "收件"
    folder.mkdir()
    (folder / FLAT.name).write_bytes(FLAT.read_bytes())
    assert process_file(folder / FLAT.name).decided  # `watch` did it, before any page existed
    state_file = folder.with_name("收件-输出") / ".ledgerkit-state.json"
    before = json.loads(state_file.read_text("utf-8"))["files"][FLAT.name]
    running, thread, client = start(folder)
    try:
        deadline = time.monotonic() + 40
        listed: list = []
        while time.monotonic() < deadline and not listed:
            listed = client.get("/api/ledgers").json()["files"]
            time.sleep(0.5)
        assert [Path(f["file"]).name for f in listed] == [FLAT.name]
        assert listed[0]["summary"]["issues"] == load_truth(FLAT)["issues"]
        assert json.loads(state_file.read_text("utf-8"))["files"][FLAT.name] == before
    finally:
        stop(running, thread)
