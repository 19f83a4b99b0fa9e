"""All models, imported here so Alembic and the app see one metadata."""
from .auth import ApiToken, LoginAttempt, WebSession
from .claim import Claim, ClaimFile, ClaimWindow
from .enrollment import Enrollment
from .ledger import HourEntry
from .org import GLOBAL_ROLES, ORG_KINDS, ROLES, Organisation, RoleAssignment, User
from .process import HumanTask, ProcessDefinition, ProcessEvent, ProcessInstance
from .types import utcnow

__all__ = [
    "ApiToken", "LoginAttempt", "WebSession", "Claim", "ClaimFile", "ClaimWindow", "Enrollment",
    "GLOBAL_ROLES", "HourEntry",
    "HumanTask", "ORG_KINDS", "Organisation", "ProcessDefinition", "ProcessEvent",
    "ProcessInstance", "ROLES", "RoleAssignment", "User", "utcnow",
]
