"""The facts of a feedback's opening sentence. Pure.

"根据市委统一部署，市委第三巡察组于2024年7月30日至9月14日对中共XX局党组进行了常规巡察" says the
committee (市委), the group (市委第三巡察组), the dates (an end without a year takes the start's),
the unit inspected and the kind (常规巡察; a bare "巡察" names none). What is not said is not
guessed: each fact is found or absent. The unit is named as written ("中共XX局党组", the issuer of
the office's notices) and without its party organ ("XX局", the unit's name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_NUM = "一二三四五六七八九十百零〇"
_GROUP = re.compile(
    rf"((?:[\u4e00-\u9fff]{{0,12}}?)(省委|市委|州委|盟委|县委|区委|旗委|党委|党组))第[{_NUM}\d]+巡察组"
)
_DEPLOYED = re.compile(
    r"根据([\u4e00-\u9fff]{1,12}?(?:省委|市委|州委|盟委|县委|区委|旗委|党委|党组))(?:统一)?(?:部署|安排)"
)
_DAY = r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_SPAN = re.compile(rf"于?\s*{_DAY}\s*(?:至|到|—|-|～|~)\s*{_DAY}")
_TARGET = re.compile(
    r"对\s*([^，,。；;]{2,60}?)\s*(?:党组织|领导班子及其成员)?\s*(?:进行了?|开展了?|实施了?)\s*(?:为期[^，,。]{1,10}的)?"
    r"((?:常规|专项|机动|提级|交叉|联动|延伸)?巡察(?:[“\"]回头看[”\"])?)"
)
_PARTY_PREFIX = re.compile(r"^中共")
_SUBORDINATES = re.compile(r"(?:及其|及|和)(?:所属|下属|直属)[\u4e00-\u9fff]{0,6}$")  # "…党组及所属单位"
_PARTY_SUFFIX = re.compile(r"(?:党组|党委|党总支|党支部|机关党委|党工委|领导班子)+$")


@dataclass(frozen=True, slots=True)
class Facts:
    unit: str = ""  # the unit's name: "XX局"
    issuer: str = ""  # as the feedback names it when it names its party organ: "中共XX局党组"
    committee: str = ""
    group: str = ""
    kind: str = ""
    start: date | None = None
    end: date | None = None

    def config(self) -> dict[str, dict[str, str | date]]:
        """The facts found, by ledgerkit.toml section and key."""
        unit = {"name": self.unit, "issuer": self.issuer}
        inspection = {
            "committee": self.committee,
            "group": self.group,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
        }
        return {
            "unit": {k: v for k, v in unit.items() if v},
            "inspection": {k: v for k, v in inspection.items() if v},
        }


def find_facts(lines: list[str]) -> Facts:
    """The facts of the sentence that says most about who inspected whom and when (the first of
    equals): the opening sentence, not a title that only names the group."""
    best, most = Facts(), 0
    for line in lines:
        for sentence in re.split(r"(?<=[。；;！!])", line):
            if "巡察" not in sentence:
                continue
            found = facts_of(sentence)
            n = sum(len(keys) for keys in found.config().values())
            if n > most:
                best, most = found, n
    return best


def facts_of(sentence: str) -> Facts:
    group = _GROUP.search(sentence)
    committee = group[2] if group else ""
    if group and group[1] != group[2]:  # "中共XX市委第三巡察组": the committee is as written before 第
        committee = group[1]
    if not committee:
        deployed = _DEPLOYED.search(sentence)
        committee = deployed[1] if deployed else ""
    start, end = _dates(sentence)
    target = _TARGET.search(sentence)
    unit = issuer = kind = ""
    if target:
        written = _SUBORDINATES.sub("", target[1].strip())
        unit = _PARTY_SUFFIX.sub("", _PARTY_PREFIX.sub("", written)) or written
        issuer = written if written != unit else ""
        kind = target[2] if target[2] != "巡察" else ""
    return Facts(unit, issuer, committee, group[0] if group else "", kind, start, end)


def _dates(sentence: str) -> tuple[date | None, date | None]:
    m = _SPAN.search(sentence)
    if not m or not m[1]:
        return None, None
    year = int(m[1])
    try:
        start = date(year, int(m[2]), int(m[3]))
        end = date(int(m[4]) if m[4] else year, int(m[5]), int(m[6]))
    except ValueError:
        return None, None
    if end < start and not m[4]:  # "12月1日至1月15日": the end is in the next year
        try:
            end = date(year + 1, end.month, end.day)
        except ValueError:
            return None, None
    return (start, end) if start <= end else (None, None)
