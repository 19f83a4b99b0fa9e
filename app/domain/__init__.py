"""Pure domain rules (no Flask, no database): ID numbers, claim routes, masking."""


def N_(message: str) -> str:
    """Mark a string for the translation catalogs; it is translated where it is shown."""
    return message
