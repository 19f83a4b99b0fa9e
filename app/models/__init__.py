"""The shared aggregates, imported here so Alembic and the app see one metadata.

Each process keeps its own record models in its package (``app/processes/<name>/models.py``);
they join the same metadata when the plug-ins are discovered (``create_app``). The online
courses (``app/courses/``, not a review process) keep theirs in their package too, imported by
``create_app``.
"""
from .auth import ApiToken, LoginAttempt, PublicAttempt, WebSession
from .certificate import Certificate, VerificationAttempt
from .files import Attachment
from .ledger import HourEntry
from .org import (
    GLOBAL_ROLES,
    ORG_KINDS,
    ROLES,
    UNIT_TYPES,
    Department,
    Organisation,
    PersonDetail,
    RoleAssignment,
    User,
)
from .process import AuditChain, HumanTask, ProcessDefinition, ProcessEvent, ProcessInstance, TaskCandidate
from .record import ProfileConfirmation, RecordPrint
from .types import utcnow

__all__ = [
    "ApiToken", "Attachment", "AuditChain", "Certificate", "Department", "GLOBAL_ROLES", "HourEntry", "HumanTask",
    "LoginAttempt",
    "ORG_KINDS", "Organisation", "ProcessDefinition", "ProcessEvent", "ProcessInstance", "ProfileConfirmation",
    "PersonDetail", "PublicAttempt", "ROLES",
    "RecordPrint", "RoleAssignment",
    "TaskCandidate", "UNIT_TYPES", "User", "VerificationAttempt", "WebSession", "utcnow",
]
