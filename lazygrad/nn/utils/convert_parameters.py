"""Parameters as one flat vector and back (views of one storage are not assumed)."""
from __future__ import annotations

from typing import Iterable

from ...tensor import Tensor


def _check_device(t: Tensor, device):
    if device is not None and t.device != device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return t.device


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    from ...movement import cat
    flat, device = [], None
    for p in parameters:
        device = _check_device(p, device)
        flat.append(p.view(-1))
    return cat(flat)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Slices of vec become the parameters' data (in order)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    start, device = 0, None
    for p in parameters:
        device = _check_device(p, device)
        n = p.numel()
        p.data = vec[start:start + n].view_as(p).data
        start += n
