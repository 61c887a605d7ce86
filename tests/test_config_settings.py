"""Config seams: which unit a ledger belongs to (one rule, the order a parameter), and [mail] / [notice]
parsed into typed settings when the config is loaded."""

from __future__ import annotations

from ledgerkit.config import which_unit


def test_which_unit_config_first_and_ledger_first():
    assert which_unit("台账上的单位", "配置的单位", "config") == "配置的单位"
    assert which_unit("台账上的单位", "配置的单位", "ledger") == "台账上的单位"
    assert which_unit("", "配置的单位", "ledger") == "配置的单位"
    assert which_unit("台账上的单位", None, "config") == "台账上的单位"
    assert which_unit(("", "标题中的单位"), "配置的单位", "ledger") == "标题中的单位"  # in order
    assert which_unit(("  ", ""), "　", "ledger") == ""  # blank is no unit, on either side
    assert which_unit(" 单位 ", "", "config") == " 单位 "  # as written: callers tidy their own way
