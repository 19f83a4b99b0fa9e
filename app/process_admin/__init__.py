"""Process administration: diagram versions and drafts, validation with a simulation of every
path, the difference of two versions, publishing, moving running instances to another version,
and suspending, resuming and retrying instances. For the role ``process_admin`` only.

Nothing here names a process: what a diagram may use (lanes, forms, handlers, decisions) is its
process plug-in's declaration, checked by ``app.services.definitions``.
"""
