"""Workflow: report one ledger or a folder, the outputs' names, history, the watched inbox, mail, init."""
