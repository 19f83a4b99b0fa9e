"""Services: the only code that calls ``workflows/``. They flush, never commit."""
