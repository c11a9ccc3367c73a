"""torch.func.rearrange: einops' rearrange patterns ("b h w c -> b (h w) c") as one reshape, one permute and
one reshape, so a rearranged tensor is a view where the permutation allows and gradients flow through it.

A side of a pattern is a list of groups: a name or "..." alone, or names, "1"s and "..." in one level of
parentheses ("()" is an empty group, of size 1). A left group's sizes come from the tensor's dim, from
axes_lengths, and at most one of them is inferred."""
from __future__ import annotations

import math
import re

from .tensor import Tensor

_TOKEN = re.compile(r"\.\.\.|[()]|[A-Za-z_][A-Za-z0-9_]*|\d+|\S")
_ELLIPSIS = "..."


class DimensionBindError(Exception):
    """Sizes a pattern gives that the tensor's dims cannot take (functorch's name for the error)."""


def _groups(side: str) -> list[list[str] | tuple[str]]:
    """The side's groups, each the names in it ("1" for a unit axis, "..." for the ellipsis): a list for a
    parenthesized group, a 1-tuple for a name standing alone."""
    groups, open_group = [], None
    for token in _TOKEN.findall(side):
        if token == "(":
            if open_group is not None:
                raise ValueError("Axis composition is one-level (brackets inside brackets not allowed)")
            open_group = []
        elif token == ")":
            if open_group is None:
                raise ValueError(f"Brackets are not balanced in '{side.strip()}'")
            groups.append(open_group)
            open_group = None
        elif token.isdigit() and token != "1":
            raise ValueError("rearrange only supports unnamed axes of size 1")
        elif not (token == _ELLIPSIS or token == "1" or token[0].isalpha() or token[0] == "_"):
            raise ValueError(f"Invalid axis identifier: '{token}'")
        elif open_group is not None:
            open_group.append(token)
        else:
            groups.append((token,))
    if open_group is not None:
        raise ValueError(f"Brackets are not balanced in '{side.strip()}'")
    names = [n for g in groups for n in g if n != "1"]
    for n in names:
        if names.count(n) > 1:
            raise ValueError(f"Indexing expression contains duplicate dimension '{n}'")
    return groups


def _spread_ellipsis(groups: list[list[str]], count: int) -> list[list[str]]:
    """The ellipsis replaced by `count` names of its own, in place (inside a group if it stood in one)."""
    covered = [f"...{k}" for k in range(count)]
    out = []
    for g in groups:
        if g == (_ELLIPSIS,):
            out.extend([name] for name in covered)
        else:
            out.append([n for name in g for n in (covered if name == _ELLIPSIS else [name])])
    return out


def _left_sizes(groups: list[list[str]], shape: tuple, lengths: dict) -> dict[str, int]:
    """Each name's size: from the tensor's dim its group matches, given, or the one left to infer."""
    sizes = {}
    for group, dim in zip(groups, shape):
        names = [n for n in group if n != "1"]
        unknown = [n for n in names if n not in lengths]
        known = math.prod(lengths[n] for n in names if n in lengths)
        if len(unknown) > 1:
            raise DimensionBindError(f"cannot infer the sizes of two dimensions at once {unknown[0]} and "
                                     f"{unknown[1]}")
        if unknown:
            if known == 0 or dim % known:
                raise DimensionBindError(f"inferred dimension does not evenly fit into larger dimension: {dim} vs "
                                         f"{tuple(lengths.get(n, '?') for n in names)}")
            sizes[unknown[0]] = dim // known
        elif known != dim:
            raise DimensionBindError(f"Dimension sizes to do not match ({dim} != {known}) when matching dimension "
                                     f"pack ({', '.join(names) or '1'})")
        sizes.update((n, lengths[n]) for n in names if n in lengths)
    return sizes


def rearrange(tensor: Tensor | list[Tensor] | tuple[Tensor, ...], pattern: str, **axes_lengths: int) -> Tensor:
    """tensor's elements reordered by an einops pattern: transposes, merges ("(a b)") and splits of dims,
    unit dims ("1", "()") added or dropped, "..." for the dims not named; a list of tensors is stacked first."""
    from .movement import stack
    if isinstance(tensor, (list, tuple)):
        tensor = stack(list(tensor))
    if pattern.count("->") != 1:
        raise ValueError("Pattern must contain a single '->' separator")
    left, right = (_groups(side) for side in pattern.split("->"))
    named = [{n for g in side for n in g if n not in ("1", _ELLIPSIS)} for side in (left, right)]
    if named[0] != named[1]:
        raise ValueError("Identifiers only on one side of rearrange expression (should be on both): "
                         f"{named[0] ^ named[1]}")
    unused = set(axes_lengths) - named[0]
    if unused:
        raise ValueError(f"Identifiers not found in rearrange expression: {unused}")
    has_ellipsis = any(_ELLIPSIS in g for g in left)
    fixed = len(left) - has_ellipsis
    if (tensor.ndim < fixed) if has_ellipsis else (tensor.ndim != fixed):
        raise ValueError(f"Number of dimensions in pattern ({fixed}) must be equal to the number of dimensions in "
                         f"the tensor ({tensor.ndim})")
    covered = tensor.ndim - fixed
    left, right = _spread_ellipsis(left, covered), _spread_ellipsis(right, covered)
    sizes = _left_sizes(left, tuple(tensor.shape), axes_lengths)
    order = [n for g in left for n in g if n != "1"]  # the elementary dims, as the input holds them
    split = tensor.reshape([sizes[n] for n in order])
    wanted = [n for g in right for n in g if n != "1"]
    moved = split.permute([order.index(n) for n in wanted])
    return moved.reshape([math.prod(sizes[n] for n in g if n != "1") for g in right])
