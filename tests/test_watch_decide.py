"""The watcher's decisions as pure functions, and its record as typed entries: no process, no folder
for the decisions; a real state file, read back, for the record (and two threads sharing it)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ledgerkit.workflow.watch.decide import (
    RETRY_MAX_SECONDS,
    Action,
    After,
    after_report,
    decide,
    folder_for,
    keeps_record,
    mail_wanted,
    next_retry_delay,
)
from ledgerkit.workflow.watch.state import Entry, MailStatus, State, Status

H1, H2 = "1" * 64, "2" * 64


def done(digest: str = H1, **kw) -> Entry:
    return Entry(hash=digest, folder="台账", status=Status.DONE, outputs={"workbook": "x.xlsx"}, **kw)


def test_a_new_name_is_done_and_says_whose_content_it_shares():
    assert decide(None, H1, False, []).action is Action.DO
    assert decide(None, H1, False, []).why == "新文件"
    same = decide(None, H1, False, ["甲.xlsx"])
    assert same.action is Action.DO and "内容与已处理的 甲.xlsx 相同" in same.why


def test_the_same_content_with_its_outputs_is_skipped_and_other_content_is_done():
    assert decide(done(), H1, True, []).action is Action.SKIP_DONE
    changed = decide(done(), H2, True, [])
    assert changed.action is Action.DO and changed.why == "内容与上次处理的版本不同"


def test_outputs_deleted_means_done_again():
    again = decide(done(), H1, False, [])
    assert (again.action, again.why, again.outputs_gone) == (Action.DO, "重新生成", True)


def test_a_pending_mail_found_again_is_never_resent():
    assert decide(done(mail=MailStatus.PENDING), H1, True, []).resume_mail is True
    assert decide(done(mail=MailStatus.SENT), H1, True, []).resume_mail is False


def test_a_failure_waits_for_new_content_and_a_blocked_folder_is_retried():
    failed = Entry(hash=H1, folder="台账", status=Status.FAILED, error="坏")
    assert decide(failed, H1, False, []).action is Action.SKIP_FAILED
    assert decide(failed, H2, False, []).action is Action.DO
    blocked = Entry(hash=H1, folder="台账", status=Status.BLOCKED)
    assert decide(blocked, H1, False, []).why == "重试"
    assert decide(Entry(hash=H1, status=None), H1, False, []).why == "重新生成"  # a status not known


@given(
    status=st.sampled_from([*Status, None]),
    same_hash=st.booleans(),
    outputs_exist=st.booleans(),
)
def test_only_a_known_outcome_of_this_very_content_is_ever_skipped(status, same_hash, outputs_exist):
    entry = Entry(hash=H1, folder="f", status=status, outputs={"workbook": "x"})
    decision = decide(entry, H1 if same_hash else H2, outputs_exist, [])
    if decision.action is not Action.DO:
        assert same_hash and status in (Status.DONE, Status.FAILED)
        assert status is Status.FAILED or outputs_exist  # done is skipped only while its outputs are there
    else:
        assert decision.why


def test_after_a_report():
    assert after_report(False, False, unchanged=False) is After.VANISHED
    assert after_report(False, True, unchanged=False) is After.VANISHED  # gone beats the folder
    assert after_report(False, True, unchanged=True) is After.BLOCKED
    assert after_report(False, False, unchanged=True) is After.FAILED
    assert after_report(True, False, unchanged=False) is After.DONE_UNSURE
    assert after_report(True, False, unchanged=True) is After.DONE
    assert [a for a in After if not keeps_record(a)] == [After.VANISHED, After.DONE_UNSURE]


def test_folders():
    assert folder_for("台账", set(), "台账", "台账", ".xlsx") == "台账"  # kept across versions
    assert folder_for("台账", {"台账"}, "台账", "台账", ".xlsx") == "台账（xlsx）"  # taken by another name
    assert folder_for("", {"台账", "台账（xlsx）"}, "台账", "台账", ".xlsx") == "台账（xlsx）（2）"
    assert folder_for("", {"abc"}, "ABC", "ABC", ".xls") == "ABC（xls）"  # as Windows compares


def test_retry_delays_double_to_five_minutes():
    delays = [next_retry_delay(None)]
    for _ in range(12):
        delays.append(next_retry_delay(delays[-1]))
    assert delays[:4] == [2.0, 4.0, 8.0, 16.0] and delays[-1] == RETRY_MAX_SECONDS == max(delays)


def test_mail_only_when_wanted_and_there_is_a_notice():
    assert mail_wanted(["a@example.com"], True) is MailStatus.PENDING
    assert not mail_wanted([], True) and not mail_wanted(["a@example.com"], False)


# ---- the record -----------------------------------------------------------------------------


def test_entries_are_typed_and_saved_as_the_earlier_release_wrote_them(tmp_path: Path):
    path = tmp_path / ".ledgerkit-state.json"
    state = State(path)
    state.put("台账.xlsx", hash=H1, folder="台账", status=Status.FAILED, error="坏", outputs=None)
    saved = json.loads(path.read_text(encoding="utf-8"))
    entry = saved["files"]["台账.xlsx"]
    assert saved["version"] == 2 and entry["status"] == "failed" and entry["hash"] == H1
    assert "mail_error" not in entry  # only when a mail failed
    again = State(path).get("台账.xlsx")
    assert again is not None and again.status is Status.FAILED and again.error == "坏"


def test_a_status_this_release_does_not_know_is_read_as_none(tmp_path: Path):
    path = tmp_path / "s.json"
    files = {"a.xlsx": {"hash": H1, "status": "someday", "mail": "??", "outputs": "not a dict"}}
    path.write_text(json.dumps({"version": 2, "files": files}), encoding="utf-8")
    entry = State(path).get("a.xlsx")
    assert entry == Entry(hash=H1, status=None, mail=MailStatus.NONE, outputs=None)


def test_two_holders_of_one_record_keep_each_others_entries(tmp_path: Path):
    """Two State objects on one file (as watch and serve would be), each adding entries from
    its own threads under the lock: every entry survives in the file."""
    path = tmp_path / ".ledgerkit-state.json"
    holders = [State(path), State(path)]

    def add(holder: State, names: list[str]) -> None:
        for name in names:
            with holder.locked():
                holder.put(name, hash=H1, status=Status.DONE)

    threads = [
        threading.Thread(target=add, args=(holders[i % 2], [f"{i}-{n}.xlsx" for n in range(15)]))
        for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(State(path).files) == 60


def test_two_processes_sharing_one_record_keep_each_others_entries(tmp_path: Path):
    """As watch and serve would be: two processes, each adding entries under the outbox's lock."""
    import subprocess
    import sys

    path = tmp_path / ".ledgerkit-state.json"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ledgerkit.workflow.watch.state import State, Status\n"
        "state = State(Path(sys.argv[1]))\n"
        "for n in range(25):\n"
        "    with state.locked():\n"
        "        state.put(f'{sys.argv[2]}-{n}.xlsx', hash='1' * 64, status=Status.DONE)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), tag]) for tag in ("甲", "乙")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    names = set(State(path).files)
    assert len(names) == 50 and {"甲-24.xlsx", "乙-24.xlsx"} <= names


