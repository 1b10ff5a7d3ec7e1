"""Shared floor: the inference interface, its embedded backend, repository configs, images, errors."""
