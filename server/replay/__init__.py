"""Time travel: the plan at any position, diffs between two moments, provenance of each field.

Computed from the events (a pure fold, server/replay/fold.py), sped up by the checkpoints
projection; never from mutable history columns.
"""
