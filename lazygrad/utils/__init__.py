"""Utilities beside the tensor API, as in torch.utils: `data` holds datasets, samplers and DataLoader,
`checkpoint` recomputes parts of a model in the backward pass, `hooks` names the hook handles, `dlpack`
exchanges tensors as DLPack capsules; `swap_tensors` exchanges two tensors' contents."""
from . import checkpoint, data, dlpack, hooks
from .tensor_swap import swap_tensors

__all__ = ["checkpoint", "data", "dlpack", "hooks", "swap_tensors"]
