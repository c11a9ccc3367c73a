"""Formatting of tensor values, byte for byte as torch prints them (``torch.`` -> ``lazygrad.``).

A leaf module: plain Python and numpy only, it imports nothing else from lazygrad.

The rules (worked out against torch 2.13's printer):

* Print options: ``precision`` (4), ``threshold`` (1000), ``edgeitems`` (3), ``linewidth`` (80),
  ``sci_mode`` (None = automatic).  ``set_printoptions`` always resets ``sci_mode`` to its
  argument, as torch does.
* A tensor with more than ``threshold`` elements is summarized: along every dimension longer than
  ``2 * edgeitems`` only the first and last ``edgeitems`` entries are shown, with ``...`` between.
* One formatter is built from the values that are shown.  Integers and bools are right-aligned to
  the widest shown value.  Floats look at the nonzero finite shown values only: if all are
  integers the tensor prints in "int mode" (``1.``); scientific notation is chosen when the
  largest/smallest magnitude ratio exceeds 1000, the largest exceeds 1e8 or the smallest is below
  1e-4 (unless ``sci_mode`` forces it); otherwise fixed notation with ``precision`` digits.
* Rows wrap at ``linewidth``; nested brackets are indented by one column per level after the
  prefix, and dimensions above the second are separated by blank lines.
* Suffixes (``device=``, ``size=``, ``dtype=``, then the caller's extras) are joined with ``, `` or
  wrapped onto a new line indented by ``len(prefix)`` when the line would exceed ``linewidth``.
  The line length is measured on the text torch would print (``torch.float64`` is 3 characters
  shorter than ``lazygrad.float64``), so the result is always torch's output with ``torch.``
  replaced by ``lazygrad.``.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import asdict, dataclass
from typing import Iterator, Sequence

import numpy as np

__all__ = [
    "set_printoptions",
    "get_printoptions",
    "printoptions",
    "format_tensor",
    "format_size",
]


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the print options (same semantics as ``torch.set_printoptions``).

    ``profile`` ("default", "short" or "full") is applied first, then the explicit options.
    ``sci_mode`` is always assigned, so leaving it out resets it to automatic (as in torch).
    """
    if profile is not None:
        for key, val in _PROFILES.get(profile, {}).items():
            setattr(_OPTS, key, val)
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, object]:
    """The current options, as a dict that can be passed back to ``set_printoptions``."""
    return asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Temporarily change the print options; the previous ones are restored on exit."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


def format_size(shape: Sequence[int]) -> str:
    """``lazygrad.Size([3, 4])``, as torch prints ``torch.Size``."""
    return "lazygrad.Size([" + ", ".join(str(int(d)) for d in shape) + "])"


# ----------------------------------------------------------------------------------------------
# Element formatter
# ----------------------------------------------------------------------------------------------

_FLOAT_NAMES = frozenset({"float16", "float32", "float64", "bfloat16", "half", "float", "double"})


class _ElementFormatter:
    """Decides, from the values that will be shown, how every element is written."""

    def __init__(self, shown: np.ndarray, floating: bool, precision: int, sci_mode: bool | None):
        self.floating = floating
        self.precision = precision
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = shown.reshape(-1)
        if not floating:
            for v in _unique_list(flat):
                self.width = max(self.width, len(str(v)))
            return
        keep = np.isfinite(flat) & (flat != 0)
        vals = flat[keep]
        if vals.size == 0:
            return
        mags = np.abs(vals).astype(np.float64)
        lo = mags.min()
        hi = mags.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if sci_mode is None:
            with np.errstate(over="ignore"):  # the ratio may overflow to inf, which is "> 1000"
                ratio = hi / lo
            self.sci_mode = bool(ratio > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = bool(sci_mode)
        candidates = _unique_list(vals.astype(np.float64))
        if self.sci_mode:
            spec = f".{precision}e"
            extra = 0
        elif self.int_mode:
            spec = ".0f"
            extra = 1  # the trailing '.'
        else:
            spec = f".{precision}f"
            extra = 0
        for v in candidates:
            self.width = max(self.width, len(format(v, spec)) + extra)

    def __call__(self, value) -> str:
        if self.floating:
            value = float(value)
            if self.sci_mode:
                text = format(value, f"{self.width}.{self.precision}e")
            elif self.int_mode:
                text = format(value, ".0f")
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = format(value, f".{self.precision}f")
        else:
            text = str(value)
        if len(text) < self.width:
            text = " " * (self.width - len(text)) + text
        return text


class _ComplexFormatter:
    """torch's complex elements: the real parts with one formatter, the imaginary ones with another
    (each laid out over its own values), joined as `a+bj`."""

    def __init__(self, shown: np.ndarray, precision: int, sci_mode: bool | None):
        self.real = _ElementFormatter(shown.real, True, precision, sci_mode)
        self.imag = _ElementFormatter(shown.imag, True, precision, sci_mode)
        self.width = self.real.width + self.imag.width + 1  # (the 'j')

    def __call__(self, value) -> str:
        value = complex(value)
        imag = (self.imag(value.imag) + "j").lstrip()
        return self.real(value.real) + (imag if imag[0] in "+-" else "+" + imag)


def _unique_list(a: np.ndarray) -> list:
    """Python scalars for the distinct values of a 1-d array (width only depends on the value)."""
    if a.size > 64:
        a = np.unique(a)
    return a.tolist()


# ----------------------------------------------------------------------------------------------
# Layout
# ----------------------------------------------------------------------------------------------


def _shown_values(a: np.ndarray, edge: int) -> np.ndarray:
    """The values a summarized print shows (what torch feeds its formatter)."""
    if a.ndim == 0:
        return a
    if not edge:
        # everything prints as "[...]", so the formatter's choices do not matter (torch still
        # measures the whole of a 1-d tensor here; skipping that cannot change the output)
        return np.empty((0,) * a.ndim, dtype=a.dtype)
    index = [np.r_[0:edge, n - edge:n] if n > 2 * edge else np.arange(n) for n in a.shape]
    return a[np.ix_(*index)]  # gathers only the shown elements


def _render_vector(a: np.ndarray, indent: int, summarize: bool, fmt: _ElementFormatter,
                   edge: int, linewidth: int) -> str:
    per_line = max(1, math.floor((linewidth - indent) / (fmt.width + 2)))
    n = a.shape[0]
    if summarize and not edge:
        items = ["..."]
    elif summarize and n > 2 * edge:
        items = ([fmt(v) for v in a[:edge].tolist()] + [" ..."]
                 + [fmt(v) for v in a[n - edge:].tolist()])
    else:
        items = [fmt(v) for v in a.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _render(a: np.ndarray, indent: int, summarize: bool, fmt: _ElementFormatter,
            edge: int, linewidth: int) -> str:
    if a.ndim == 0:
        return fmt(a.item())
    if a.ndim == 1:
        return _render_vector(a, indent, summarize, fmt, edge, linewidth)
    n = a.shape[0]
    if summarize and n > 2 * edge:
        rows = ([_render(a[i], indent + 1, summarize, fmt, edge, linewidth) for i in range(edge)]
                + ["..."]
                + [_render(a[i], indent + 1, summarize, fmt, edge, linewidth)
                   for i in range(n - edge, n)])
    else:
        rows = [_render(a[i], indent + 1, summarize, fmt, edge, linewidth) for i in range(n)]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(rows) + "]"


_OURS = "lazygrad."
_THEIRS = "torch."


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int, linewidth: int,
                  force_newline: bool = False) -> str:
    parts = [text]
    # torch measures the last line as its length + 2 (also when there is no newline); a sparse tensor's
    # suffixes always start on a line of their own
    last_len = linewidth if force_newline else len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        # widths are measured on the text torch would write ("torch." where we write
        # "lazygrad."), so that the output equals torch's with the prefix replaced
        width = len(suffix) - suffix.count(_OURS) * (len(_OURS) - len(_THEIRS))
        if last_len + width + 2 > linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_len = indent + width
        else:
            parts.append(", " + suffix)
            last_len += width + 2
    parts.append(")")
    return "".join(parts)


def _shape_str(shape: tuple[int, ...]) -> str:
    return str(tuple(int(d) for d in shape))


def format_tensor(
    values: np.ndarray,
    dtype_name: str,
    *,
    show_dtype: bool,
    device: str | None = None,
    extras: Sequence[str] = (),
    prefix: str = "tensor(",
) -> str:
    """The repr of a tensor holding ``values``, exactly as torch writes it.

    ``values``: the tensor's values, numpy dtype matching ``dtype_name`` (e.g. "float32", "int64",
    "bool"). ``show_dtype``: append ``dtype=lazygrad.<dtype_name>`` (the caller applies torch's rule:
    hidden for the default float dtype, its complex type, int64 and bool).  For an *empty* tensor torch
    shows the dtype unless it is the default float dtype, so there it is also shown for the others.
    ``device``: e.g. "cuda:0", written as ``device='cuda:0'`` first among the suffixes (pass None
    when torch would not show it).  ``extras``: further suffixes appended in order after the dtype,
    e.g. ``"grad_fn=<AddBackward0>"`` or ``"requires_grad=True"``.  ``size=(...)`` is added by this
    function where torch adds it (empty tensors that are not 1-d, and ``edgeitems == 0``).
    """
    a = np.asarray(values)
    opts = _OPTS
    indent = len(prefix)
    suffixes: list[str] = []
    if device is not None:
        suffixes.append(f"device='{device}'")
    dtype_suffix = f"dtype=lazygrad.{dtype_name}"
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append("size=" + _shape_str(a.shape))
        if show_dtype or dtype_name in ("int64", "bool") or dtype_name.startswith("complex"):
            suffixes.append(dtype_suffix)
        body = "[]"
    else:
        if not opts.edgeitems:
            suffixes.append("size=" + _shape_str(a.shape))
        if show_dtype:
            suffixes.append(dtype_suffix)
        body = _tensor_body(a, dtype_name, indent)
    suffixes.extend(extras)
    return _add_suffixes(prefix + body, suffixes, indent, opts.linewidth)


def format_sparse(parts: Sequence[tuple[str, np.ndarray, str]], suffixes: Sequence[str],
                  force_newline: bool = True) -> str:
    """A sparse tensor's repr as torch writes it: `tensor(` and each (name, values, dtype name) part as
    `name=tensor(...)` on a line of its own, then the suffixes (size, nnz, dtype, layout...), from a new
    line for a COO tensor (force_newline)."""
    indent = len("tensor(")
    lines = []
    for name, values, dtype_name in parts:
        prefix = f"{name}=tensor("
        body = (_tensor_body(values, dtype_name, indent + len(prefix)) if values.size
                else "[], size=" + _shape_str(values.shape))
        lines.append(prefix + body + ")")
    return _add_suffixes("tensor(" + (",\n" + " " * indent).join(lines), suffixes, indent, _OPTS.linewidth,
                         force_newline=force_newline)


def _tensor_body(a: np.ndarray, dtype_name: str, indent: int) -> str:
    opts = _OPTS
    edge = opts.edgeitems
    summarize = a.size > opts.threshold
    floating = a.dtype.kind == "f" or dtype_name in _FLOAT_NAMES
    if floating and a.dtype.kind != "f":
        a = a.astype(np.float64)
    shown = _shown_values(a, edge) if summarize else a
    if a.dtype.kind == "c":
        return _render(a, indent, summarize, _ComplexFormatter(shown, opts.precision, opts.sci_mode), edge,
                       opts.linewidth)
    fmt = _ElementFormatter(shown, floating, opts.precision, opts.sci_mode)
    return _render(a, indent, summarize, fmt, edge, opts.linewidth)
