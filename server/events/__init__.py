"""The write model: aggregates and their events. Pure Python, no I/O.

Event topics (module:Class) are stored forever: these module paths must not move.
"""
