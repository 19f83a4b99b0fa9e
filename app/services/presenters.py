"""Plain-data views shared by the JSON API and the web pages: people, flow logs, waiting steps."""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from ..db import read
from ..domain import N_
from ..domain.idnumber import mask
from ..i18n import current_language, label, translator
from ..models import HumanTask, Organisation, ProcessEvent, TaskCandidate, User
from .labels import HIDDEN_FROM_FLOW, action_label, decision_remark
from .plugins import ProcessPlugin


def person(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "id_number": mask(user.id_number)}


class Texts:
    """The translated words of one log, looked up once per log rather than once per entry.

    A record page shows up to ``LOG_LIMIT`` entries; resolving the locale and the catalog
    for every label of every entry was most of the cost of a long log.
    """

    def __init__(self, plugin: ProcessPlugin | None) -> None:
        self.plugin = plugin
        language = current_language()
        self.joiner = "" if language == "zh" else " "
        self.translate = translator(language)
        self._memo: dict[tuple[str, Any], str] = {}

    def _get(self, kind: str, key: Any, make: Any) -> str:
        text = self._memo.get((kind, key))
        if text is None:
            text = self._memo[(kind, key)] = make()
        return text

    def label(self, value: Any) -> str:
        return self._get("label", value, lambda: label(value, self.translate))

    def action(self, action: str) -> str:
        return self._get("action", action, lambda: action_label(self.plugin, action, self.translate))

    def decision(self, decision: str | None) -> str | None:
        return self._get("decision", decision,
                         lambda: decision_remark(self.plugin, decision, self.translate) or "") or None

    def message(self, msgid: str, **variables: Any) -> str:
        """``_(msgid, **variables)``: the translation is looked up once, then formatted."""
        text = self._get("message", msgid, lambda: self.translate(msgid))
        return text % variables if variables else text


NOTHING = N_("None")  # the remark of an entry with nothing more to say


def _remark(event: Any, texts: Texts) -> str:
    parts = []
    decided = texts.decision(event.decision)
    if decided:
        parts.append(decided)
    if texts.plugin is not None:
        parts.extend(texts.plugin.log_remark(event))
    if event.action in ("file_add", "file_remove") and event.data.get("filename"):
        parts.append(event.data["filename"])
    if event.comment:
        parts.append(event.comment)
    return texts.joiner.join(parts) or texts.message(NOTHING)


LOG_LIMIT = 50  # a record shows its latest entries; a claim sent back 300 times has ~1200
# The columns an entry needs, read as plain rows (no ORM objects, hashes or ids).
_LOG_COLUMNS = (ProcessEvent.at, ProcessEvent.actor_name, ProcessEvent.actor_org_name, ProcessEvent.action,
                ProcessEvent.task_spec, ProcessEvent.decision, ProcessEvent.comment, ProcessEvent.data)


# Built once: building the statement on every record read cost ~300 Python calls.
# The hidden actions as one comparison each, not NOT IN (…): an IN list is expanded again at every run.
_LOG_QUERY = (select(*_LOG_COLUMNS).where(ProcessEvent.instance_id == bindparam("instance_id"),
                                          *(ProcessEvent.action != action for action in sorted(HIDDEN_FROM_FLOW)))
              .order_by(ProcessEvent.id.desc()).offset(bindparam("offset")))
_LOG_PAGE = _LOG_QUERY.limit(bindparam("limit"))


def flow_log(instance_id: int | None, plugin: ProcessPlugin | None, *, limit: int | None = None,
             offset: int = 0) -> list[dict[str, Any]]:
    """The flow log users see (日期, 动作, 备注), newest first as the seeds show it."""
    if instance_id is None:
        return []
    values = {"instance_id": instance_id, "offset": offset, "limit": limit}
    events = read(_LOG_QUERY if limit is None else _LOG_PAGE, values)
    texts = Texts(plugin)
    return [{
        "at": event.at,
        "actor": event.actor_org_name or texts.label(event.actor_name),
        "action": event.action,
        "action_label": texts.action(event.action),
        "remark": _remark(event, texts),
    } for event in events]


def bounded_log(instance_id: int | None, plugin: ProcessPlugin | None) -> tuple[list[dict[str, Any]], bool]:
    """The latest ``LOG_LIMIT`` entries, and whether there are older ones."""
    entries = flow_log(instance_id, plugin, limit=LOG_LIMIT + 1)
    return entries[:LOG_LIMIT], len(entries) > LOG_LIMIT


# Built once, as the log's statement: a record's page or answer reads them every time.
_LAST_COMMENT = (select(ProcessEvent.comment)
                 .where(ProcessEvent.instance_id == bindparam("instance_id"),
                        ProcessEvent.decision == bindparam("decision"))
                 .order_by(ProcessEvent.id.desc()).limit(1))
_LAST_DECISION = (select(ProcessEvent.decision, ProcessEvent.comment)
                  .where(ProcessEvent.instance_id == bindparam("instance_id"), ProcessEvent.decision.is_not(None))
                  .order_by(ProcessEvent.id.desc()).limit(1))


def last_comment(instance_id: int | None, decision: str) -> str | None:
    """The comment of the latest ``decision`` on the instance (e.g. why it was refused)."""
    if instance_id is None:
        return None
    return read(_LAST_COMMENT, {"instance_id": instance_id, "decision": decision}).scalar()


def last_decision(instance_id: int | None) -> tuple[str | None, str | None]:
    """The latest decision on the instance and its comment (e.g. why it was sent back)."""
    if instance_id is None:
        return None, None
    row = read(_LAST_DECISION, {"instance_id": instance_id}).first()
    return (row.decision, row.comment) if row else (None, None)


# Each open step with the organisations among its candidates, in one statement built once.
_WAITING = (select(HumanTask.id, HumanTask.name, HumanTask.due_at, HumanTask.personal,
                   Organisation.name.label("org_name"))
            .outerjoin(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
            .outerjoin(Organisation, Organisation.id == TaskCandidate.org_id)
            .where(HumanTask.instance_id == bindparam("instance_id"), HumanTask.status == "open")
            .order_by(HumanTask.id, TaskCandidate.id))


def waiting_steps(instance_id: int | None) -> list[dict[str, Any]]:
    """Each step the instance waits on, with whom it waits for (two parallel reviews show as two)."""
    if instance_id is None:
        return []
    steps: dict[int, dict[str, Any]] = {}
    translate = translator()
    for row in read(_WAITING, {"instance_id": instance_id}):
        step = steps.get(row.id)
        if step is None:
            step = steps[row.id] = {"task_id": row.id, "name": label(row.name, translate), "due_at": row.due_at,
                                    "personal": row.personal, "waiting_for": []}
        if row.org_name is not None and row.org_name not in step["waiting_for"]:
            step["waiting_for"].append(row.org_name)
    return list(steps.values())
