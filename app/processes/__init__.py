"""The review processes: one package per kind of record, each a plug-in.

``app/processes/<name>/`` holds everything about one process: ``models.py``, its rules
(``service.py``), ``plugin.py`` (the declaration the shared runner, inbox and pages read:
``PLUGIN``), ``api.py``, ``pages.py`` with ``forms.py`` and ``templates/<name>/``. Its
diagram is ``bpmn/<process key>.bpmn``. Packages are discovered at start-up
(``app/services/plugins.py``); generic code never imports one. How to add a process:
``docs/processes.md``.
"""
