"""Notification: turns every event into messages for people and agencies."""
