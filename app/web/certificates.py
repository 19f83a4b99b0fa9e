"""E-certificate pages: a trainee's 电子证书 (公需课 / 专业课 tabs, each downloadable as a PDF) and the
public verification page (no login) that a certificate's QR code opens."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for

from ..errors import ServiceError
from ..services import certificates, pdf
from . import session as web_session

blp = Blueprint("certificate_pages", __name__)


@blp.route("/certificates")
def index() -> Any:
    kind = request.args.get("kind") if request.args.get("kind") in ("public", "professional") else "public"
    items = [certificates.view(c) for c in certificates.of_user(web_session.actor().id, kind)]
    return render_template("certificates/index.html", items=items, kind=kind)


@blp.route("/certificates/<string(maxlength=24):number>.pdf")
def download(number: str) -> Response:
    cert = certificates.get_own(number, web_session.actor())
    return pdf.attachment(certificates.render_pdf(cert), f"certificate-{cert.number}.pdf")


@blp.route("/verify")
def lookup() -> Any:
    """证书查验: type a number (public)."""
    number = (request.args.get("number") or "").strip()
    if number:
        return redirect(url_for("certificate_pages.verify", number=number[:24]))
    return render_template("certificates/verify.html", result=None, number="")


@blp.route("/verify/<path:number>")
def verify(number: str) -> Any:
    """What a certificate's QR code opens: genuine or not, and whose (name and masked ID only)."""
    try:
        result = certificates.verify(number[:24], request.remote_addr or "")
    except ServiceError as exc:
        return render_template("certificates/verify.html", result=None, number=number[:24], error=exc), exc.status
    return render_template("certificates/verify.html", result=result, number=result["number"])
