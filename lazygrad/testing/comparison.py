"""torch.testing.assert_close: whether two results agree, within tolerances chosen by dtype, with torch's
messages saying where they do not. Tensors, NumPy arrays, Python numbers, booleans and None are leaves;
sequences and mappings of them compare item by item.

Every leaf pair is checked (types, tolerances) before any values are, as torch does, so a malformed input
is reported even when an earlier item would also fail. The closeness itself is lazygrad's `isclose`, the
mismatch statistics NumPy arithmetic in the tensors' dtype (torch's numbers, bit for bit)."""
from __future__ import annotations

import cmath
import collections.abc
import contextlib
import warnings
from dataclasses import dataclass
from operator import attrgetter, methodcaller
from typing import Any, Callable, NoReturn

import numpy as np

from ..creation import as_tensor, tensor
from ..dtypes import DType, bfloat16, float16, float32, float64, get_default_dtype, int64, promote_types
from ..pointwise import isclose
from ..tensor import Tensor

# {dtype: (rtol, atol)}; every other dtype compares exactly
_PRECISIONS = {float16: (1e-3, 1e-5), bfloat16: (1.6e-2, 1e-5), float32: (1.3e-6, 1e-5), float64: (1e-7, 1e-7)}
# assert_allclose keeps the table torch used before assert_close
_ALLCLOSE_PRECISIONS = {float16: (1e-3, 1e-3), float32: (1e-4, 1e-5), float64: (1e-5, 1e-8)}

# the dtype whose tolerances a Python number takes. complex: complex128's, which are float64's. bool: a bool
# against an int reaches here; torch fails internally on it, lazygrad compares it as an int.
_NUMBER_DTYPES = {bool: int64, int: int64, float: float64, complex: float64}

# tensor attributes that must agree: (name in messages, getter, the option that enables it: None = always)
_ATTRIBUTES = (("shape", attrgetter("shape"), None), ("layout", attrgetter("layout"), "check_layout"),
               ("stride()", methodcaller("stride"), "check_stride"), ("device", attrgetter("device"), "check_device"),
               ("dtype", attrgetter("dtype"), "check_dtype"))


class _Failure(Exception):
    """A failed check: the exception class to raise, its message, and the item path naming where it failed."""

    def __init__(self, kind: type[Exception], message: str, id: tuple = ()):
        super().__init__(message)
        self.kind, self.message, self.id = kind, message, id

    def to_error(self, msg: str | Callable[[str], str] | None = None) -> Exception:
        """A str msg replaces the message (path included); a callable rewrites the full message."""
        if isinstance(msg, str):
            return self.kind(msg)
        message = self.message
        if self.id:
            message += f"\n\nThe failure occurred for item {''.join(str([item]) for item in self.id)}"
        return self.kind(msg(message) if callable(msg) else message)


@dataclass(frozen=True)
class _Options:
    """assert_close's keywords, handed to every pair, each pair reading those it uses."""
    allow_subclasses: bool
    rtol: float | None
    atol: float | None
    equal_nan: bool
    check_device: bool
    check_dtype: bool
    check_layout: bool
    check_stride: bool


def _default_tolerances(dtypes, precisions: dict[DType, tuple[float, float]]) -> tuple[float, float]:
    """The loosest (rtol, atol) of the dtypes."""
    rtols, atols = zip(*(precisions.get(dtype, (0.0, 0.0)) for dtype in dtypes))
    return max(rtols), max(atols)


def _tolerances(dtypes, options: _Options, id: tuple) -> tuple[float, float]:
    """Both tolerances given, or both defaults: atol=0 given alone would still pass what the default rtol allows."""
    rtol, atol = options.rtol, options.atol
    if (rtol is None) != (atol is None):
        raise _Failure(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                                   f"{'rtol' if rtol is None else 'atol'}.", id)
    return (rtol, atol) if rtol is not None else _default_tolerances(dtypes, _PRECISIONS)


def _mismatch_message(identifier: str, extra: str, rtol: float, atol: float, abs_diff, rel_diff,
                      abs_index: tuple | None = None, rel_index: tuple | None = None) -> str:
    """torch's report: a header, extra, and each greatest difference (at its index) with its allowance."""
    equality = rtol == 0 and atol == 0
    lines = [f"{identifier} are not {'equal' if equality else 'close'}!", "", extra]
    for kind, diff, index, tol in (("absolute", abs_diff, abs_index, atol), ("relative", rel_diff, rel_index, rtol)):
        line = f"{kind.title()} difference: {diff}" if index is None else \
            f"Greatest {kind} difference: {diff} at index {index}"
        lines.append(line if equality else f"{line} (up to {tol} allowed)")
    return "\n".join(lines)


