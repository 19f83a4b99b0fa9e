"""管理单位管理员 and 角色管理 through the API: an organisation's administrators list and add
administrators and manage its roles; its super administrator alone transfers the title, resets
passwords, disables accounts and deletes administrators. Anyone else: 403 (another organisation's
administrators are never shown)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from marshmallow import fields

from ..api.v1.blueprint import Blueprint
from ..api.v1.context import current_actor
from ..api.v1.errors import ErrorSchema
from ..validation import Id, StrictSchema, Text, between, count, length, one_of
from . import roles, service

blp = Blueprint("administrators", __name__, description="Administrators (管理单位管理员) and roles (角色管理)")


class UnitAdminSchema(ma.Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    name = fields.String(required=True)
    id_number = fields.String(required=True, metadata={"description": "masked"})
    phone = fields.String(required=True, metadata={"description": "masked"})
    super_admin = fields.Boolean(required=True, metadata={"description": "超级管理员"})
    active = fields.Boolean(required=True, metadata={"description": "false: 已禁用"})
    department = fields.String(allow_none=True)
    only_here = fields.Boolean(required=True, metadata={"description": "the account belongs to this organisation "
                                                                      "only (it may be disabled or reset here)"})


class UnitAdminListSchema(ma.Schema):
    org_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(UnitAdminSchema), required=True)
    total = fields.Integer(required=True)


class AddUnitAdminSchema(StrictSchema):
    mode = Text(required=True, validate=one_of(service.MODES), metadata={
        "description": "member: 选择成为管理员 (user_id); register: 注册成为管理员 (username, name, phone, password, "
                       "password_confirm, department_id); existing: 添加成为管理员 (username, password)"})
    user_id = Id()
    username = Text(validate=length(1, 64))
    name = Text(validate=length(1, 30))
    phone = Text(validate=length(1, 20))
    password = fields.String(validate=length(1, 128))
    password_confirm = fields.String(validate=length(1, 128))
    department_id = Id(allow_none=True)


class TemporaryPasswordSchema(ma.Schema):
    password = fields.String(required=True, metadata={"description": "shown once; to be changed at next login"})
    must_change_password = fields.Boolean(required=True)


class PermissionModuleSchema(ma.Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    grants = fields.String(required=True, metadata={"description": "the base role it gives at the organisation"})
    description = fields.String(required=True)


class RoleMemberSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    username = fields.String(required=True)


class OrgRoleSchema(ma.Schema):
    id = fields.Integer(required=True)
    org_id = fields.Integer(required=True)
    name = fields.String(required=True)
    modules = fields.List(fields.String(), required=True)
    members = fields.List(fields.Nested(RoleMemberSchema), required=True)


class OrgRoleListSchema(ma.Schema):
    org_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(OrgRoleSchema), required=True)
    total = fields.Integer(required=True)
    modules = fields.List(fields.Nested(PermissionModuleSchema), required=True)
    people = fields.List(fields.Nested(RoleMemberSchema), required=True, metadata={"description": "who may hold them"})


class OrgRoleQuerySchema(StrictSchema):
    org_id = fields.Integer(validate=between(1, 2**31 - 1),
                            metadata={"description": "needed only by administrators of more than one organisation"})


class OrgRoleInputSchema(StrictSchema):
    org_id = Id()
    name = Text(required=True, validate=length(1, 30))
    modules = fields.List(Text(validate=length(1, 30)), load_default=list, validate=count(0, 20))


class OrgRoleUpdateSchema(StrictSchema):
    name = Text(validate=length(1, 30))
    modules = fields.List(Text(validate=length(1, 30)), validate=count(0, 20))


class MembersInputSchema(StrictSchema):
    user_ids = fields.List(Id(), required=True, validate=count(0, roles.MAX_MEMBERS),
                           metadata={"description": "the role's members from now on"})


ERRORS = {403: "not an administrator (or not the super administrator) of the organisation", 404: "no such one here",
          409: "the state forbids it (code says why)", 422: "invalid input"}


def _errors(*codes: int) -> Any:
    def wrap(view: Any) -> Any:
        for code in codes:
            view = blp.alt_response(code, schema=ErrorSchema, description=ERRORS[code])(view)
        return view
    return wrap


@blp.route("/units/<int:org_id>/admins", methods=["GET"])
@blp.response(200, UnitAdminListSchema)
@_errors(403, 404)
def list_admins(org_id: int) -> dict[str, Any]:
    """管理单位管理员: the organisation's administrators, its super administrator first."""
    items = service.list_admins(current_actor(), org_id)
    return {"org_id": org_id, "items": items, "total": len(items)}


