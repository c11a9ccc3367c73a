"""Utilities beside the tensor API, as in torch.utils: `data` holds datasets, samplers and DataLoader,
`checkpoint` recomputes parts of a model in the backward pass, `hooks` names the hook handles."""
from . import checkpoint, data, hooks

__all__ = ["checkpoint", "data", "hooks"]
