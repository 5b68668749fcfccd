"""The JSON Schema stage: a local registry of the kinds' schemas, and validation."""
