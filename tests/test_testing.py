"""lazygrad.testing against torch.testing: assert_close passes and fails where torch's does, with torch's exception
class and message (for tensors of every dtype, NaN, infinities, Python and NumPy scalars, NumPy arrays, sequences and
mappings, attribute mismatches, tolerances and msg); assert_allclose warns and compares as torch's; make_tensor
raises torch's errors and draws values with torch's ranges and layouts (the values themselves differ: they come from
lazygrad's generator).

Each case is one lambda `f(m)` written once for both libraries: `m` is lazygrad or torch. Shapes stay small and few,
since each new shape and dtype compiles an isclose kernel."""
from __future__ import annotations

import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import lazygrad as lg
from oracle import torch_or_skip

NAN, INF = math.nan, math.inf


def outcome(call, m):
    """None if call(m) returns, else its exception class and message (torch's module prefix as lazygrad's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(m)
        except Exception as error:  # the class is part of what is compared
            return type(error), str(error).replace("torch.", "lazygrad.")
    return None


def same_outcome(call) -> None:
    assert outcome(call, lg) == outcome(call, torch_or_skip())


def close(*args, **kwargs):
    """f(m) running m.testing.assert_close on the tensors (made by m) and values args give."""
    return lambda m: m.testing.assert_close(*(a(m) if callable(a) else a for a in args), **kwargs)


def t(data, dtype="float32", **kwargs):
    return lambda m: m.tensor(data, dtype=getattr(m, dtype), **kwargs)


A3 = np.array([1.0, 2.0, 3.0])

ASSERT_CLOSE = {
    # values of each dtype: close, not close (the message's counts, greatest differences and indices)
    **{f"{dtype}_equal": close(t(A3, dtype), t(A3, dtype)) for dtype in
       ("float16", "bfloat16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool")},
    **{f"{dtype}_far": close(t(A3, dtype), t([1.0, 2.5, 3.75], dtype)) for dtype in
       ("float16", "bfloat16", "float32", "float64")},
    **{f"{dtype}_within_default_rtol": close(t(A3 * (1 + rtol / 2), dtype), t(A3, dtype)) for dtype, rtol in
       (("float16", 1e-3), ("bfloat16", 1.6e-2), ("float32", 1.3e-6), ("float64", 1e-7))},
    **{f"{dtype}_differ": close(t([1, 2, 0], dtype), t([1, 5, 3], dtype)) for dtype in
       ("int8", "uint8", "int16", "int32", "int64")},
    "int8_wrapping_difference": close(t([100, 2, 3], "int8"), t([-100, 2, 3], "int8")),
    "int64_overflowing_difference": close(t([2**62, 5, 3], "int64"), t([-2**62, 5, 3], "int64")),
    "bool_differ": close(t([True, False, True], "bool"), t([False, False, True], "bool")),
    "2d_index": close(t([[1.0, 2.0], [3.0, 4.0]]), t([[1.0, 2.0], [3.5, 4.0]])),
    "relative_and_absolute_at_different_places": close(t([100.0, 0.001, 3.0]), t([101.0, 0.002, 3.0])),
    "zero_expected": close(t([1.0, 2.0, 3.0]), t([0.0, 2.0, 3.0])),
    "empty": close(lambda m: m.zeros(0), lambda m: m.zeros(0)),
    # NaN and infinities
    "nan_scalar": close(t(NAN), t(NAN)),
    "nan_scalar_equal_nan": close(t(NAN), t(NAN), equal_nan=True),
    "nan_tensor": close(t([NAN, 1.0, 3.0]), t([NAN, 1.0, 3.0])),
    "nan_tensor_equal_nan": close(t([NAN, 1.0, 3.0]), t([NAN, 1.0, 3.0]), equal_nan=True),
    "nan_against_number": close(t([NAN, 1.0, 3.0]), t([1.0, NAN, 3.0]), equal_nan=True),
    "inf_equal": close(t([INF, -INF, 3.0]), t([INF, -INF, 3.0])),
    "inf_opposite": close(t([INF, 1.0, 3.0]), t([-INF, 1.0, 3.0])),
    "inf_against_number": close(t([INF, 1.0, 3.0]), t([1e30, 1.0, 3.0])),
    # 0-d tensors report as scalars
    "0d_float": close(t(1.5), t(1.0)),
    "0d_bfloat16": close(t(1.5, "bfloat16"), t(1.0, "bfloat16")),
    "0d_int": close(t(3, "int64"), t(4, "int64")),
    "0d_bool": close(t(True, "bool"), t(False, "bool")),
    "0d_zero_expected": close(t(1.0), t(0.0)),
    # tolerances
    "given_tolerances_pass": close(t(A3), t([1.0, 2.1, 3.0]), rtol=0, atol=0.2),
    "given_tolerances_fail": close(t(A3), t([1.0, 2.1, 3.0]), rtol=0.01, atol=0.01),
    "zero_tolerances": close(t(A3), t([1.0, 2.0, 3.0000002]), rtol=0, atol=0),
    "rtol_only": close(t(A3), t(A3), rtol=0),
    "atol_only": close(t(A3), t(A3), atol=1.0),
    "atol_only_nested": close([t(A3)], [t(A3)], atol=1.0),
    "rtol_only_booleans_unchecked": close(True, True, rtol=1.0),
    "rtol_only_empty_sequences": close([], [], rtol=1.0),
    # attributes
    "shape": close(t([1.0, 2.0]), t(A3)),
    "dtype": close(t(A3), t(A3, "float64")),
    "dtype_unchecked": close(t(A3), t(A3, "float64"), check_dtype=False),
    "dtype_unchecked_promoted": close(t([1, 2, 3], "int64"), t([1.0, 2.5, 3.0], "float16"), check_dtype=False),
    "dtype_unchecked_bool_int": close(t([True, False, True], "bool"), t([1, 0, 2], "int32"), check_dtype=False),
    "dtype_before_values": close(t([1.0, 2.0]), t([5.0, 6.0], "float64")),
    "stride": close(lambda m: m.zeros(2, 3).t(), lambda m: m.zeros(3, 2), check_stride=True),
    "stride_unchecked": close(lambda m: m.zeros(2, 3).t(), lambda m: m.zeros(3, 2)),
    "device_same": close(t(A3), t(A3), check_device=True),
    "requires_grad": close(t(A3, requires_grad=True), t([1.0, 2.0, 3.5])),
    # msg
    "msg_str": close(t(A3), t([1.0, 2.5, 3.0]), msg="the values differ"),
    "msg_callable": close(t(A3), t([1.0, 2.5, 3.0]), msg=lambda text: f"Header\n\n{text}\n\nFooter"),
    "msg_str_nested": close([t(A3)], [t([1.0, 2.5, 3.0])], msg="the values differ"),
    "msg_callable_nested": close([[1]], [[1.5]], msg=lambda text: "H " + text),
    "msg_attribute": close(t(A3), t(A3, "float64"), msg=lambda text: text + " (and more)"),
    "msg_not_for_structure": close([1, 2], [1, 2, 3], msg="ignored"),
    "msg_not_for_types": close("a", "a", msg="ignored"),
    # Python and NumPy scalars
    "int_equal": close(3, 3),
    "int_differ": close(3, 4),
    "float_close": close(1.0, 1.0 + 1e-8),
    "float_far": close(1e-9, 1e-10, rtol=0, atol=0),
    "float_zero_expected": close(1.0, 0.0),
    "int_float": close(1, 1.0),
    "int_float_unchecked": close(1, 1.0, check_dtype=False),
    "float_nan": close(NAN, NAN),
    "float_nan_equal_nan": close(NAN, NAN, equal_nan=True),
    "float_inf": close(INF, INF),
    "float_inf_opposite": close(INF, -INF),
    "complex_equal": close(1 + 2j, 1 + 2j),
    "complex_differ": close(1 + 2j, 1 + 3j),
    "numpy_scalars": close(np.float32(1.0), np.float64(1.0)),
    "numpy_scalars_differ": close(np.float32(1.1), 1.0),
    "numpy_int_python_int": close(np.int8(3), 3),
    "bools": close(True, True),
    "bools_differ": close(np.bool_(True), False),
    "none": close(None, None),
    "none_differ": close(None, 1),
    # NumPy arrays
    "numpy_equal": close(np.array([1.0, 2.0]), np.array([1.0, 2.0])),
    "numpy_differ": close(np.array([1.0, 2.0]), np.array([1.0, 2.5])),
    "numpy_float32": close(np.array([1.0, 2.0], np.float32), np.array([1.0, 2.5], np.float32)),
    "numpy_int": close(np.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 7]])),
    "numpy_dtype": close(np.array([1.0, 2.0]), np.array([1.0, 2.0], np.float32)),
    "numpy_strings": close(np.array(["a"]), np.array(["a"])),
    # types
    "tensor_number": close(t(1.0), 1.0),
    "numpy_tensor": close(np.array([1.0]), t([1.0])),
    "numpy_scalar_numpy_array": close(np.float64(1.0), np.array(1.0)),
    "strings": close("a", "a"),
    "subclass": close(lambda m: m.nn.Parameter(m.ones(3)), lambda m: m.ones(3)),
    "subclass_refused": close(lambda m: m.nn.Parameter(m.ones(3)), lambda m: m.ones(3), allow_subclasses=False),
    # sequences and mappings
    "sequence_equal": close([t([1.0]), 2.0, np.array(3.0)], (t([1.0]), 2.0, np.array(3.0))),
    "sequence_differ": close([t([1.0]), 2.0, (3, t([4.0]))], [t([1.0]), 2.0, (3, t([4.5]))]),
    "sequence_length": close([1, 2], (1, 2, 3)),
    "sequence_nested_length": close([[1, 2]], [[1]]),
    "sequence_type_error_before_values": close([1, "x"], [2, "x"]),
    "size": close(lambda m: m.Size([2, 3]), lambda m: m.Size([2, 4])),
    "mapping_equal": close(OrderedDict([("a", t([1.0])), ("b", 2.0)]), {"b": 2.0, "a": t([1.0])}),
    "mapping_differ": close({"a": t([1.0]), "b": t(2.0)}, {"b": t(2.5), "a": t([1.0])}),
    "mapping_keys": close({"a": 1, "c": 2}, {"b": 1, "c": 2}),
    "mapping_first_failure_by_key": close({"b": 1, "a": 1}, {"b": 2, "a": 3}),
    "mapping_nested": close({"a": [1.0, {"b": t(A3)}]}, {"a": [1.0, {"b": t([1.0, 2.0, 4.0])}]}),
    "mapping_unsortable_keys": close({1: 1.0, "a": 2.0}, {1: 1.0, "a": 2.0}),
}


@pytest.mark.parametrize("name", sorted(ASSERT_CLOSE))
def test_assert_close_like_torch(name):
    same_outcome(ASSERT_CLOSE[name])


def test_assert_close_message_text():
    """One message spelled out, so the format itself is pinned and not only its agreement with torch."""
    with pytest.raises(AssertionError) as error:
        lg.testing.assert_close(lg.tensor([1.0, 4.0, 5.0]), lg.tensor([1.0, 2.0, 3.0]))
    assert str(error.value) == ("Tensor-likes are not close!\n\nMismatched elements: 2 / 3 (66.7%)\n"
                                "Greatest absolute difference: 2.0 at index (1,) (up to 1e-05 allowed)\n"
                                "Greatest relative difference: 1.0 at index (1,) (up to 1.3e-06 allowed)")


def test_integer_relative_difference_in_default_dtype():
    """Integer differences divide in the default float dtype, as torch's true division does."""
    torch = torch_or_skip()
    call = close(t([1, 2, 3], "int64"), t([1, 2, 7], "int64"))
    for m in (lg, torch):
        m.set_default_dtype(m.float64)
    try:
        same_outcome(call)
        assert "0.5714285714285714" in outcome(call, lg)[1]
    finally:
        for m in (lg, torch):
            m.set_default_dtype(m.float32)


