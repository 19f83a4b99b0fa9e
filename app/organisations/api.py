"""The organisation tree, departments and subordinate units through the API (``/api/v1/units``).

Only GET is registered on ``/units`` itself: a unit's public registration (POST) belongs to the unit
registration process."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ..api.v1.blueprint import Blueprint
from ..api.v1.context import current_actor
from ..api.v1.errors import ErrorSchema
from ..models import UNIT_TYPES
from ..validation import Id, StrictSchema, Text, length, one_of
from . import departments, service

blp = Blueprint("organisations", __name__, api_prefix="/units",
                description="Organisation tree, departments and subordinate units (组织架构树, 内设部门, 管理下级单位)")


class TreeQuerySchema(StrictSchema):
    scope = Text(validate=one_of(("tree", "subordinates")), load_default="tree",
                 metadata={"description": "tree: the organisations I may see; subordinates: the units below the "
                                          "authorities I administer (管理下级单位)"})
    q = Text(validate=length(1, 60), metadata={"description": "part of a name or credit code"})
    unit_type = Text(validate=one_of(UNIT_TYPES), metadata={"description": "subordinates only: 单位性质"})


class AdministratorSchema(ma.Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    username = fields.String(required=True, metadata={"description": "ID numbers masked"})
    phone = fields.String(required=True, metadata={"description": "masked"})
    active = fields.Boolean(required=True)
    super_admin = fields.Boolean(required=True)


class NodeSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    level = fields.String(allow_none=True)
    code = fields.String(allow_none=True, metadata={"description": "统一社会信用代码 / 机构代码"})
    parent_id = fields.Integer(allow_none=True)
    unit_type = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    people = fields.Integer(required=True, metadata={"description": "people holding a role there"})
    trainees = fields.Integer(required=True)
    sub_units = fields.Integer(required=True, metadata={"description": "direct sub-organisations"})
    match = fields.Boolean(required=True, metadata={"description": "matches q (the others lead to a match)"})
    children = fields.List(fields.Nested(lambda: NodeSchema()), required=True)


class SubordinateSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    code = fields.String(allow_none=True)
    unit_type = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    parent_name = fields.String(allow_none=True)
    direct = fields.Boolean(required=True, metadata={"description": "directly below my authority"})
    administrators = fields.List(fields.Nested(AdministratorSchema), required=True)


class UnitListSchema(ma.Schema):
    scope = fields.String(required=True)
    total = fields.Integer(required=True)
    items = fields.List(fields.Raw(), required=True,
                        metadata={"description": "tree: NodeSchema roots; subordinates: SubordinateSchema rows"})


class DepartmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True)
    active = fields.Boolean(required=True)
    depth = fields.Integer(required=True)
    people = fields.Integer(required=True)
    sub_departments = fields.Integer(required=True)


class DepartmentListSchema(ma.Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(DepartmentSchema), required=True)
    can_manage = fields.Boolean(required=True)


class UnitDetailSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    level = fields.String(allow_none=True)
    code = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    parent_name = fields.String(allow_none=True)
    unit_type = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    people = fields.Integer(required=True)
    trainees = fields.Integer(required=True)
    sub_units = fields.Integer(required=True)
    administrators = fields.List(fields.Nested(AdministratorSchema), required=True)
    departments = fields.List(fields.Nested(DepartmentSchema), required=True)
    can_manage_departments = fields.Boolean(required=True)
    can_remove = fields.Boolean(required=True)


class DepartmentInputSchema(StrictSchema):
    name = Text(required=True, validate=length(1, 60))
    parent_id = Id(allow_none=True, load_default=None)


class DepartmentUpdateSchema(StrictSchema):
    name = Text(validate=length(1, 60))
    parent_id = Id(allow_none=True, metadata={"description": "null: top level"})
    active = fields.Boolean(metadata={"description": "false: 禁用 (only an empty department); true: 启用"})


class RemoveSchema(StrictSchema):
    comment = Text(validate=length(1, 200), multiline=True)


class RemovedSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    active = fields.Boolean(required=True)


@blp.route("", methods=["GET"])
@blp.arguments(TreeQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, UnitListSchema)
@blp.alt_response(403, schema=ErrorSchema)
def units(query: dict[str, Any]) -> dict[str, Any]:
    """组织架构树 (the organisations I may see, with people and sub-unit counts) or, with
    ``scope=subordinates``, 管理下级单位 (the units below the authorities I administer)."""
    actor = current_actor()
    if query["scope"] == "subordinates":
        items = service.subordinate_units(actor, q=query.get("q"), unit_type=query.get("unit_type"))
        return {"scope": "subordinates", "total": len(items), "items": SubordinateSchema(many=True).dump(items)}
    roots = service.tree(actor, q=query.get("q"))
    return {"scope": "tree", "total": len(roots), "items": NodeSchema(many=True).dump(roots)}


@blp.route("/<int:org_id>", methods=["GET"])
@blp.response(200, UnitDetailSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def unit(org_id: int) -> dict[str, Any]:
    """One organisation I may see: facts, counts, administrators, departments."""
    return service.detail(current_actor(), org_id)


@blp.route("/<int:org_id>/departments", methods=["GET"])
@blp.response(200, DepartmentListSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def list_departments(org_id: int) -> dict[str, Any]:
    """内设部门 of an organisation I may see (depth-first, disabled ones too)."""
    actor = current_actor()
    items = service.departments(actor, org_id)
    return {"total": len(items), "items": items, "can_manage": service.manages(actor, org_id)}


def _one(org_id: int, department_id: int) -> dict[str, Any]:
    return next(d for d in service.departments(current_actor(), org_id) if d["id"] == department_id)


@blp.route("/<int:org_id>/departments", methods=["POST"])
@blp.arguments(DepartmentInputSchema)
@blp.response(201, DepartmentSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def add_department(body: dict[str, Any], org_id: int) -> dict[str, Any]:
    """新增部门 (or a sub-department: ``parent_id``); the organisation's administrators only."""
    row = departments.add_department(current_actor(), org_id, body["name"], body.get("parent_id"))
    return _one(org_id, row.id)


@blp.route("/<int:org_id>/departments/<int:department_id>", methods=["PATCH"])
@blp.arguments(DepartmentUpdateSchema)
@blp.response(200, DepartmentSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def update_department(body: dict[str, Any], org_id: int, department_id: int) -> dict[str, Any]:
    """Rename, move (``parent_id``), 禁用 / 启用 a department."""
    departments.update_department(current_actor(), org_id, department_id, body)
    return _one(org_id, department_id)


@blp.route("/<int:org_id>/remove", methods=["POST"])
@blp.arguments(RemoveSchema)
@blp.response(200, RemovedSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
def remove_unit(body: dict[str, Any], org_id: int) -> dict[str, Any]:
    """删除 a subordinate unit (an administrator of an authority above it): refused while it has
    trainees or reviewers, open tasks or running processes."""
    org = service.remove_unit(current_actor(), org_id, body.get("comment"))
    return {"id": org.id, "name": org.name, "active": org.is_active}