def test_process_file_from_two_processes_at_once(tmp_path: Path):
    """``process_file`` (serve's entry to watch) on two ledgers of one inbox, in two processes at
    once: both are done, each with its own output folder, and the record holds both."""
    import shutil
    import subprocess
    import sys

    from conftest import SAMPLES

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("甲.xlsx", "乙.xlsx"):
        shutil.copy(SAMPLES / "000" / "flat.xlsx", inbox / name)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ledgerkit.workflow.watch import process_file\n"
        "done = process_file(Path(sys.argv[1]))\n"
        "sys.exit(0 if done.decided and done.report is not None else 1)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(inbox / n)]) for n in ("甲.xlsx", "乙.xlsx")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    state = State(tmp_path / "inbox-输出" / ".ledgerkit-state.json")
    assert {n: (e.status, e.folder) for n, e in state.files.items()} == {
        "甲.xlsx": (Status.DONE, "甲"),
        "乙.xlsx": (Status.DONE, "乙"),
    }
    # One after the other (the lock), the second seeing the first's entry in the record.
    log = (tmp_path / "inbox-输出" / "ledgerkit.log").read_text(encoding="utf-8")
    assert log.count("开始处理") == 2 and log.count("完成 ") == 2
    assert "新文件，内容与已处理的" in log  # same content under another name: seen across processes
