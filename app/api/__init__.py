"""The JSON API; one package per version."""
