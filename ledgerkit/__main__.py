"""``python -m ledgerkit``: the same as the ``ledgerkit`` command."""

from .cli import main

main()
