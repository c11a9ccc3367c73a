"""Utilities beside the tensor API, as in torch.utils: `data` holds datasets, samplers and DataLoader."""
from . import data

__all__ = ["data"]