def _scalar_mismatch(actual, expected, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_message("Scalars", f"Expected {expected} but got {actual}.", rtol, atol, abs_diff, rel_diff)


def _tensor_mismatch(actual: Tensor, expected: Tensor, matches: np.ndarray, rtol: float, atol: float,
                     what: str = "Tensor-likes") -> str:
    """Counts and the greatest differences among the mismatches, computed as torch computes them: in the dtype,
    integers widened to int64 (where differences may still wrap) and divided in the default float dtype."""
    total = matches.size
    mismatched = total - int(np.count_nonzero(matches))
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    a, e = (t._values().reshape(-1) for t in (actual, expected))
    if not actual.dtype.is_floating_point:
        a, e = a.astype(np.int64), e.astype(np.int64)
    quotient = a.dtype if actual.dtype.is_floating_point else get_default_dtype().np
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a - e)
        rel_diff = abs_diff.astype(quotient) / np.abs(e).astype(quotient)
    greatest = []
    for diff in (abs_diff, rel_diff):
        diff[matches.reshape(-1)] = 0
        flat = int(np.argmax(diff))
        greatest.append((diff[flat].item(), tuple(int(i) for i in np.unravel_index(flat, matches.shape))))
    (abs_max, abs_index), (rel_max, rel_index) = greatest
    return _mismatch_message(what, extra, rtol, atol, abs_max, rel_max, abs_index, rel_index)


class _Pair:
    """Two leaves and the item path naming them. `make` gives None for inputs the kind does not handle."""

    def __init__(self, actual, expected, id: tuple):
        self.actual, self.expected, self.id = actual, expected, id

    def fail(self, message: str) -> NoReturn:
        raise _Failure(AssertionError, message, self.id)


class _NonePair(_Pair):
    @classmethod
    def make(cls, actual, expected, id: tuple, options: _Options) -> _NonePair | None:
        return cls(actual, expected, id) if actual is None or expected is None else None

    def compare(self) -> None:
        if not (self.actual is None and self.expected is None):
            self.fail(f"None mismatch: {self.actual} is not {self.expected}")


class _BooleanPair(_Pair):
    @classmethod
    def make(cls, actual, expected, id: tuple, options: _Options) -> _BooleanPair | None:
        booleans = (bool, np.bool_)
        if not (isinstance(actual, booleans) and isinstance(expected, booleans)):
            return None
        return cls(bool(actual), bool(expected), id)

    def compare(self) -> None:
        if self.actual is not self.expected:
            self.fail(f"Booleans mismatch: {self.actual} is not {self.expected}")


class _NumberPair(_Pair):
    """Python numbers (and NumPy's), compared in Python: check_dtype compares their types."""

    def __init__(self, actual, expected, id: tuple, options: _Options):
        super().__init__(actual, expected, id)
        self.rtol, self.atol = _tolerances([_NUMBER_DTYPES[type(v)] for v in (actual, expected)], options, id)
        self.equal_nan, self.check_dtype = options.equal_nan, options.check_dtype

    @classmethod
    def make(cls, actual, expected, id: tuple, options: _Options) -> _NumberPair | None:
        numbers = (int, float, complex, np.number)
        if not (isinstance(actual, numbers) and isinstance(expected, numbers)):
            return None
        return cls(*(v.item() if isinstance(v, np.number) else v for v in (actual, expected)), id, options)

    def compare(self) -> None:
        actual, expected = self.actual, self.expected
        if self.check_dtype and type(actual) is not type(expected):
            self.fail(f"The (d)types do not match: {type(actual)} != {type(expected)}.")
        if actual == expected or (self.equal_nan and cmath.isnan(actual) and cmath.isnan(expected)):
            return
        abs_diff = abs(actual - expected)
        if cmath.isfinite(abs_diff) and abs_diff <= self.atol + self.rtol * abs(expected):
            return
        self.fail(_scalar_mismatch(actual, expected, self.rtol, self.atol))


