"""``python -m ledgerkit``: the same as the ``ledgerkit`` command."""

from .cli.main import main

main()
