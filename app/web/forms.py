"""Form helpers shared by the page packages."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import ValidationError
from wtforms.validators import StopValidation

from ..domain.text import control_characters
from ..i18n import _l


def no_control_characters(form: FlaskForm, field: Any) -> None:
    if isinstance(field.data, str) and control_characters(field.data, multiline=True):
        raise ValidationError(_l("No control characters."))


def finite_number(form: FlaskForm, field: Any) -> None:
    """NaN, sNaN and the infinities parse as decimals but compare with nothing (``NumberRange`` even
    raises on sNaN): refused before any range check."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("Enter a number."))


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths may be a redirect target (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
