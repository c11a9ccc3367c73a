"""Attention: scaled_dot_product_attention and the multi-head attention that nn.MultiheadAttention calls.
Both are compositions of lazy ops (two matrix multiplies around a softmax that fuses with its mask and
scale), so their gradients come from the ops' own formulas."""
from __future__ import annotations

import math
import warnings

from ...creation import ones, zeros
from ...dtypes import C_NAMES, bool_, float32
from ...elementwise import where
from ...movement import cat
from ...tensor import Tensor
from .activations import softmax
from .layers import dropout, linear
from .padding import pad
from ...amp.autocast_mode import autocast_op

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

def _c_name(dtype) -> str:
    """A dtype as torch's C++ messages print it."""
    return C_NAMES.get(dtype.name, dtype.name)


def _check_sdpa(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None, is_causal: bool,
                dropout_p: float = 0.0) -> None:
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_c_name(query.dtype)} key.dtype: {_c_name(key.dtype)} and value.dtype: "
                           f"{_c_name(value.dtype)} instead.")
    if attn_mask is not None and attn_mask.dtype not in (bool_, float32, query.dtype):
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_c_name(attn_mask.dtype)} and  query.dtype: {_c_name(query.dtype)} "
                           "instead.")
    if is_causal and attn_mask is not None and not _fused_eligible(query, key, value, attn_mask, dropout_p):
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")


def _fused_eligible(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor, dropout_p: float) -> bool:
    """Whether torch would run its fused (flash) kernel, which applies a mask and causality together (its
    math kernel refuses both): 4-D inputs of one head size, no dropout, a mask needing no gradient, the flash
    kernel enabled."""
    from ...backends import cuda as cuda_backends
    return (query.dim() == key.dim() == value.dim() == 4 and query.size(-1) == key.size(-1) == value.size(-1)
            and dropout_p == 0.0 and not attn_mask.requires_grad and cuda_backends.sdp_switches()["flash"])


def _grouped(query: Tensor, kv: Tensor) -> Tensor:
    """Key or value heads repeated so that each serves its group of query heads (grouped-query attention)."""
    heads, kv_heads = query.size(-3), kv.size(-3)
    return kv if heads == kv_heads else kv.repeat_interleave(heads // kv_heads, -3)


@autocast_op("scaled_dot_product_attention")
def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q k^T * scale + mask) v over the last two dims. A bool mask marks the keys each query may attend
    to, a float mask is added; rows with no key left give zeros (as torch's math path), not NaN. A CausalBias
    mask (nn.attention.bias) runs its own way, as its __torch_function__ makes torch's."""
    from ..attention.bias import CausalBias
    if isinstance(attn_mask, CausalBias):
        return attn_mask._dispatch(query, key, value, dropout_p, is_causal, scale, enable_gqa)
    _check_sdpa(query, key, value, attn_mask, is_causal, dropout_p)
    from ..attention import check_kernel_enabled
    check_kernel_enabled(query.device.type)
    if enable_gqa:
        heads = query.size(-3)
        if heads % key.size(-3) or heads % value.size(-3):
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
        key, value = _grouped(query, key), _grouped(query, value)
    scale = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:  # (with a mask too, both apply, as torch 2.13's fused kernel does)
        scores = where(ones(query.size(-2), key.size(-2), dtype=bool_, device=query.device).tril(), scores, -math.inf)
    if attn_mask is not None:
        scores = (where(attn_mask, scores, -math.inf) if attn_mask.dtype == bool_
                  else scores + attn_mask.to(scores.dtype))  # (a float32 mask joins any query's dtype)
    weights = softmax(scores, -1)
    if attn_mask is not None:
        weights = where((scores == -math.inf).all(-1, keepdim=True), 0.0, weights)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, True)
    return weights @ value


# ---- multi-head attention ------------------------------------------------------------------------------------

def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                     attn_mask: Tensor | None, num_heads: int) -> bool:
    """Whether the input is batched, after torch's rank checks."""
    if query.dim() not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D "
                             "query tensor")
    batched = query.dim() == 3
    kind, rank = ("batched (3-D)", 3) if batched else ("unbatched (2-D)", 2)
    if key.dim() != rank or value.dim() != rank:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {rank}-D but found {key.dim()}-D "
                             f"and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != rank - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or {rank - 1}-D but "
                             f"found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.dim()}-D tensor instead")
        if not batched and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
    return batched


def _canonical_mask(mask: Tensor | None, name: str, other: Tensor | None, other_name: str, dtype) -> Tensor | None:
    """A bool mask (True = masked out) as an additive float mask of -inf and 0."""
    if mask is None:
        return None
    if mask.dtype != bool_ and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and mask.dtype != other.dtype:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    return mask if mask.is_floating_point() else zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(
        mask, -math.inf)


