"""Login, logout, password change and "who am I"."""
from __future__ import annotations

from typing import Any

from flask import current_app, g, request

from ...domain.idnumber import mask
from ...i18n import _
from ...services import accounts, throttle
from .blueprint import Blueprint
from .context import current_actor
from .errors import ErrorSchema
from .schemas import (
    MeSchema,
    OkSchema,
    PasswordChangeSchema,
    RegisteredSchema,
    RegisterSchema,
    TokenRequestSchema,
    TokenSchema,
)

URL_PREFIX = ""
blp = Blueprint("auth", __name__, description="Authentication")


@blp.route("/auth/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(429, schema=ErrorSchema, description="Too many failed logins for this account or address",
                  headers={"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}})
@blp.doc(security=[])
def token(body: dict[str, Any]) -> dict[str, Any]:
    """Exchange a username (ID number or staff name) and password for a bearer token."""
    user = accounts.authenticate(body["username"], body["password"], request.remote_addr or "")
    return {
        "access_token": accounts.issue_token(user),
        "token_type": "Bearer",
        "expires_in": int(current_app.config["AUTH"]["TOKEN_TTL_SECONDS"]),
        "must_change_password": user.must_change_password,
    }


@blp.route("/auth/register", methods=["POST"])
@blp.arguments(RegisterSchema)
@blp.response(201, RegisteredSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=[])
def register(body: dict[str, Any]) -> dict[str, Any]:
    """Trainee self-registration: username is the ID number, the initial password its last six digits."""
    throttle.registration(request.remote_addr or "")
    user = accounts.register_trainee(body["id_number"], body["name"], body.get("phone"))
    return {"username": user.username, "must_change_password": True,
            "message": _("Registered. Your username is your ID number and your initial password its "
                        "last six characters; change it at first login.")}


@blp.route("/auth/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(200, OkSchema)
@blp.alt_response(422, schema=ErrorSchema)
def change_password(body: dict[str, Any]) -> dict[str, Any]:
    """Change the caller's password (required before anything else after first login)."""
    accounts.change_password(current_actor().user, body["old_password"], body["new_password"])
    return {"ok": True}


@blp.route("/auth/logout", methods=["POST"])
@blp.response(200, OkSchema)
def logout() -> dict[str, Any]:
    """Revoke the token used for this call."""
    accounts.revoke_token(g.token, current_actor())
    return {"ok": True}


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
def me() -> dict[str, Any]:
    actor = current_actor()
    return {
        "id": actor.id, "username": actor.username, "name": actor.name,
        "id_number": mask(actor.id_number) if actor.id_number else None,
        "must_change_password": actor.must_change_password,
        "roles": [{"role": role, "org_id": org_id, "org_name": actor.org_name(org_id)}
                  for role, org_id in sorted(actor.roles, key=lambda p: (p[0], p[1] or 0))],
    }
