"""Hazards (隐患) from finding to closure (销号), and the enterprises' required systems."""