def test_bool_against_int():
    """torch fails internally on a bool against an int (an uncaught KeyError); lazygrad compares them as ints."""
    with pytest.raises(AssertionError, match=r"The \(d\)types do not match: <class 'bool'> != <class 'int'>."):
        lg.testing.assert_close(True, 1)
    lg.testing.assert_close(True, 1, check_dtype=False)


@pytest.mark.skipif(not lg.cuda.is_available(), reason="needs a GPU")
def test_devices():
    same = close(t(A3), t(A3, device="cuda"))
    same_outcome(same)
    same_outcome(close(t(A3), t(A3, device="cuda"), check_device=False))
    same_outcome(close(t(A3), t([1.0, 2.0, 4.0], device="cuda"), check_device=False))


# ---- assert_allclose ---------------------------------------------------------------------------------

ASSERT_ALLCLOSE = {
    "close_by_old_float32_rtol": lambda m: m.testing.assert_allclose(m.tensor(A3), A3 * (1 + 5e-5)),
    "far": lambda m: m.testing.assert_allclose(m.tensor([1.0, 2.0]), [1.0, 2.1]),
    "nan_equal": lambda m: m.testing.assert_allclose(m.tensor([NAN, 1.0]), [NAN, 1.0]),
    "nan_unequal": lambda m: m.testing.assert_allclose(m.tensor([NAN, 1.0]), [NAN, 1.0], equal_nan=False),
    "lists_of_ints": lambda m: m.testing.assert_allclose([1, 2], [1, 3]),
    "dtypes_promoted": lambda m: m.testing.assert_allclose(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0]).double()),
    "rtol_only": lambda m: m.testing.assert_allclose(m.tensor([1.0, 2.0]), [1.0, 2.1], rtol=0.1),
    "msg": lambda m: m.testing.assert_allclose(m.tensor([1.0, 2.0]), [1.0, 2.1], msg="custom"),
    "float16": lambda m: m.testing.assert_allclose(m.tensor([1.0, 2.0], dtype=m.float16), [1.0, 2.0005]),
}


