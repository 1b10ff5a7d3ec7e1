"""Fitting Room: virtual try-on inference platform."""
