"""Alarms: raised by the rules engine, followed through the closed loop to review."""
