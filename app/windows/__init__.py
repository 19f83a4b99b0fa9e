"""年度申报时间与政策设置: an authority's administrators set their subtree's yearly claim window,
supplementary window and required hours (``service.py``); every reader asks ``app/services/policy.py``."""
