"""E-certificates (电子证书, seed 004 §五): issued by a record (a post-training filing, later an
online course), listed for their holder, printed as a PDF with a QR code of the public
verification address, and verified by anyone who has the number.

A record issues a person at most one certificate per ledger category (a unique index, as for
ledger credits): a handler that ran twice cannot issue twice. Numbers are random (not a
sequence), and the public look-up is throttled per address, so numbers cannot be walked.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

import segno
from flask import current_app, render_template, url_for
from sqlalchemy import func, select

from ..clock import today, utcnow
from ..db import persist_even_if_refused
from ..domain import N_
from ..domain.idnumber import mask
from ..errors import NotFound, TooManyAttempts
from ..extensions import db
from ..i18n import _, label
from ..models import Certificate, User, VerificationAttempt
from ..models.ledger import CATEGORIES
from . import pdf
from .actors import Actor

KINDS = {"professional": N_("专业课电子证书"), "public_general": N_("公需课电子证书"),
         "public_industry": N_("公需课电子证书")}
CODES = {"professional": "ZY", "public_general": "GX", "public_industry": "GX"}
NUMBER_DIGITS = 12


def _number(year: int, category: str) -> str:
    return f"{year}{CODES[category]}{secrets.randbelow(10 ** NUMBER_DIGITS):0{NUMBER_DIGITS}d}"


def issue(*, user: User, category: str, hours: Decimal, year: int, title: str, issuer: str, source: str,
          source_id: int) -> Certificate:
    """A new certificate (flushed by the caller's transaction). Numbers are drawn at random among
    10^12 per year and kind; a clash with an existing one draws again."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    taken = True
    while taken:
        number = _number(year, category)
        taken = db.session.scalar(select(Certificate.id).where(Certificate.number == number)) is not None
    row = Certificate(number=number, user_id=user.id, category=category, hours=hours, year=year, title=title[:100],
                      issuer=issuer[:100], issued_on=today(), holder_name=user.name,
                      holder_id_number=user.id_number, source=source, source_id=source_id)
    db.session.add(row)
    return row


def issue_many(rows: list[dict[str, Any]]) -> int:
    """Many certificates at once (a class's passing trainees), each like ``issue``; returns how many."""
    if not rows:
        return 0
    numbers: set[str] = set()
    for row in rows:
        while True:
            number = _number(row["year"], row["category"])
            if number not in numbers:
                numbers.add(number)
                row["number"] = number
                break
    clash = set(db.session.scalars(select(Certificate.number).where(Certificate.number.in_(numbers))))
    for row in rows:  # one in 10^12 per draw: draw again for those that clashed with stored numbers
        while row["number"] in clash:
            row["number"] = _number(row["year"], row["category"])
    now, on = utcnow(), today()
    db.session.execute(Certificate.__table__.insert(), [
        {**row, "title": row["title"][:100], "issuer": row["issuer"][:100], "issued_on": on, "created_at": now,
         "revoked_at": None} for row in rows])
    return len(rows)


def revoke_source(source: str, source_id: int) -> int:
    """Revoke what a record issued (its hours were reversed); returns how many."""
    rows = list(db.session.scalars(select(Certificate).where(
        Certificate.source == source, Certificate.source_id == source_id, Certificate.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = utcnow()
    return len(rows)


# -- reading ----------------------------------------------------------------------------------

def view(cert: Certificate) -> dict[str, Any]:
    return {"number": cert.number, "kind": label(KINDS[cert.category]), "category": cert.category,
            "hours": float(cert.hours), "year": cert.year, "title": cert.title, "issuer": cert.issuer,
            "issued_on": cert.issued_on, "holder_name": cert.holder_name,
            "holder_id_number": mask(cert.holder_id_number), "valid": cert.revoked_at is None}


def of_user(user_id: int, kind: str | None = None) -> list[Certificate]:
    """电子证书: a person's certificates, newest first (``kind``: ``public`` or ``professional``)."""
    query = select(Certificate).where(Certificate.user_id == user_id)
    if kind == "professional":
        query = query.where(Certificate.category == "professional")
    elif kind == "public":
        query = query.where(Certificate.category != "professional")
    return list(db.session.scalars(query.order_by(Certificate.issued_on.desc(), Certificate.id.desc()).limit(1000)))


def get_own(number: str, actor: Actor) -> Certificate:
    """A certificate its holder (or an auditor, a process administrator) may download."""
    cert = db.session.scalar(select(Certificate).where(Certificate.number == number))
    if cert is None or not (cert.user_id == actor.id or actor.can_read_all_processes):
        raise NotFound(_("Certificate not found."))
    return cert


def guard_lookup(ip: str) -> str:
    """Refuse (429) an address that looked up too many unknown numbers within the window, whatever it
    asks for now; the caller then records this look-up with ``record_lookup``. Shared by every public
    check of a printed number (certificates, hour records)."""
    conf = current_app.config["CERTIFICATES"]
    window = int(conf["VERIFY_WINDOW_SECONDS"])
    ip = (ip or "")[:45]
    persist_even_if_refused()
    misses = db.session.scalar(select(func.count(VerificationAttempt.id)).where(
        VerificationAttempt.ip == ip, VerificationAttempt.found.is_(False),
        VerificationAttempt.at >= utcnow() - timedelta(seconds=window))) or 0
    if misses >= int(conf["VERIFY_MAX_MISSES_PER_IP"]):
        raise TooManyAttempts(_("Too many unknown certificate numbers from this address; try again in %(minutes)s "
                                "minutes.", minutes=max(1, window // 60)), headers={"Retry-After": str(window)})
    return ip


def record_lookup(ip: str, found: bool) -> None:
    db.session.add(VerificationAttempt(ip=ip, found=found))


def verify(number: str, ip: str) -> dict[str, Any]:
    """The public check of a number: genuine or not, and whose (name and masked ID only).

    Every look-up is recorded; an address with too many unknown numbers in the window is
    refused (429) until it passes, whatever it asks for."""
    ip = guard_lookup(ip)
    cert = db.session.scalar(select(Certificate).where(Certificate.number == number[:24]))
    record_lookup(ip, cert is not None)
    if cert is None:
        return {"number": number[:24], "genuine": False}
    return {"number": cert.number, "genuine": cert.revoked_at is None, "revoked": cert.revoked_at is not None,
            "holder_name": cert.holder_name, "holder_id_number": mask(cert.holder_id_number),
            "kind": label(KINDS[cert.category]), "title": cert.title, "issuer": cert.issuer, "hours": float(cert.hours),
            "year": cert.year, "issued_on": cert.issued_on}


# -- the PDF ------------------------------------------------------------------------------------

def verify_url(number: str) -> str:
    return url_for("certificate_pages.verify", number=number, _external=True)


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data URI (segno: no image library, crisp at any size)."""
    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def render_pdf(cert: Certificate) -> bytes:
    family = pdf.font_family()
    url = verify_url(cert.number)
    printed = {**view(cert), "kind": KINDS[cert.category]}  # the certificate itself is in Chinese
    html = render_template("certificates/certificate_pdf.html", cert=printed, font_family=family,
                           verify_url=url, qr=qr_data_uri(url))
    return pdf.render(html)
