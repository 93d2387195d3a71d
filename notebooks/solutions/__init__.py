"""Reference solutions of the course's larger exercises, as plain modules.

``engine.py`` is the complete engine that notebook 02 builds step by step.
"""
