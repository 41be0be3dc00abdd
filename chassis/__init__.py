"""The microservice chassis: machinery every OCOP service shares, written once.

config (nameko YAML with ``${VAR:default}``), the Mongo dependency, the CloudEvents
envelope, the single-document outbox and its relay, reliable idempotent event handlers
with retry and dead-lettering, metrics, health endpoints and bilingual errors.
"""
