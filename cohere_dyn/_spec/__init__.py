"""The spec: reading a document safely, normalizing it, and the operation, schema and validation models built from it."""
