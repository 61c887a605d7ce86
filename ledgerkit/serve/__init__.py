"""``ledgerkit serve FOLDER``: a local page over a folder kept as ``watch`` keeps it.

- ``run.py``: the bound socket, uvicorn, start and stop; ``app.py``: the Starlette routes;
  ``security.py``: the safety rules as pure functions; ``upload.py``: an upload streamed into
  FOLDER; ``folder.py``: the one place serve meets watch (its ``Inbox.process``) and the report pool;
  ``views.py``: what each page shows; ``templates/``: the pages (Jinja2, inline CSS and JS,
  nothing fetched from the internet).

Only ``ledgerkit serve`` imports this package (starlette, uvicorn, jinja2, python-multipart),
so ``ledgerkit --help`` never pays for them.
"""
