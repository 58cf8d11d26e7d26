"""Photos and documents attached to inspections, hazards and enforcement cases."""
