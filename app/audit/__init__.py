"""The auditors' tools (issue 12): search every event of the log across instances and the
administrative chain (``search``), export the result as CSV or .xlsx, streamed (``export``), and
verify the hash chains fully or incrementally, with checkpoints (``integrity``); pages at ``/audit``,
API under ``/api/v1/audit``. Auditors use all of it; process administrators search and export.
See docs/audit.md.
"""
