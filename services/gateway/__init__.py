"""gateway stage."""
