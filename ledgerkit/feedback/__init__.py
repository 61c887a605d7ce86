"""The inspection group's feedback (巡察反馈意见) → the office's first ledger (``init --from``).

``read`` turns a .docx or .txt into paragraphs and tables (the only stage that touches the file);
``parse`` turns those into the hierarchy of aspects → problems → issues, and ``facts`` reads who
inspected whom and when from the opening sentence. Both are pure. Writing the ledger is the
blank template's writer (``workbook.template``); the folder is ``workflow.init``'s.
"""
