"""What each page shows, built from the page records (folder.Record) and combine's JSON.

Pure: plain dicts in, plain dicts out for the templates. Every figure's text is stated by
``formats`` (the rate as the CLI states it, ``61.1%``), so the page, the CLI line and the notice
never disagree. URLs of pages and downloads are made here, once (``links``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import formats
from ..figures import DUE_SOON_DAYS
from .folder import Record

FIGURES = (
    ("issues", "具体问题"),
    ("issues_done", "已完成整改"),
    ("completion_rate", "完成率"),
    ("measures", "整改措施"),
    ("measures_done", "已完成措施"),
    ("overdue", "逾期措施"),
    ("due_soon", f"{DUE_SOON_DAYS}天内到期"),
)
FINDINGS_SHOWN = 300  # a page stays readable; the cleaned workbook's 校验结果 has them all


def page_url(folder: str) -> str:
    return f"/ledgers/{quote(folder, safe='')}"


def links(record: Record) -> dict[str, str | None]:
    """The manifest's ``links``: the page and the downloads the server wrote."""
    base = f"/download/ledger/{quote(record.folder, safe='')}"
    outputs = (record.manifest or {}).get("outputs") or {}
    return {
        "workbook": f"{base}/workbook" if outputs.get("workbook") else None,
        "notice": f"{base}/notice" if outputs.get("notice") else None,
        "page": page_url(record.folder),
    }


def api_item(record: Record) -> dict[str, Any]:
    """``report --json``'s manifest plus ``links``; for a file that is no ledger, the folder
    report's error entry (``{"file", "error", "outputs": null, …}``) plus ``links``."""
    if record.manifest is not None:
        return {**record.manifest, "links": links(record)}
    return {
        "file": record.name,
        "error": record.error,
        "outputs": None,
        "summary": None,
        "findings": None,
        "links": links(record),
    }


def figures(summary: dict[str, Any]) -> list[dict[str, str]]:
    """Each figure's key, label and text as the CLI states it."""
    counts = {
        "issues": str(summary["issues"]),
        "issues_done": str(summary["issues_done"]),
        "measures": str(summary["measures"]),
        "measures_done": str(summary["measures_done"]),
        "completion_rate": formats.percent(summary["issues_done"], summary["issues"]),
        "overdue": str(_count(summary["overdue"])),
        "due_soon": str(_count(summary["due_soon"])),
    }
    return [{"key": k, "label": label, "text": counts[k]} for k, label in FIGURES]


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else int(value)


def _date(iso: str) -> str:
    try:
        return formats.cn_date(date.fromisoformat(iso))
    except (TypeError, ValueError):
        return iso or ""


def ledger_view(record: Record) -> dict[str, Any]:
    """The ledger's page: figures, findings, changes, overdue and due-soon lists, downloads."""
    view: dict[str, Any] = {"name": record.name, "links": links(record), "error": record.error}
    manifest = record.manifest
    if manifest is None:
        view["title"] = record.name
        return view
    s = manifest["summary"]
    errors = manifest["findings"]["errors"]
    view.update(
        title=s.get("unit") or record.name,
        as_of=_date(s["as_of"]),
        sentence=formats.figures_sentence(
            _iso(s["as_of"]), s["issues"], s["issues_done"], s["measures"], s["measures_done"]
        ),
        figures=figures(s),
        errors=errors,
        warnings=manifest["findings"]["warnings"],
        findings=[_finding(f) for f in record.findings[:FINDINGS_SHOWN]],
        findings_more=max(0, len(record.findings) - FINDINGS_SHOWN),
        changes=record.change_lines if "changes" in manifest else None,
        overdue=[_due(d) for d in s["overdue"]],
        due_soon=[_due(d) for d in s["due_soon"]],
        messages=[m for m in record.messages if not m.startswith("通报草稿中以下内容待填写")],
        missing=[m for m in record.messages if m.startswith("通报草稿中以下内容待填写")],
        due_soon_days=DUE_SOON_DAYS,
    )
    return view


def _iso(text: str) -> date:
    return date.fromisoformat(text)


def _finding(f: dict[str, str]) -> dict[str, str]:
    where = formats.position(f["sheet"], f["cell"]) if f.get("sheet") and f.get("cell") else f.get("cell", "")
    return {
        "code": f["code"],
        "cell": f.get("cell", ""),
        "where": where,
        "severity": "错误" if f["severity"] == "error" else "提醒",
        "kind": f["severity"],
        "message": f["message"],
        "hint": f.get("hint", ""),
    }


def _due(d: dict[str, Any]) -> dict[str, str]:
    return {
        "seq": str(d.get("seq", "")),
        "issue": d.get("issue", ""),
        "measure": d.get("measure", ""),
        "deadline": _date(d.get("deadline", "")),
        "department": d.get("department", ""),
        "owner": d.get("owner", ""),
        "days": str(d.get("days_overdue", "")),
    }


def home_row(record: Record) -> dict[str, Any]:
    """One line of the home page: the file, its unit and latest figures, or its error."""
    row: dict[str, Any] = {"name": record.name, "page": page_url(record.folder), "error": record.error}
    if record.manifest is not None:
        s = record.manifest["summary"]
        row.update(
            unit=s.get("unit") or "",
            as_of=_date(s["as_of"]),
            figures={f["key"]: f["text"] for f in figures(s)},
            errors=record.manifest["findings"]["errors"],
            warnings=record.manifest["findings"]["warnings"],
            changed=bool(record.change_lines),
        )
    return row


def combined_view(data: dict[str, Any], as_of: date) -> dict[str, Any]:
    """combine's table: a row per unit (lowest rate first, as combine orders them), the total."""

    def row(u: dict[str, Any]) -> dict[str, str]:
        return {
            "unit": u.get("unit", "合计"),
            "file": u.get("file", ""),
            "issues": str(u["issues"]),
            "issues_done": str(u["issues_done"]),
            "completion_rate": formats.percent(u["issues_done"], u["issues"]),
            "measures": str(u["measures"]),
            "measures_done": str(u["measures_done"]),
            "overdue": str(u["overdue"]),
            "due_soon": str(u["due_soon"]),
            "errors": str(u["errors"]),
        }

    units = data.get("units") or []
    return {
        "error": data.get("error", ""),
        "units": [row(u) for u in units],
        "total": row({**data["total"], "unit": "合计"}) if units else None,
        "superseded": [
            {"name": Path(x["file"]).name, "unit": x["unit"], "by": Path(x["by"]).name}
            for x in data.get("superseded") or []
        ],
        "unreadable": [{"name": Path(x["file"]).name, **x} for x in data.get("unreadable") or []],
        "outputs": data.get("outputs") or {},
        "due_soon_days": DUE_SOON_DAYS,
        "as_of": formats.cn_date(as_of),
        "as_of_iso": as_of.isoformat(),
    }
