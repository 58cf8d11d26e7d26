"""The demo district and, later, its simulator. Everything here is invented but plausible."""
