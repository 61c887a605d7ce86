"""ledgerkit: read 巡察整改台账 workbooks as offices keep them, check them, count them, report them."""

__version__ = "0.1.0"
