"""The words of actions and decisions (translated lazily, in the reader's language).

The shared vocabulary is here; a process plug-in adds its own (``decisions``, ``actions``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..i18n import _l, text
from .plugins import Decision, ProcessPlugin

ACTIONS = {
    "create": _l("Created"), "edit": _l("Materials edited"), "file_add": _l("File uploaded"),
    "file_remove": _l("File removed"), "submit": _l("Submitted for review"), "resubmit": _l("Resubmitted"),
    "withdraw": _l("Withdrawn"), "cancel": _l("Cancelled"), "delete": _l("Deleted"),
    "take": _l("Task taken"), "release": _l("Task released"), "timer": _l("Deadline reached"),
    # versions before take/release was the word (events are never rewritten)
    "claim": _l("Task taken"), "unclaim": _l("Task released"),
    # administrative events: a process admin's or auditor's read, changes of who can do what
    "read_proof": _l("Proof read"), "account_register": _l("Account registered"),
    "password_change": _l("Password changed"), "password_reset": _l("Password reset"),
    "role_change": _l("Roles changed"),
    "token_issue": _l("API token issued"), "token_revoke": _l("API token revoked"),
    # a process administrator's hand on an instance (process administration)
    "migrate": _l("Moved to another version of the process"), "suspend": _l("Suspended"),
    "resume": _l("Resumed"), "retry": _l("Run again after an error"),
}
DECISIONS = {
    "approve": Decision(_l("Approve"), _l("Approved.")),
    "reject": Decision(_l("Reject"), _l("Not approved.")),
    "return": Decision(_l("Send back"), _l("Sent back for changes.")),
    "submit": Decision(_l("Submit")),
}
# Taking and releasing a task are for colleagues, not part of the record's story.
HIDDEN_FROM_FLOW = frozenset({"take", "release", "claim", "unclaim"})


def decision(plugin: ProcessPlugin | None, name: str) -> Decision | None:
    own = plugin.decisions.get(name) if plugin is not None else None
    return own or DECISIONS.get(name)


def decision_label(plugin: ProcessPlugin | None, name: str | None) -> str:
    if not name:
        return ""
    found = decision(plugin, name)
    return str(found.label) if found else name


# A lazy string's truth is its translation's length: testing it and then writing it translated twice.

def decision_remark(plugin: ProcessPlugin | None, name: str | None,
                    translate: Callable[[str], str] | None = None) -> str | None:
    found = decision(plugin, name) if name else None
    remark = found.remark if found else None
    return (_text(remark, translate) or None) if remark is not None else None


def action_label(plugin: ProcessPlugin | None, action: str, translate: Callable[[str], str] | None = None) -> str:
    own: Any = plugin.actions.get(action) if plugin is not None else None
    found = _text(own, translate) if own is not None else ""
    return found or _text(ACTIONS.get(action, action), translate)


def _text(value: Any, translate: Callable[[str], str] | None) -> str:
    return text(value, translate) if translate is not None else str(value)


def known_decisions(plugin: ProcessPlugin) -> set[str]:
    return set(DECISIONS) | set(plugin.decisions)
