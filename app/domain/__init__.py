"""Pure domain rules (no Flask, no database): ID numbers, claim routes, masking."""
