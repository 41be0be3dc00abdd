"""The HTTP API for front-ends: validation, errors as problem+json, RPC fan-out. Owns no
data."""