def _in_projection(query: Tensor, key: Tensor, value: Tensor, weights: tuple[Tensor, Tensor, Tensor],
                   biases: tuple) -> tuple[Tensor, Tensor, Tensor]:
    """q, k, v projections; self-attention projects once with the packed weight."""
    if query is key and key is value and weights[0].shape == weights[1].shape == weights[2].shape:
        packed_bias = None if biases[0] is None else cat(biases)
        return linear(query, cat(weights), packed_bias).chunk(3, -1)
    return tuple(linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))


def _check_attn_mask(attn_mask: Tensor, tgt_len: int, src_len: int, bsz: int, num_heads: int) -> Tensor:
    """attn_mask as (1 or bsz*num_heads, tgt_len, src_len), after torch's shape checks."""
    expected = {2: (tgt_len, src_len), 3: (bsz * num_heads, tgt_len, src_len)}
    if attn_mask.dim() not in expected:
        raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if tuple(attn_mask.shape) != expected[attn_mask.dim()]:
        raise RuntimeError(f"The shape of the {attn_mask.dim()}D attn_mask is {attn_mask.shape}, but should be "
                           f"{expected[attn_mask.dim()]}.")
    return attn_mask.unsqueeze(0) if attn_mask.dim() == 2 else attn_mask


def _check_static(name: str, static: Tensor, rows: int, head_dim: int) -> None:
    if static.size(0) != rows:
        raise AssertionError(f"expecting {name}.size(0) of {rows}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")


def _heads(x: Tensor, rows: int, head_dim: int) -> Tensor:
    """(S, N, E) -> (N * heads, S, head_dim)."""
    return x.reshape(x.shape[0], rows, head_dim).transpose(0, 1)


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
                                 bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float,
                                 out_proj_weight: Tensor, out_proj_bias: Tensor | None, training: bool = True,
                                 key_padding_mask: Tensor | None = None, need_weights: bool = True,
                                 attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
                                 q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
                                 v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
                                 static_v: Tensor | None = None, average_attn_weights: bool = True,
                                 is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Attention over (L, N, E) query and (S, N, E) key/value (or unbatched (L, E), (S, E)): project, split
    into heads, attend, merge, project out. Returns the output and, with need_weights, the attention weights
    (averaged over heads unless average_attn_weights is False)."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        key_padding_mask = None if key_padding_mask is None else key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", attn_mask, "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        weights = tuple(in_proj_weight.chunk(3))
    biases = (None,) * 3 if in_proj_bias is None else tuple(in_proj_bias.chunk(3))
    q, k, v = _in_projection(query, key, value, weights, biases)
    if attn_mask is not None:
        attn_mask = _check_attn_mask(attn_mask, tgt_len, src_len, bsz, num_heads)
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k is set but bias_v is None" if bias_v is None else
                             "bias_v is set but bias_k is None")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError(f"bias cannot be added to static {'key' if static_k is not None else 'value'}.")
        k, v = cat([k, bias_k.repeat(1, bsz, 1)]), cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    rows = bsz * num_heads
    q = _heads(q, rows, head_dim)
    for name, static in (("static_k", static_k), ("static_v", static_v)):
        if static is not None:
            _check_static(name, static, rows, head_dim)
    k = _heads(k, rows, head_dim) if static_k is None else static_k
    v = _heads(v, rows, head_dim) if static_v is None else static_v
    if add_zero_attn:
        k = cat([k, zeros(rows, 1, head_dim, dtype=k.dtype, device=k.device)], 1)
        v = cat([v, zeros(rows, 1, head_dim, dtype=v.dtype, device=v.device)], 1)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    src_len = k.size(1)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got {key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        padding = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1).reshape(rows, 1, src_len)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    if not training:
        dropout_p = 0.0
    if need_weights:
        scores = (q * math.sqrt(1.0 / head_dim)) @ k.transpose(-2, -1)
        weights = softmax(scores if attn_mask is None else scores + attn_mask, -1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = (weights @ v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        return (out, weights) if batched else (out.squeeze(1), weights.squeeze(0))
    if attn_mask is not None:
        attn_mask = attn_mask.unsqueeze(0) if attn_mask.size(0) == 1 else attn_mask.reshape(bsz, num_heads, -1,
                                                                                          src_len)
    split = (bsz, num_heads, -1, head_dim)
    out = scaled_dot_product_attention(q.reshape(split), k.reshape(split), v.reshape(split), attn_mask, dropout_p)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    return (out if batched else out.squeeze(1)), None
