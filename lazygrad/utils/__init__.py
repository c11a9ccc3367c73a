"""Utilities beside the tensor API, as in torch.utils: `data` holds datasets, samplers and DataLoader,
`checkpoint` recomputes parts of a model in the backward pass."""
from . import checkpoint, data

__all__ = ["checkpoint", "data"]