class _TensorPair(_Pair):
    """Tensors, or two directly related objects `as_tensor` accepts (NumPy arrays)."""

    def __init__(self, actual: Tensor, expected: Tensor, id: tuple, options: _Options):
        super().__init__(actual, expected, id)
        self.rtol, self.atol = _tolerances((actual.dtype, expected.dtype), options, id)
        self.options = options

    @classmethod
    def make(cls, actual, expected, id: tuple, options: _Options) -> _TensorPair | None:
        if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
            return None
        if not options.allow_subclasses and type(actual) is not type(expected):
            return None
        try:
            tensors = [v if isinstance(v, Tensor) else as_tensor(v) for v in (actual, expected)]
        except Exception:  # whatever as_tensor refuses is no tensor-like
            return None
        return cls(*tensors, id, options)

    def compare(self) -> None:
        actual, expected = self.actual, self.expected
        for name, get, option in _ATTRIBUTES:
            if (option is None or getattr(self.options, option)) and get(actual) != get(expected):
                self.fail(f"The values for attribute '{name}' do not match: {get(actual)} != {get(expected)}.")
        if actual.device != expected.device:
            actual, expected = actual.cpu(), expected.cpu()
        if actual.dtype is not expected.dtype:
            dtype = promote_types(actual.dtype, expected.dtype)
            actual, expected = actual.to(dtype), expected.to(dtype)
        if actual.is_sparse or actual.is_sparse_csr:
            self._compare_sparse(actual, expected)
            return
        self._compare_values(actual, expected, self.rtol, self.atol)

    def _compare_values(self, actual: Tensor, expected: Tensor, rtol: float, atol: float,
                        what: str = "Tensor-likes") -> None:
        if actual.shape != expected.shape:  # (a sparse tensor's parts)
            self.fail(f"The values for attribute 'shape' do not match: {actual.shape} != {expected.shape}.")
        matches = isclose(actual.detach(), expected.detach(), rtol, atol, self.options.equal_nan)._values()
        if matches.all():
            return
        if actual.ndim == 0:
            self.fail(_scalar_mismatch(actual.item(), expected.item(), rtol, atol))
        self.fail(_tensor_mismatch(actual, expected, matches, rtol, atol, what))

    def _compare_sparse(self, actual: Tensor, expected: Tensor) -> None:
        """As torch compares them: a COO tensor's coalesced indices exactly and values closely; a CSR one's
        compressed and plain indices exactly, then its values."""
        if actual.is_sparse:
            actual, expected = actual.coalesce(), expected.coalesce()
            parts = [("Sparse COO indices", "_indices", True), ("Sparse COO values", "_values", False)]
        else:
            parts = [("Sparse CSR crow_indices", "crow_indices", True), ("Sparse CSR col_indices", "col_indices", True),
                     ("Sparse CSR values", "values", False)]
        for what, part, exact in parts:
            tolerances = (0.0, 0.0) if exact else (self.rtol, self.atol)
            self._compare_values(getattr(actual, part)(), getattr(expected, part)(), *tolerances, what=what)


_PAIR_KINDS = (_NonePair, _BooleanPair, _NumberPair, _TensorPair)


def _is_sequence(value) -> bool:
    """Strings are leaves: each item of one is a string again."""
    return isinstance(value, collections.abc.Sequence) and not isinstance(value, str)


def _pairs(actual, expected, id: tuple, options: _Options) -> list[_Pair]:
    """The leaf pairs of two nested structures, checked to match in shape, types and tolerances."""
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                           id)
        return [pair for i in range(len(actual)) for pair in _pairs(actual[i], expected[i], (*id, i), options)]
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
        if actual_keys != expected_keys:
            missing, additional = sorted(expected_keys - actual_keys), sorted(actual_keys - expected_keys)
            raise _Failure(AssertionError, "The keys of the mappings do not match:\n"
                                           f"Missing keys in the actual mapping: {missing}\n"
                                           f"Additional keys in the actual mapping: {additional}", id)
        keys = actual_keys
        with contextlib.suppress(Exception):  # in order when the keys have one, so the first failure is repeatable
            keys = sorted(keys)
        return [pair for key in keys for pair in _pairs(actual[key], expected[key], (*id, key), options)]
    for kind in _PAIR_KINDS:
        pair = kind.make(actual, expected, id, options)
        if pair is not None:
            return [pair]
    raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} and "
                              f"{type(expected)}.", id)


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True, rtol: float | None = None,
                 atol: float | None = None, equal_nan: bool = False, check_device: bool = True,
                 check_dtype: bool = True, check_layout: bool = True, check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Raises torch's error when actual and expected are not close: |actual - expected| <= atol + rtol * |expected|
    elementwise (infinities equal only to themselves, NaN to NaN only with equal_nan), with matching shapes and
    the checked attributes. msg replaces (str) or rewrites (callable) the message of a value or attribute
    mismatch; errors in the inputs' structure or types keep theirs, as in torch."""
    __tracebackhide__ = True
    options = _Options(allow_subclasses, rtol, atol, equal_nan, check_device, check_dtype, check_layout, check_stride)
    try:
        pairs = _pairs(actual, expected, (), options)
    except _Failure as failure:
        raise failure.to_error() from None
    for pair in pairs:
        try:
            pair.compare()
        except _Failure as failure:
            raise failure.to_error(msg) from None


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None, atol: float | None = None,
                    equal_nan: bool = True, msg: str = "") -> None:
    """Deprecated (as in torch): assert_close with the older tolerances, NaNs equal and dtypes promoted."""
    warnings.warn("`lazygrad.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future "
                  "release. Please use `lazygrad.testing.assert_close()` instead. You can find detailed upgrade "
                  "instructions in https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = _default_tolerances((actual.dtype, expected.dtype), _ALLCLOSE_PRECISIONS)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True, check_dtype=False,
                 check_stride=False, msg=msg or None)
