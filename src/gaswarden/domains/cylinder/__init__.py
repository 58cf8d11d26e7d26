"""LPG cylinders (一瓶一码): the archive, gas-source batches, the scanned chain of events,
its anomalies, and the tracing queries built on them."""
