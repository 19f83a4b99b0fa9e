"""Input checks shared by the API's schemas and the process plug-ins' step forms.

Every message is translated when an error is made (Chinese by default), and every free text is
checked for control characters and, unless said otherwise, stripped and refused when blank.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from .converters import INT32_MAX
from .domain.text import control_characters
from .i18n import _, _l

MAX_HOURS = Decimal(1000)  # no single record comes near this; the hours columns hold 99999.9


def length(low: int | None = None, high: int | None = None) -> validate.Length:
    if low is not None and high is not None:
        error = _l("Between {min} and {max} characters.")
    elif high is not None:
        error = _l("At most {max} characters.")
    else:
        error = _l("At least {min} characters.")
    return validate.Length(low, high, error=error)


def count(low: int, high: int) -> validate.Length:
    return validate.Length(low, high, error=_l("Between {min} and {max} items."))


def exact_length(n: int) -> validate.Length:
    return validate.Length(equal=n, error=_l("Exactly {equal} characters."))


def between(low: Any, high: Any) -> validate.Range:
    return validate.Range(low, high, error=_l("Between {min} and {max}."))


def one_of(choices: Any) -> validate.OneOf:
    return validate.OneOf(list(choices), error=_l("One of: {choices}."))


def pattern(regex: str, message: Any) -> validate.Regexp:
    return validate.Regexp(regex, error=message)


class Text(fields.String):
    """A string without control characters (newlines allowed when ``multiline``).

    Stripped of surrounding spaces (``strip=False`` keeps them: passwords); a text of only
    spaces is refused unless ``blank=True``.
    """

    def __init__(self, *args: Any, multiline: bool = False, strip: bool = True, blank: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.multiline = multiline
        self.strip = strip
        self.blank = blank

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        bad = control_characters(text, multiline=self.multiline)
        if bad:
            raise ma.ValidationError(_("No control characters (%(found)s).", found=", ".join(bad)))
        if self.strip:
            text = text.strip()
        if not text and not self.blank:
            raise ma.ValidationError(_("May not be blank."))
        return text


def Id(**kwargs: Any) -> fields.Integer:
    """A record id in a body: a positive 32-bit integer (larger ones name nothing)."""
    return fields.Integer(strict=True, validate=between(1, INT32_MAX), **kwargs)


def Year(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=between(2000, 2100), **kwargs)


def _hours_in_range(value: Decimal) -> None:
    if not 0 < value <= MAX_HOURS:
        raise ma.ValidationError(_("More than 0 and at most %(max)s.", max=int(MAX_HOURS)))


def HoursIn(**kwargs: Any) -> fields.Decimal:
    """Hours sent by a client: positive and at most MAX_HOURS (the services check the rest).

    Not ``validate.Range``: apispec would write a Decimal's bounds into the document as strings.
    """
    metadata = {"minimum": 0, "exclusiveMinimum": True, "maximum": int(MAX_HOURS), **kwargs.pop("metadata", {})}
    return fields.Decimal(allow_nan=False, validate=_hours_in_range, metadata=metadata, **kwargs)


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE
