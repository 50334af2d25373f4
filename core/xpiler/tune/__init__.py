"""Tuning: parameter search, pass-sequence search, cost models and measurement.

So far this package holds the analytical cost models for targets this machine cannot run
natively (``cost``: ``predict_bang`` for Cambricon MLUs, from the emulator's work counters
and the dialect table's performance figures). The searches that will use them come later.
"""
