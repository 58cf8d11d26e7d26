"""The pipe-network engine: pandapipes models, hydraulics, leak localisation, demand forecast.

Pure computation on pandapipes nets and numpy/pandas series; no database. The records live in
gaswarden.domains.network, which calls in here.
"""
