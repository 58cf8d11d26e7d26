"""GasWarden 城镇燃气安全智慧监管平台 — urban gas safety supervision."""

__version__ = "0.1.0"
