"""einsum: the equation becomes one list of labels per operand (an ellipsis becomes numbered labels,
aligned from the right), repeated labels become diagonals, labels no one else needs are summed at once,
and the operands are contracted left to right: each pair is one batched matrix multiply (bmm), or a
broadcast multiply when the pair shares no label to sum. Everything is made of recorded ops, so the
gradient comes with them."""
from __future__ import annotations

import math
import string

from .dtypes import torch_name
from .elementwise import mul
from .products import bmm
from .tensor import Tensor
from .amp.autocast_mode import autocast_op

ELLIPSIS = "..."
_NO_OPERANDS = ("einsum(): must specify the equation string and at least one operand, or at least one operand and "
                "its subscripts list")


@autocast_op("einsum")
def einsum(*args) -> Tensor:
    """einsum(equation, *operands), einsum(equation, [operands]) or einsum(op1, sub1, op2, sub2, ..., [out])."""
    equation, operands = _arguments(args)
    for t in operands[1:]:
        if t.dtype is not operands[0].dtype:
            raise RuntimeError(f"expected scalar type {torch_name(operands[0].dtype)} but found {torch_name(t.dtype)}")
    inputs, output = _parse(equation, operands)
    terms = [_diagonals(t, labels, i) for i, (t, labels) in enumerate(zip(operands, inputs))]
    _check_sizes(terms)
    result, labels = terms[0]
    for k in range(1, len(terms)):
        needed = set(output).union(*(ls for _, ls in terms[k + 1:]))
        result, labels = _contract(result, labels, *terms[k], needed)
    result, labels = _sum_labels(result, labels, [label for label in labels if label not in output])
    if labels == output and all(result is not t for t in operands):
        return result
    return result.permute([labels.index(label) for label in output])


# ---- arguments and parsing ---------------------------------------------------------------------------

def _arguments(args) -> tuple[str, list[Tensor]]:
    if not args:
        raise ValueError(_NO_OPERANDS)
    if isinstance(args[0], str):
        operands = args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = operands[0]
        if not operands:
            raise ValueError(_NO_OPERANDS)
        return args[0], list(operands)
    ops, subs = list(args[0::2]), list(args[1::2])
    out = ops.pop() if len(args) % 2 else None
    equation = ",".join(_sublist(s) for s in subs) + ("" if out is None else "->" + _sublist(out))
    return equation, ops


def _sublist(subscripts) -> str:
    """A subscripts list (ints in [0, 52), Ellipsis) as equation text: 0-25 are A-Z, 26-51 a-z."""
    out = []
    for s in subscripts:
        if s is Ellipsis:
            out.append(ELLIPSIS)
        elif not 0 <= s < 52:
            raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")
        else:
            out.append(string.ascii_uppercase[s] if s < 26 else string.ascii_lowercase[s - 26])
    return "".join(out)


def _scan(text: str, start: int, who: str) -> list[str]:
    """The labels of one term, ELLIPSIS marking where its ellipsis is; start is its index in the equation."""
    labels, i = [], 0
    while i < len(text):
        c = text[i]
        if c == ".":
            if text[i:i + 3] != ELLIPSIS:
                part = "for output that is not part of any ellipsis (...)" if who == "output" else \
                    f"for {who} that is not part of any ellipsis"
                raise RuntimeError(f"einsum(): found '.' {part}")
            if ELLIPSIS in labels:
                raise RuntimeError(f"einsum(): found '.' for {who} for which an ellipsis was already found")
            labels.append(ELLIPSIS)
            i += 3
            continue
        if c in string.ascii_letters:
            labels.append(c)
        elif not c.isspace():
            raise RuntimeError(f"einsum(): invalid subscript given at index {start + i} in the equation string, "
                               "subscripts must be in [a-zA-Z]")
        i += 1
    return labels


def _parse(equation: str, operands: list[Tensor]) -> tuple[list[list[str]], list[str]]:
    """One label list per operand and the output's, the ellipsis expanded to labels '0', '1', ..."""
    lhs, arrow, rhs = equation.partition("->")
    terms, start = [], 0
    for text in lhs.split(","):
        terms.append((text, start))
        start += len(text) + 1
    if len(operands) > len(terms):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if len(operands) < len(terms):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    scanned = [_scan(text, at, f"operand {i}") for i, (text, at) in enumerate(terms)]
    spans = [_ellipsis_span(labels, t.ndim, i) for i, (labels, t) in enumerate(zip(scanned, operands))]
    width = max(spans, default=0)
    inputs = [_expand(labels, [str(width - n + j) for j in range(n)]) for labels, n in zip(scanned, spans)]
    if not arrow:
        counts = [label for labels in scanned for label in labels if label != ELLIPSIS]
        free = sorted(label for label in set(counts) if counts.count(label) == 1)
        return inputs, [str(j) for j in range(width)] + free
    output = _scan(rhs, len(lhs) + 2, "output")
    seen = {label for labels in inputs for label in labels}
    for label in output:
        if label != ELLIPSIS and output.count(label) > 1:
            raise RuntimeError(f"einsum(): output subscript {label} appears more than once in the output")
        if label != ELLIPSIS and label not in seen:
            raise RuntimeError(f"einsum(): output subscript {label} does not appear in the equation for any input "
                               "operand")
    return inputs, _expand(output, [str(j) for j in range(width)])


