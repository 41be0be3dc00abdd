"""Certification: recognition certificates, their validity, revocation, upgrades and
public verification."""