@pytest.mark.parametrize("name", sorted(ASSERT_ALLCLOSE))
def test_assert_allclose_like_torch(name):
    same_outcome(ASSERT_ALLCLOSE[name])


def test_assert_allclose_is_deprecated():
    torch = torch_or_skip()
    messages = []
    for m in (lg, torch):
        with pytest.warns(FutureWarning) as record:
            m.testing.assert_allclose(m.tensor([1.0]), [1.0])
        assert record[0].filename == __file__  # attributed to the caller
        messages.append(str(record[0].message).replace("torch.", "lazygrad."))
    assert messages[0] == messages[1]


# ---- make_tensor -------------------------------------------------------------------------------------

def made(*shape, dtype="float32", memory_format=None, **kwargs):
    """f(m) making a tensor on the CPU; dtype and memory_format are named (None stays None)."""
    return lambda m: m.testing.make_tensor(*shape, dtype=dtype and getattr(m, dtype), device="cpu",
                                           memory_format=memory_format and getattr(m, memory_format), **kwargs)


MAKE_TENSOR_ERRORS = {
    "noncontiguous_and_memory_format": made(2, 3, noncontiguous=True, memory_format="channels_last"),
    "requires_grad_int": made(2, dtype="int64", requires_grad=True),
    "requires_grad_bool": made(2, dtype="bool", requires_grad=True),
    "low_nan": made(2, low=NAN),
    "high_nan": made(2, dtype="float64", high=NAN),
    "int_low_equals_high": made(2, dtype="int32", low=3, high=3),
    "low_above_high": made(2, dtype="int32", low=5, high=3),
    "float_low_above_high": made(2, low=5.0, high=-3.0),
    "int8_out_of_range": made(2, dtype="int8", low=200, high=300),
    "uint8_below_range": made(2, dtype="uint8", low=-5, high=-1),
    "float16_out_of_range": made(2, dtype="float16", low=1e6, high=1e7),
    "bool_out_of_range": made(2, dtype="bool", low=2, high=5),
    "no_device": lambda m: m.testing.make_tensor(2, dtype=m.float32),
}


