"""Transports: the only modules that import an HTTP library (see `_base` for the seam)."""
