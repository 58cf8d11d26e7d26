"""The hot path: transport -> decode -> validate -> store -> rules."""
