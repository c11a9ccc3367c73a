"""What aten's embedding_bag returns besides the bags' embeddings: each index's bag (offset2bag), the
bags' sizes and, for max bags, the row each maximum came from, with the conventions of torch's CPU
kernel (its fast float32 sum fills none of them)."""
from __future__ import annotations

from .creation import arange, empty, zeros
from .dtypes import float32
from .elementwise import where
from .searching import searchsorted
from .tensor import Tensor


def _bag_of_each_index(indices: Tensor, offsets: Tensor, include_last_offset: bool) -> tuple[Tensor, int]:
    """Index i's bag: the last offset at or before i; and the bag count. With include_last_offset the last
    offset closes the last bag, which still takes any index after it."""
    bags = offsets.numel() - 1 if include_last_offset else offsets.numel()
    positions = arange(indices.numel(), dtype=offsets.dtype, device=indices.device)
    bag = (searchsorted(offsets, positions, right=True) - 1).clamp(max=max(bags - 1, 0))
    return bag.to(indices.dtype), bags


def bag_statistics(weight: Tensor, indices: Tensor, offsets: Tensor, mode: str, include_last_offset: bool,
                   padding_idx: int | None) -> tuple[Tensor, Tensor, Tensor]:
    """(offset2bag, bag_size, max_indices) as torch's CPU embedding_bag gives them (none of them differentiable)."""
    weight, indices = weight.detach(), indices.detach()
    bag, bags = _bag_of_each_index(indices, offsets.detach(), include_last_offset)
    unset = zeros(bags, dtype=indices.dtype, device=indices.device)
    if mode == "sum":
        fast = weight.dtype is float32 and padding_idx is None
        return (empty(0, dtype=indices.dtype, device=indices.device) if fast else bag), unset, unset
    flat = indices.reshape(-1)
    members = bag.unsqueeze(0) == arange(bags, dtype=bag.dtype, device=bag.device).unsqueeze(1)
    if padding_idx is not None:
        members = members & (flat != padding_idx % weight.shape[0])
    sizes = members.sum(1).to(indices.dtype)
    if mode == "mean":
        return bag, sizes, sizes
    scores = where(members.unsqueeze(-1), weight[flat].unsqueeze(0), float("-inf"))
    rows = flat[scores.argmax(1)]
    return bag, sizes, where(sizes.unsqueeze(1) > 0, rows, 0).to(indices.dtype)
