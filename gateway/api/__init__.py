"""The API's operations, one module per area of the programme; ``gateway.service`` puts
them together. Each operation's rule is in ``gateway.policy.POLICY``."""

API = "/api/v1"
