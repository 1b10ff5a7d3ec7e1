"""Builds model_repository/ from the stage export specs."""
