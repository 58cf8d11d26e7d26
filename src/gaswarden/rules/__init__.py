"""Alarm rules: pure functions from readings, events and per-device state to alarm transitions.

- grades.py     the four warning grades (red I .. blue IV)
- setpoints.py  every default number, once, with its source
- catalog.py    which rules a device kind has, and their default parameters
- evaluate.py   the pure rule functions (threshold, rate of change, event, offline, expiry)
- context.py    effective parameters for one device: defaults, asset set points, overrides
- engine.py     AlarmEngine: the BatchConsumer that runs the rules inside the ingest batch
"""
