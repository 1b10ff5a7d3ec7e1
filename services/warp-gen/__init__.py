"""warp-gen stage."""