@pytest.mark.parametrize("name", sorted(MAKE_TENSOR_ERRORS))
def test_make_tensor_errors_like_torch(name):
    got = outcome(MAKE_TENSOR_ERRORS[name], lg)
    assert got is not None and got == outcome(MAKE_TENSOR_ERRORS[name], torch_or_skip())


@pytest.mark.parametrize("kwargs", [{}, {"requires_grad": True, "low": NAN}])
def test_make_tensor_unsupported_dtype(kwargs):
    """torch's message, less its pointer to torch's issue tracker; the dtype is checked before the bounds."""
    torch = torch_or_skip()
    with pytest.raises(TypeError) as want:
        torch.testing.make_tensor(2, dtype=None, device="cpu", **kwargs)
    with pytest.raises(TypeError) as got:
        lg.testing.make_tensor(2, dtype=None, device="cpu", **kwargs)
    assert str(want.value).startswith(str(got.value).replace("lazygrad.", "torch.") + " To request support")


def test_make_tensor_low_equals_high_warns():
    torch = torch_or_skip()
    messages = []
    for m in (lg, torch):
        with pytest.warns(FutureWarning) as record:
            x = m.testing.make_tensor(3, dtype=m.float64, device="cpu", low=2.5, high=2.5)
        assert record[0].filename == __file__
        assert x.tolist() == [2.5] * 3
        messages.append(str(record[0].message).replace("torch.", "lazygrad."))
    assert messages[0] == messages[1]


# dtype -> the values torch's defaults allow
DEFAULT_RANGES = {"bool": (0, 2), "uint8": (0, 10), "int8": (-9, 10), "int16": (-9, 10), "int32": (-9, 10),
                  "int64": (-9, 10), "float16": (-9, 9), "bfloat16": (-9, 9), "float32": (-9, 9), "float64": (-9, 9)}


@pytest.mark.parametrize("dtype", sorted(DEFAULT_RANGES))
def test_make_tensor_default_range(dtype):
    x = made(64, dtype=dtype)(lg)
    values = np.asarray(x.float().tolist())
    low, high = DEFAULT_RANGES[dtype]
    assert x.dtype is getattr(lg, dtype) and tuple(x.shape) == (64,) and not x.requires_grad
    # (float16 and bfloat16 draws just below high round up to it, in torch too)
    assert values.min() >= low and (values.max() <= high if dtype in ("float16", "bfloat16") else values.max() < high)
    assert len(set(values.tolist())) > 1  # random, not constant


