"""Parsing rules of the domain: dates, statuses, numbering, numbered measure lists."""

from datetime import date, datetime

import pytest

from ledgerkit.text import (
    canonical_status,
    clean,
    nearest_status,
    parse_date,
    split_numbered,
    strip_numbering,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime(2025, 3, 1, 0, 0), date(2025, 3, 1)),
        (date(2025, 3, 1), date(2025, 3, 1)),
        (45717.0, date(2025, 3, 1)),  # Excel serial stored as a plain number
        ("45717", date(2025, 3, 1)),
        ("2025.3.1", date(2025, 3, 1)),
        ("2025/03/01", date(2025, 3, 1)),
        ("2025-03-01", date(2025, 3, 1)),
        ("20250301", date(2025, 3, 1)),
        ("2025年3月1日", date(2025, 3, 1)),
        ("２０２５年３月１日", date(2025, 3, 1)),
        ("2025 年 3 月 1 日", date(2025, 3, 1)),
        ("2024年12月底前", date(2024, 12, 31)),
        ("2025年2月底前", date(2025, 2, 28)),
        ("2025年3月", date(2025, 3, 31)),
        ("2025年1月9日前", date(2025, 1, 9)),
        ("限期整改，2025年6月底前", date(2025, 6, 30)),
    ],
)
def test_dates_in_every_form(raw, expected):
    assert parse_date(raw, deadline=True).value == expected


@pytest.mark.parametrize(
    ("raw", "word"), [("立行立改", "立行立改"), ("长期坚持", "长期坚持"), (" 长期坚持 ", "长期坚持")]
)
def test_deadline_words(raw, word):
    parsed = parse_date(raw, deadline=True)
    assert (parsed.value, parsed.word, parsed.valid) == (None, word, True)


@pytest.mark.parametrize("raw", ["2025年13月45日", "2025.2.30", "下周", "xx"])
def test_impossible_dates_are_invalid(raw):
    assert parse_date(raw, deadline=True).valid is False


@pytest.mark.parametrize("raw", ["", "/", "无", "—"])
def test_blank_markers_are_no_date(raw):
    parsed = parse_date(raw)
    assert parsed.value is None and parsed.valid


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("已完成", "已完成"),
        ("已 完成", "已完成"),
        ("\u3000已完成 ", "已完成"),
        ("已销号", "已完成"),
        ("已整改", "已完成"),
        ("基本完成", "阶段性完成"),
        ("整改中", "正在推进"),
        ("未完成", "正在推进"),
        ("长期推进", "长期坚持"),
        ("未启动", "未开始"),
    ],
)
def test_status_vocabulary(written, canonical):
    assert canonical_status(written) == canonical


def test_unknown_status_has_a_nearest_word():
    assert canonical_status("完了") is None
    assert nearest_status("已完") == "已完成"


@pytest.mark.parametrize(
    ("title", "stripped"),
    [
        ("一、加强党的建设方面", "加强党的建设方面"),
        ("（一）整改责任落实不到位", "整改责任落实不到位"),
        ("(二) 学习不深", "学习不深"),
        ("1. 履行职能责任不够到位", "履行职能责任不够到位"),
        ("1、履行职能", "履行职能"),
        ("（2）消防安全设施管理不规范", "消防安全设施管理不规范"),
        ("①组织维修", "组织维修"),
        ("问题1.学、思、用融汇贯通不够", "学、思、用融汇贯通不够"),
        ("（1）具体表现：深化改革不到位", "深化改革不到位"),
        ("2020年3月以来，未专题研究", "2020年3月以来，未专题研究"),
    ],
)
def test_numbering_is_not_part_of_the_title(title, stripped):
    assert strip_numbering(title) == stripped


@pytest.mark.parametrize(
    ("cell", "items"),
    [
        ("①加强学习；②建立制度；③开展检查", ["加强学习", "建立制度", "开展检查"]),
        ("一是推动整改常态化。二是融入日常工作。", ["推动整改常态化。", "融入日常工作。"]),
        ("1.建立台账\n2.完善制度\n3.加强监督", ["建立台账", "完善制度", "加强监督"]),
        ("召开2024年第14次党组会，研究整改", ["召开2024年第14次党组会，研究整改"]),
        ("②先写了二\n①再写一", ["②先写了二\n①再写一"]),  # out of order: not a list
        ("完成2.5万元支出和1.2万元核销", ["完成2.5万元支出和1.2万元核销"]),
    ],
)
def test_numbered_measures_split_only_when_in_sequence(cell, items):
    assert split_numbered(cell) == items


def test_clean_trims_and_drops_escaped_cr():
    assert clean("\u3000 已完成 _x000D_\n") == "已完成"
    assert clean("第一行_x000D_\n第二行") == "第一行\n第二行"
    assert clean(5.0) == "5"


@pytest.mark.parametrize("raw", [1, 12, 3.5, "12", "3.5", 99999999])
def test_small_numbers_are_not_dates(raw):
    assert parse_date(raw, deadline=True).valid is False


def test_one_numbering_grammar_and_one_set_of_blank_marks():
    """issue 20: the notice's line joins and the reader share text.starts_numbered and
    text.not_applicable (the notice had its own ENUM_START and BLANK_VALUES)."""
    from ledgerkit.notice.hygiene import is_numbered, split_lines
    from ledgerkit.text import not_applicable, starts_numbered

    for numbered in (
        "一是加强学习",
        "①建立台账",
        "（1）制定方案",
        "(一)健全制度",
        "1、完善",
        "1.落实",
        "一、总体",
        "问题1.整改",
    ):
        assert starts_numbered(numbered) and is_numbered(numbered)
    for plain in ("1.5万元已拨付", "2025年完成", "十分重视", "是否销号"):
        assert not starts_numbered(plain)
    assert split_lines("召开专题会议\n二是制定方案") == ["召开专题会议；二是制定方案"]
    assert split_lines("召开专题会议\n制定方案") == ["召开专题会议，制定方案"]
    for blank in ("/", "／", "-", "－", "—", "——", "无", "暂无"):
        assert not_applicable(blank)
