"""stylize stage."""
