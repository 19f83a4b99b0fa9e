"""One error format for the whole API: ``{"error": {"code", "message", "fields"?}}``."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, jsonify

from ...errors import ServiceError

HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid", 429: "too_many_requests", 500: "internal_error",
}
HTTP_MESSAGES = {
    400: "请求格式错误 (bad request)", 401: "请先登录 (authentication required)",
    403: "没有权限 (forbidden)", 404: "不存在 (not found)", 405: "不支持该方法 (method not allowed)",
    413: "上传内容过大 (request too large)", 415: "不支持的内容类型 (unsupported media type)",
    422: "提交的数据有误 (invalid input)", 500: "服务器内部错误 (internal error)",
}


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "stable machine-readable code"})
    message = ma.fields.String(required=True, metadata={"description": "message for people (Chinese)"})
    fields = ma.fields.Dict(metadata={"description": "field name -> list of problems"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorDetailSchema, required=True)


def error_response(status: int, code: str, message: str,
                   fields: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def service_error_response(exc: ServiceError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def flatten_webargs(messages: Any) -> dict[str, Any]:
    """webargs nests problems by location ({"json": {...}}); clients want field names."""
    flat: dict[str, Any] = {}
    if isinstance(messages, dict):
        for location, problems in messages.items():
            if isinstance(problems, dict):
                flat.update({str(k): v for k, v in problems.items()})
            else:
                flat[str(location)] = problems
    return flat
