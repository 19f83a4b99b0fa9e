"""Display names of actions and decisions (translated lazily, in the reader's language)."""
from __future__ import annotations

from ..i18n import _l

ACTION_LABELS = {
    "create": _l("New claim"), "enroll": _l("Enrolment submitted"), "edit": _l("Materials edited"),
    "file_add": _l("Proof uploaded"), "file_remove": _l("Proof removed"),
    "submit": _l("Submitted for review"), "resubmit": _l("Resubmitted"), "withdraw": _l("Withdrawn"),
    "unit_review": _l("Unit review"), "authority_review": _l("Authority review"),
    "delete": _l("Deleted"), "auto_approve": _l("Approved automatically"),
    "claim": _l("Task taken"), "unclaim": _l("Task released"), "timer": _l("Deadline reached"),
}
# The buttons a reviewer sees.
DECISION_LABELS = {"approve": _l("Approve"), "reject": _l("Reject"), "return": _l("Send back"),
                   "submit": _l("Submit")}
# How a decision reads in the flow log (the seeds write 通过。 / 退回修改。…).
DECISION_REMARKS = {"approve": _l("Approved."), "reject": _l("Not approved."),
                    "return": _l("Sent back for changes.")}