def _ellipsis_span(labels: list[str], ndim: int, i: int) -> int:
    """How many dims operand i's ellipsis covers."""
    named = len(labels) - labels.count(ELLIPSIS)
    if ELLIPSIS not in labels and named != ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) does not match the number of "
                           f"dimensions ({ndim}) for operand {i} and no ellipsis was given")
    if named > ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) is more than the number of "
                           f"dimensions ({ndim}) for operand {i}")
    return ndim - named


def _expand(labels: list[str], dims: list[str]) -> list[str]:
    if ELLIPSIS not in labels:
        return list(labels)
    at = labels.index(ELLIPSIS)
    return labels[:at] + dims + labels[at + 1:]


# ---- computing ---------------------------------------------------------------------------------------

def _diagonals(t: Tensor, labels: list[str], i: int) -> tuple[Tensor, list[str]]:
    """A label repeated in one operand selects the diagonal of those dims (a view)."""
    labels = list(labels)
    for label in dict.fromkeys(labels):
        while labels.count(label) > 1:
            p = labels.index(label)
            q = labels.index(label, p + 1)
            if t.shape[p] != t.shape[q]:
                raise RuntimeError(f"einsum(): subscript {label} is repeated for operand {i} but the sizes don't "
                                   f"match, {t.shape[q]} != {t.shape[p]}")
            t = t.diagonal(0, p, q)
            labels = [x for k, x in enumerate(labels) if k not in (p, q)] + [label]
    return t, labels


def _check_sizes(terms) -> None:
    """A label has one size in every operand, where size 1 broadcasts."""
    sizes: dict[str, int] = {}
    for i, (t, labels) in enumerate(terms):
        for dim, (label, n) in enumerate(zip(labels, t.shape)):
            seen = sizes.get(label, 1)
            if n != 1 and seen != 1 and n != seen and label.isdigit():
                raise RuntimeError(f"einsum(): dimension {dim} covered by ellipsis in operand {i}has size {n} which "
                                   f"does not broadcast with previously seen ellipsis with size {seen} for the "
                                   "respective dimension")  # (torch's words, its missing space too)
            if n != 1 and seen != 1 and n != seen:
                raise RuntimeError(f"einsum(): subscript {label} has size {n} for operand {i} which does not "
                                   f"broadcast with previously seen size {seen}")
            sizes[label] = max(seen, n) if n != 1 else seen


def _sum_labels(t: Tensor, labels: list[str], gone: list[str]) -> tuple[Tensor, list[str]]:
    if not gone:
        return t, labels
    return t.sum([labels.index(label) for label in gone]), [label for label in labels if label not in gone]


def _align(t: Tensor, labels: list[str], order: list[str], sizes: dict[str, int]) -> Tensor:
    """t permuted to `order` (labels t lacks become size-1 dims), shared labels expanded to their sizes."""
    present = [label for label in order if label in labels]
    t = t.permute([labels.index(label) for label in present])
    shape = [t.shape[present.index(label)] if label in labels else 1 for label in order]
    return t.reshape(shape).expand([sizes.get(label, n) for label, n in zip(order, shape)])


def _contract(a: Tensor, la: list[str], b: Tensor, lb: list[str], needed: set[str]) -> tuple[Tensor, list[str]]:
    """a and b combined over their shared labels: summed ones by one bmm, the others kept."""
    a, la = _sum_labels(a, la, [label for label in la if label not in needed and label not in lb])
    b, lb = _sum_labels(b, lb, [label for label in lb if label not in needed and label not in la])
    shared = [label for label in la if label in lb]
    batch = [label for label in shared if label in needed]
    summed = [label for label in shared if label not in needed]
    left = [label for label in la if label not in lb]
    right = [label for label in lb if label not in la]
    sizes = {label: max(a.shape[la.index(label)], b.shape[lb.index(label)]) for label in shared}
    if not summed:
        order = batch + left + right
        return mul(_align(a, la, order, sizes), _align(b, lb, order, sizes)), order
    a = _align(a, la, batch + left + summed, sizes)
    b = _align(b, lb, batch + summed + right, sizes)
    kept = list(a.shape[:len(batch) + len(left)]) + list(b.shape[len(batch) + len(summed):])
    nb, nl = math.prod(kept[:len(batch)]), math.prod(kept[len(batch):len(batch) + len(left)])
    ns, nr = math.prod(sizes[label] for label in summed), math.prod(kept[len(batch) + len(left):])
    return bmm(a.reshape(nb, nl, ns), b.reshape(nb, ns, nr)).reshape(kept), batch + left + right
