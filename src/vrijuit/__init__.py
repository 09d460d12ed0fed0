"""Vrijuit: measure, discuss and grow social safety, with proven respondent anonymity."""

__version__ = "0.1.0"