@pytest.mark.parametrize("dtype, low, high, allowed", [
    ("int32", 0.5, 3.2, {1, 2, 3}),  # integer bounds are ceiled: low inclusive, high exclusive
    ("int8", -1000, -126, {-128, -127}),  # clamped to what the dtype holds
    ("uint8", -7, 2, {0, 1}),
    ("bool", None, 1, {0}),
])
def test_make_tensor_integer_bounds(dtype, low, high, allowed):
    values = set(np.asarray(made(32, dtype=dtype, low=low, high=high)(lg).long().tolist()).tolist())
    assert values <= allowed


def test_make_tensor_float_bounds():
    x = made(64, dtype="float64", low=-0.5, high=0.25)(lg).numpy()
    assert x.min() >= -0.5 and x.max() < 0.25
    wide = made(64, dtype="float16", low=-1e6, high=1e6)(lg).float().numpy()  # a span over finfo.max: halved
    assert np.isfinite(wide).all() and np.abs(wide).max() > 1000


def test_make_tensor_int64_full_range():
    x = lg.testing.make_tensor(64, dtype=lg.int64, device="cpu", low=-2**63, high=2**63)
    assert len(set(x.tolist())) > 1


@pytest.mark.parametrize("shape", [(2, 3), ((2, 3),), ([2, 3],), (lg.Size([2, 3]),), (), (5,)])
def test_make_tensor_shapes(shape):
    torch = torch_or_skip()
    torch_shape = tuple(torch.Size(s) if isinstance(s, lg.Size) else s for s in shape)
    got = lg.testing.make_tensor(*shape, dtype=lg.float32, device="cpu")
    want = torch.testing.make_tensor(*torch_shape, dtype=torch.float32, device="cpu")
    assert tuple(got.shape) == tuple(want.shape) and got.stride() == want.stride()


LAYOUTS = {
    "noncontiguous": made(2, 3, noncontiguous=True),
    "noncontiguous_3d": made(2, 1, 3, dtype="int16", noncontiguous=True),
    "noncontiguous_one_element": made(1, 1, noncontiguous=True),
    "noncontiguous_empty": made(0, 3, noncontiguous=True),
    "channels_last": made(2, 3, 2, 2, memory_format="channels_last"),
    "contiguous_format": made(2, 3, memory_format="contiguous_format"),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_make_tensor_layout_like_torch(name):
    """noncontiguous: every other element, from offset 1, of a tensor twice as long in its last dim."""
    torch = torch_or_skip()
    got, want = LAYOUTS[name](lg), LAYOUTS[name](torch)
    assert (tuple(got.shape), got.stride(), got.storage_offset(), got.is_contiguous()) == \
        (tuple(want.shape), want.stride(), want.storage_offset(), want.is_contiguous())


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "float32"])
def test_make_tensor_exclude_zero(dtype):
    """Zeros become 1 (bool, integers) or finfo.tiny, written through a noncontiguous view too."""
    low, high = (-1, 1) if dtype == "int8" else (0, 2) if dtype in ("bool", "uint8") else (-1.0, 1.0)
    x = made(4, 8, dtype=dtype, low=low, high=high, exclude_zero=True, noncontiguous=True)(lg)
    assert not x.is_contiguous()
    values = np.asarray(x.double().tolist())
    assert (values != 0).all()
    if dtype == "int8":
        assert set(values.ravel().tolist()) <= {-1, 1}


def test_make_tensor_exclude_zero_float_tiny():
    x = lg.testing.make_tensor(64, dtype=lg.float16, device="cpu", low=0, high=6e-8, exclude_zero=True)
    values = x.float().numpy()
    assert (values != 0).all() and (values == lg.finfo(lg.float16).tiny).any()


def test_make_tensor_requires_grad():
    x = made(2, 3, requires_grad=True, noncontiguous=True)(lg)
    assert x.requires_grad and x.is_leaf
    (x * 2).sum().backward()
    assert x.grad.tolist() == [[2.0] * 3] * 2


def test_make_tensor_follows_the_seed():
    lg.manual_seed(3)
    first = made(8)(lg).tolist()
    lg.manual_seed(3)
    assert made(8)(lg).tolist() == first
    assert made(8)(lg).tolist() != first


def test_lazygrad_testing_is_an_attribute():
    assert "testing" in dir(lg)
    assert lg.testing.assert_close is lg.testing.comparison.assert_close
