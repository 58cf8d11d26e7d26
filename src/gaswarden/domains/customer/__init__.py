"""Real-name LPG customers (实名制用户) and the safety checks of their premises."""
