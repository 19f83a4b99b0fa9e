"""E-certificates: the caller's, one as a PDF, and the public verification of a number."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, request
from marshmallow import fields

from ...services import certificates, pdf
from ...validation import StrictSchema, Text, one_of
from .blueprint import Blueprint
from .context import current_actor
from .errors import ErrorSchema

URL_PREFIX = "/certificates"
blp = Blueprint("certificates", __name__, description="E-certificates (电子证书)")
NUMBER = "<string(maxlength=24):number>"


class CertificateQuerySchema(StrictSchema):
    kind = Text(validate=one_of(("public", "professional")), metadata={
        "description": "public: 公需课电子证书; professional: 专业课电子证书"})


class CertificateSchema(ma.Schema):
    number = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "公需课电子证书 / 专业课电子证书"})
    category = fields.String(required=True)
    hours = fields.Float(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    issuer = fields.String(required=True)
    issued_on = fields.Date(required=True)
    holder_name = fields.String(required=True)
    holder_id_number = fields.String(required=True, metadata={"description": "masked"})
    valid = fields.Boolean(required=True)


class CertificateListSchema(ma.Schema):
    items = fields.List(fields.Nested(CertificateSchema), required=True)
    total = fields.Integer(required=True)


class VerificationSchema(ma.Schema):
    number = fields.String(required=True)
    genuine = fields.Boolean(required=True, metadata={"description": "issued and not revoked"})
    revoked = fields.Boolean()
    holder_name = fields.String()
    holder_id_number = fields.String(metadata={"description": "masked"})
    kind = fields.String()
    title = fields.String()
    issuer = fields.String()
    hours = fields.Float()
    year = fields.Integer()
    issued_on = fields.Date()


@blp.route("", methods=["GET"])
@blp.arguments(CertificateQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, CertificateListSchema)
def mine(query: dict[str, Any]) -> dict[str, Any]:
    """电子证书: the caller's certificates, newest first."""
    items = [certificates.view(c) for c in certificates.of_user(current_actor().id, query.get("kind"))]
    return {"items": items, "total": len(items)}


@blp.route(f"/{NUMBER}.pdf", methods=["GET"])
@blp.doc(responses={"200": {"description": "the certificate as a PDF",
                            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(503, schema=ErrorSchema, description="the server has no Chinese font to print with")
def certificate_pdf(number: str) -> Response:
    """The holder's certificate (name, masked ID, class, provider, hours, date, number, a QR code of
    the public verification address)."""
    cert = certificates.get_own(number, current_actor())
    return pdf.attachment(certificates.render_pdf(cert), f"certificate-{cert.number}.pdf")


@blp.route(f"/verify/{NUMBER}", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, VerificationSchema)
@blp.alt_response(429, schema=ErrorSchema, description="too many unknown numbers from this address")
def verify(number: str) -> dict[str, Any]:
    """Public (no token): is the number genuine, and whose (name and masked ID only)? Unknown
    numbers answer ``genuine: false``; guessing is throttled per address."""
    return certificates.verify(number, request.remote_addr or "")
