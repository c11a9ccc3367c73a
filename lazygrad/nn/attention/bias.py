"""torch.nn.attention.bias: causal masks that scaled_dot_product_attention takes as its attn_mask without a
mask tensor: aligned to the upper left (query i sees keys up to i) or to the lower right (the last query sees
every key). Upper-left runs as is_causal; lower-right as the bool mask it stands for, which fuses into the
attention graph the same way."""
from __future__ import annotations

import warnings
from enum import IntEnum, auto

from ...creation import empty, ones
from ...dtypes import bool_
from ...tensor import Tensor

__all__ = ["causal_upper_left", "causal_lower_right", "CausalVariant", "CausalBias"]


class CausalVariant(IntEnum):
    """Where the causal triangle is anchored when the query and key lengths differ."""
    UPPER_LEFT = auto()
    LOWER_RIGHT = auto()


class CausalBias(Tensor):
    """A causal mask known by its variant and lengths. As torch's, it is a tensor built by the legacy
    constructor from those three numbers (shape (variant, seq_len_q, seq_len_kv)); ops other than attention
    see that tensor."""
    __module__ = "lazygrad.nn.attention.bias"

    def __new__(cls, variant: CausalVariant, seq_len_q: int, seq_len_kv: int) -> CausalBias:
        data = empty(int(variant), seq_len_q, seq_len_kv)
        return cls._make(data._storage, data._shape, data._strides, data._offset)

    def __init__(self, variant: CausalVariant, seq_len_q: int, seq_len_kv: int) -> None:
        if not isinstance(variant, CausalVariant):
            raise AssertionError(f"variant must be a CausalVariant, got {type(variant).__name__}")
        self.variant, self.seq_len_q, self.seq_len_kv = variant, seq_len_q, seq_len_kv
        if seq_len_q > seq_len_kv and variant == CausalVariant.LOWER_RIGHT:
            warnings.warn("Lower right causal bias will produce NaNs in the output when seq_len_q > seq_len_kv!",
                          stacklevel=2)

    def _materialize(self, device=None) -> Tensor:
        """The bool mask: True where a query may attend to a key."""
        offset = self.seq_len_kv - self.seq_len_q if self.variant == CausalVariant.LOWER_RIGHT else 0
        return ones(self.seq_len_q, self.seq_len_kv, dtype=bool_, device=device or "cpu").tril(offset)

    def _dispatch(self, query: Tensor, key: Tensor, value: Tensor, dropout_p: float, is_causal: bool,
                  scale: float | None, enable_gqa: bool) -> Tensor:
        """scaled_dot_product_attention with this mask, as torch's CPU path runs it."""
        from ..functional.attention import scaled_dot_product_attention
        if is_causal:
            raise ValueError("CausalBias should not be used with causal=True")
        if self.seq_len_q == self.seq_len_kv or self.variant == CausalVariant.UPPER_LEFT:
            return scaled_dot_product_attention(query, key, value, None, dropout_p, True, scale, enable_gqa)
        _validate_inputs(query, key, value)
        return scaled_dot_product_attention(query, key, value, self._materialize(query.device), dropout_p, False,
                                            scale, enable_gqa)

    def __repr__(self) -> str:
        return repr(self._materialize())


def _validate_inputs(query: Tensor, key: Tensor, value: Tensor) -> None:
    """The checks of torch's Python path for a lower-right mask (its own words, ValueErrors)."""
    if query.dtype != key.dtype or query.dtype != value.dtype:
        raise ValueError(f"Expected query, key, and value to have the same dtype, but got query.dtype: {query.dtype}, "
                         f"key.dtype: {key.dtype}, and value.dtype: {value.dtype} instead.")
    if query.device != key.device or query.device != value.device:
        raise ValueError(f"Expected query, key, and value to have the same device type, but got query.device: "
                         f"{query.device}, key.device: {key.device}, and value.device: {value.device} instead.")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise ValueError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                         f"{query.dim()}, key.dim: {key.dim()} and value.dim: {value.dim()} instead.")


def _causal(variant: CausalVariant, name: str, size: tuple) -> CausalBias:
    if len(size) != 2:
        raise AssertionError(f"{name} only supports 2D tensors")
    return CausalBias(variant, *size)


def causal_upper_left(*size) -> CausalBias:
    """Query i attends to keys 0..i."""
    return _causal(CausalVariant.UPPER_LEFT, "causal_upper_left", size)


def causal_lower_right(*size) -> CausalBias:
    """Query i attends to keys 0..i + (seq_len_kv - seq_len_q): the last query sees every key."""
    return _causal(CausalVariant.LOWER_RIGHT, "causal_lower_right", size)
