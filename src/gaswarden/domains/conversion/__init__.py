"""Bottle-to-pipe conversion (瓶改管): applications, survey, quote from the quota table,
works, connection, and the LPG customer record closed at the end."""