@blp.route("/units/<int:org_id>/admins", methods=["POST"])
@blp.arguments(AddUnitAdminSchema)
@blp.response(201, UnitAdminSchema)
@_errors(403, 404, 409, 422)
def add_admin(body: dict[str, Any], org_id: int) -> dict[str, Any]:
    """新增管理员 (``existing``: a wrong password counts as a failed login; too many → 429)."""
    actor = current_actor()
    user = service.add(actor, org_id, body, request.remote_addr or "")
    return _one(org_id, user.id)


def _one(org_id: int, user_id: int) -> dict[str, Any]:
    return next(row for row in service.list_admins(current_actor(), org_id) if row["id"] == user_id)


@blp.route("/units/<int:org_id>/admins/<int:user_id>/super", methods=["POST"])
@blp.response(200, UnitAdminListSchema)
@_errors(403, 404, 409)
def make_super(org_id: int, user_id: int) -> dict[str, Any]:
    """设为超级管理员: the title passes to this administrator; you stay an administrator."""
    service.make_super(current_actor(), org_id, user_id)
    items = service.list_admins(current_actor(), org_id)
    return {"org_id": org_id, "items": items, "total": len(items)}


@blp.route("/units/<int:org_id>/admins/<int:user_id>/reset-password", methods=["POST"])
@blp.response(200, TemporaryPasswordSchema)
@_errors(403, 404, 409)
def reset_password(org_id: int, user_id: int) -> dict[str, Any]:
    """重置密码: a temporary password, shown this once; every session and token of the person ends."""
    return {"password": service.reset_password(current_actor(), org_id, user_id), "must_change_password": True}


@blp.route("/units/<int:org_id>/admins/<int:user_id>/disable", methods=["POST"])
@blp.response(200, UnitAdminSchema)
@_errors(403, 404, 409)
def disable(org_id: int, user_id: int) -> dict[str, Any]:
    """禁用: the account can no longer log in (an account of this organisation only)."""
    service.set_active(current_actor(), org_id, user_id, False)
    return _one(org_id, user_id)


@blp.route("/units/<int:org_id>/admins/<int:user_id>/enable", methods=["POST"])
@blp.response(200, UnitAdminSchema)
@_errors(403, 404, 409)
def enable(org_id: int, user_id: int) -> dict[str, Any]:
    """启用: a disabled administrator's account works again."""
    service.set_active(current_actor(), org_id, user_id, True)
    return _one(org_id, user_id)


@blp.route("/units/<int:org_id>/admins/<int:user_id>", methods=["DELETE"])
@blp.response(204)
@_errors(403, 404, 409)
def remove_admin(org_id: int, user_id: int) -> None:
    """删除: the administrator's rights here end (the account stays); not the super administrator's."""
    service.remove(current_actor(), org_id, user_id)


# -- roles ----------------------------------------------------------------------------------------

def module_views() -> list[dict[str, Any]]:
    return [{"key": m.key, "label": str(m.label), "grants": m.grants, "description": str(m.description)}
            for m in roles.MODULES.values()]


@blp.route("/roles", methods=["GET"])
@blp.arguments(OrgRoleQuerySchema, location="query")
@blp.response(200, OrgRoleListSchema)
@_errors(403, 422)
def list_roles(query: dict[str, Any]) -> dict[str, Any]:
    """角色管理: my organisation's roles, the permission modules and who may hold them."""
    org_id, items = roles.list_roles(current_actor(), query.get("org_id"))
    return {"org_id": org_id, "items": items, "total": len(items), "modules": module_views(),
            "people": [{"id": u.id, "name": u.name, "username": u.username} for u in roles.people(org_id)]}


@blp.route("/roles", methods=["POST"])
@blp.arguments(OrgRoleInputSchema)
@blp.response(201, OrgRoleSchema)
@_errors(403, 409, 422)
def create_role(body: dict[str, Any]) -> dict[str, Any]:
    return roles.view(roles.create_role(current_actor(), body.get("org_id"), body["name"], body["modules"]))


@blp.route("/roles/<int:role_id>", methods=["PATCH"])
@blp.arguments(OrgRoleUpdateSchema)
@blp.response(200, OrgRoleSchema)
@_errors(403, 404, 409, 422)
def update_role(body: dict[str, Any], role_id: int) -> dict[str, Any]:
    return roles.view(roles.update_role(current_actor(), role_id, body))


@blp.route("/roles/<int:role_id>", methods=["DELETE"])
@blp.response(204)
@_errors(403, 404)
def delete_role(role_id: int) -> None:
    roles.delete_role(current_actor(), role_id)


@blp.route("/roles/<int:role_id>/members", methods=["POST"])
@blp.arguments(MembersInputSchema)
@blp.response(200, OrgRoleSchema)
@_errors(403, 404, 422)
def set_members(body: dict[str, Any], role_id: int) -> dict[str, Any]:
    """The role's members from now on (people of the organisation only)."""
    return roles.view(roles.set_members(current_actor(), role_id, body["user_ids"]))
