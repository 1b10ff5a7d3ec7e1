"""The try-on core: pipelines (design, classical, VITON-HD, DAFlow), their selection, and `TryOnService`.

It speaks numpy and the inference interface only: no HTTP, no database, no torch. The gateway, the CLI
and any batch worker drive it through `TryOnService`.
"""
