"""Numbers from national standards, each set once here with its source."""
