"""Creation ops and reading values back, against torch (the oracle) and numpy, on both back ends:
tensor/as_tensor/from_numpy (dtype inference, memory sharing), zeros/ones/full/empty, arange, linspace,
eye, random numbers (seeding, ranges, the same numbers on both back ends), *_like and new_*, lg.Size,
item/tolist/float/int/bool/len/iteration/__array__ and repr."""
from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest

import lazygrad as lg
from oracle import dtype_name, xfail_if
from oracle import assert_like_torch as _assert_like_torch
from lazygrad import runtime


def assert_like_torch(out, expected, *, exact: bool = True, check_stride: bool = False) -> None:
    _assert_like_torch(out, expected, exact=exact, check_stride=check_stride)


def both(f):
    """f evaluated with lazygrad and with torch."""
    return f(lg), f(pytest.importorskip("torch"))


@contextlib.contextmanager
def using_backend(name):
    previous = runtime.backend()
    lg.set_backend(name)
    try:
        yield
    finally:
        lg.set_backend(previous)


# ---- tensor(), as_tensor(), from_numpy() ---------------------------------------------------------------

TENSOR_DATA = {
    "floats": lambda m: m.tensor([1.0, 2.0]),
    "ints": lambda m: m.tensor([[1, 2], [3, 4]]),
    "bools": lambda m: m.tensor([True, False]),
    "int_and_float": lambda m: m.tensor([1, 2.5]),
    "bool_and_int": lambda m: m.tensor([True, 2]),
    "bool_and_float": lambda m: m.tensor([[True], [1.5]]),
    "int_scalar": lambda m: m.tensor(3),
    "float_scalar": lambda m: m.tensor(3.5),
    "bool_scalar": lambda m: m.tensor(False),
    "empty_list": lambda m: m.tensor([]),
    "empty_nested": lambda m: m.tensor([[]]),
    "tuple": lambda m: m.tensor((1, 2)),
    "big_int": lambda m: m.tensor([2 ** 40, -1]),
    "nan_inf_negzero": lambda m: m.tensor([float("nan"), float("inf"), -0.0]),
    "with_dtype": lambda m: m.tensor([1, 2], dtype=m.float16),
    "with_dtype_bool": lambda m: m.tensor([0.0, 2.5], dtype=m.bool),
    "with_dtype_int8": lambda m: m.tensor([1.7, -2.7], dtype=m.int8),
    "numpy_int16": lambda m: m.tensor(np.arange(3, dtype=np.int16)),
    "numpy_float64": lambda m: m.tensor(np.ones(2)),
    "numpy_bool_2d": lambda m: m.tensor(np.eye(2, dtype=bool)),
    "list_of_0d_tensors": lambda m: m.tensor([m.tensor(1.5), m.tensor(2.0)]),
    "from_tensor": lambda m: m.tensor(m.tensor([1, 2], dtype=m.int32)),
}


@pytest.mark.filterwarnings("ignore:To copy construct from a tensor")
@pytest.mark.parametrize("name", list(TENSOR_DATA))
def test_tensor_from_data_vs_torch(backend, name):
    """dtype inference as torch: floats -> float32 (the default), ints -> int64, bools -> bool,
    mixed -> the highest kind; numpy arrays keep their dtype."""
    got, want = both(TENSOR_DATA[name])
    assert_like_torch(got, want)


@pytest.mark.parametrize("value", [np.float64(1.5), [np.int32(1), np.int32(2)]], ids=["np.float64", "np.int32-list"])
def test_tensor_from_numpy_scalars_keeps_dtype(backend, value):
    """numpy scalars keep their dtype: tensor(np.float64(1.5)) is float64, a list of np.int32 is int32."""
    torch = pytest.importorskip("torch")
    assert_like_torch(lg.tensor(value), torch.tensor(value))


def test_tensor_copies_data(backend):
    a = np.arange(4, dtype=np.float32)
    x = lg.tensor(a)
    a[0] = 100
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]


def _nested(m):
    return {"promoted": [m.tensor(1), m.tensor(2.0)], "double_inside": [1, m.tensor(2.5, dtype=m.float64)],
            "int8_of_one": [m.ones(1, dtype=m.int8)], "bool_and_int": [m.tensor(True), 2],
            "uint8_and_negative": [m.tensor(3, dtype=m.uint8), -1], "nested_lists": [[m.tensor(1.0)], [2]],
            "numpy_scalars": [np.float32(1), np.int64(2)], "half": [m.tensor(1.5, dtype=m.float16), 1],
            "one_by_one": [m.ones(1, 1), m.ones(1, 1)], "requiring_grad": [m.ones(1, requires_grad=True)]}


@pytest.mark.parametrize("name", list(_nested(lg)))
def test_tensors_inside_data_are_numbers(name):
    """tensor([t, ...]) reads each tensor inside as one number (its item: a (1, 1) tensor is a scalar there),
    its dtype promoted with the others' as torch infers; a tensor given whole warns to clone it instead."""
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        got = lg.tensor(_nested(lg)[name])
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        want = torch.tensor(_nested(torch)[name])
    assert_like_torch(got, want)
    assert [str(w.message) for w in ours] == [str(w.message).split(" (Triggered")[0] for w in theirs]


def test_tensors_inside_data_hold_one_number_and_copies_warn():
    for m in (lg, pytest.importorskip("torch")):
        with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
            m.tensor([m.ones(2), m.ones(2)])
        for copy in (lambda: m.tensor(m.ones(2)), lambda: m.ones(2).new_tensor(m.ones(2))):
            with pytest.warns(UserWarning, match=r"recommended to use sourceTensor.detach\(\).clone\(\)"):
                copy()


def test_default_dtype_changes_inference(backend):
    torch = pytest.importorskip("torch")
    previous, tprevious = lg.get_default_dtype(), torch.get_default_dtype()
    try:
        lg.set_default_dtype(lg.float64)
        torch.set_default_dtype(torch.float64)
        for f in (lambda m: m.tensor([1.5]), lambda m: m.zeros(2), lambda m: m.arange(0.0, 1.0, 0.5),
                  lambda m: m.tensor([1]) / 2, lambda m: m.linspace(0, 1, 3)):
            got, want = both(f)
            assert_like_torch(got, want)
    finally:
        lg.set_default_dtype(previous)
        torch.set_default_dtype(tprevious)
    assert lg.get_default_dtype() is lg.float32


def test_from_numpy_shares_memory(backend):
    """Writes to the numpy array show in the tensor (and in ops on it) and in-place writes to the tensor
    show in the array."""
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = lg.from_numpy(a)
    assert x.dtype is lg.float32 and tuple(x.shape) == (2, 3) and x.stride() == (3, 1)
    a[0, 0] = 100.0
    assert x[0, 0].item() == 100.0
    assert (x * 2).numpy()[0, 0] == 200.0
    a[1, 1] = -5.0
    assert x.tolist() == [[100.0, 1.0, 2.0], [3.0, -5.0, 5.0]]
    x.add_(1)
    np.testing.assert_array_equal(a, [[101.0, 2.0, 3.0], [4.0, -4.0, 6.0]])
    x[1, 2] = 0.5
    assert a[1, 2] == 0.5
    x.numpy()[0, 1] = 7.0
    assert a[0, 1] == 7.0


def test_from_numpy_strided_and_dtypes(backend):
    torch = pytest.importorskip("torch")
    a = np.arange(12, dtype=np.int64).reshape(3, 4)
    s = a[:, ::2]
    x, t = lg.from_numpy(s), torch.from_numpy(s)
    assert_like_torch(x, t)
    assert x.stride() == t.stride()
    a[0, 2] = -1
    assert x[0, 1].item() == -1
    for dt in ("bool", "uint8", "int8", "int16", "int32", "float16", "float64"):
        arr = np.ones(3, dtype=dt)
        assert lg.from_numpy(arr).dtype.name == dtype_name(torch.from_numpy(arr))


_OUT_OF_RANGE = np.array([-112.0, 300.5, 255.9, -0.5, 70000.5, 9.83719102e9, -6.88e10, 2.0 ** 31, 1e20, np.nan, np.inf])


@pytest.mark.parametrize("size", [1, 11, 2000])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64", "uint16", "bool"])
def test_floats_out_of_an_integer_range_convert_as_torchs(backend, dtype, size):
    """tensor(array, dtype=...) converts as a kernel's cast and torch do (a uint8 wraps through int64, an int8
    through int32), never by NumPy's casts, whose out-of-range results depend on the array's size. (Not uint32:
    torch's own result there depends on the size, through int64 for one element, by vector lanes for more.)"""
    torch = pytest.importorskip("torch")
    values = np.resize(_OUT_OF_RANGE, size)
    for source in (values, values.astype(np.float32)):
        with np.errstate(all="ignore"):
            want = torch.tensor(source, dtype=getattr(torch, dtype)).tolist()
            assert lg.tensor(source, dtype=getattr(lg, dtype)).tolist() == want
            assert lg.as_tensor(source, dtype=getattr(lg, dtype)).tolist() == want
            assert lg.tensor(source).to(getattr(lg, dtype)).tolist() == want


def test_complex_data_to_a_real_dtype_warns_as_torch(backend):
    data = np.array([1 + 2j, -3 - 1j])
    with pytest.warns(UserWarning, match="Casting complex values to real discards the imaginary part"):
        assert lg.tensor(data, dtype=lg.int64).tolist() == [1, -3]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lg.tensor(data, dtype=lg.bool).tolist() == [True, True]
        assert lg.tensor(data).to(lg.bool).tolist() == [True, True]


def test_as_tensor(backend):
    torch = pytest.importorskip("torch")
    a = np.arange(4, dtype=np.int16)
    x = lg.as_tensor(a)
    a[0] = 9
    assert x.tolist() == [9, 1, 2, 3] and x.dtype is lg.int16
    y = lg.as_tensor(a, dtype=lg.float32)  # a different dtype copies
    a[1] = 99
    assert y.tolist() == [9.0, 1.0, 2.0, 3.0]
    got, want = both(lambda m: m.as_tensor([1, 2.5]))
    assert_like_torch(got, want)
    got, want = both(lambda m: m.as_tensor(np.arange(4.0), dtype=m.float16))
    assert_like_torch(got, want)
    t = lg.tensor([1.0])
    assert lg.as_tensor(t) is t
    assert lg.as_tensor(t, dtype=lg.float32) is t
    assert lg.as_tensor(t, dtype=lg.float64).dtype is lg.float64


# ---- constant tensors ---------------------------------------------------------------------------

CONSTANTS = {
    "zeros(2,3)": lambda m: m.zeros(2, 3),
    "zeros(tuple,int32)": lambda m: m.zeros((2, 3), dtype=m.int32),
    "zeros(list)": lambda m: m.zeros([2]),
    "zeros(())": lambda m: m.zeros(()),
    "zeros(0,2)": lambda m: m.zeros(0, 2),
    "ones(bool)": lambda m: m.ones(3, dtype=m.bool),
    "ones(uint8)": lambda m: m.ones(2, 2, dtype=m.uint8),
    "ones(float64)": lambda m: m.ones((1, 2), dtype=m.float64),
    "full(int)": lambda m: m.full((2, 2), 7),
    "full(float)": lambda m: m.full((2,), 1.5),
    "full(bool)": lambda m: m.full((2,), True),
    "full(dtype)": lambda m: m.full([3], 2, dtype=m.float64),
    "full(int8)": lambda m: m.full((3,), -1, dtype=m.int8),
    "full(nan)": lambda m: m.full((2,), float("nan")),
    "full(-inf,half)": lambda m: m.full((2,), float("-inf"), dtype=m.half),
    "eye(3)": lambda m: m.eye(3),
    "eye(2,4)": lambda m: m.eye(2, 4),
    "eye(4,2)": lambda m: m.eye(4, 2),
    "eye(int64)": lambda m: m.eye(3, dtype=m.int64),
    "eye(bool)": lambda m: m.eye(2, dtype=m.bool),
}


@pytest.mark.parametrize("name", list(CONSTANTS))
def test_constants_vs_torch(backend, name):
    got, want = both(CONSTANTS[name])
    assert_like_torch(got, want, check_stride=True)


def test_eye_of_zero(backend):
    got, want = both(lambda m: m.eye(0))
    assert_like_torch(got, want)


def test_empty_shapes_and_dtypes(backend):
    torch = pytest.importorskip("torch")
    for f in (lambda m: m.empty(2, 3), lambda m: m.empty((4,), dtype=m.int16), lambda m: m.empty([]),
              lambda m: m.empty(0, 5, dtype=m.bool), lambda m: m.empty_like(m.ones(2, 2, dtype=m.float64))):
        got, want = both(f)
        assert tuple(got.shape) == tuple(want.shape) and got.dtype.name == dtype_name(want)
        assert got.stride() == want.stride()
        assert got.numpy().shape == tuple(want.shape)


def test_constants_vs_numpy(backend):
    np.testing.assert_array_equal(lg.zeros(2, 3).numpy(), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(lg.ones(4, dtype=lg.int64).numpy(), np.ones(4, np.int64))
    np.testing.assert_array_equal(lg.full((2, 2), 3.5).numpy(), np.full((2, 2), 3.5, np.float32))
    np.testing.assert_array_equal(lg.eye(3, 4).numpy(), np.eye(3, 4, dtype=np.float32))
    np.testing.assert_array_equal(lg.arange(2, 11, 3).numpy(), np.arange(2, 11, 3))


# ---- ranges --------------------------------------------------------------------------------------------

ARANGES = {
    "arange(5)": lambda m: m.arange(5),
    "arange(2,9,3)": lambda m: m.arange(2, 9, 3),
    "arange(5,0,-1)": lambda m: m.arange(5, 0, -1),
    "arange(-3,1000,7)": lambda m: m.arange(-3, 1000, 7),
    "arange(10,-10,-3)": lambda m: m.arange(10, -10, -3),
    "arange(0)": lambda m: m.arange(0),
    "arange(4,float64)": lambda m: m.arange(4, dtype=m.float64),
    "arange(0.5,5,int64)": lambda m: m.arange(0.5, 5, dtype=m.int64),
    "arange(5.0)": lambda m: m.arange(5.0),
    "arange(0,1,0.1)": lambda m: m.arange(0, 1, 0.1),
    "arange(1,-1,-0.25)": lambda m: m.arange(1.0, -1.0, -0.25),
    "arange(1,2.5,0.5)": lambda m: m.arange(1, 2.5, 0.5),
    "arange(0,10,0.3)": lambda m: m.arange(0.0, 10.0, 0.3),
    "arange(tensor)": lambda m: m.arange(m.tensor(3)),
    "arange(0,2.5,1.5,int64)": lambda m: m.arange(0, 2.5, 1.5, dtype=m.int64),
    "arange(0.5,4.7,1,int64)": lambda m: m.arange(0.5, 4.7, 1, dtype=m.int64),
    "arange(-0.5,3,1,int32)": lambda m: m.arange(-0.5, 3, 1, dtype=m.int32),
    "arange(-0.5,3,1,int64)": lambda m: m.arange(-0.5, 3, 1, dtype=m.int64),
    "arange(0,2.5,0.7,int16)": lambda m: m.arange(0, 2.5, 0.7, dtype=m.int16),
    "arange(False,3,True,float16)": lambda m: m.arange(False, 3, True, dtype=m.float16),  # (bools as numbers)
    "arange(True,4.5,float32)": lambda m: m.arange(True, 4.5, dtype=m.float32),
    # torch's vectors from a rounded base and one-by-one tails, in every floating dtype
    "arange(-45.7,-320,-1.377,float64)": lambda m: m.arange(-45.7, -320, -1.377, dtype=m.float64),
    "arange(0.3,1000,1.7)": lambda m: m.arange(0.3, 1000, 1.7),
    "arange(-2.39,16,0.0037,float16)": lambda m: m.arange(-2.39, 16, 0.0037, dtype=m.float16),
    "arange(6.19,-37,-0.0086,bfloat16)": lambda m: m.arange(6.19, -37, -0.0086, dtype=m.bfloat16).float(),
    # past 2^24 in float32, longer than one thread's chunk: each thread's vectors start from a rounded base
    "arange(2^24-100,2^24+70000)": lambda m: m.arange(2 ** 24 - 100, 2 ** 24 + 70000.0),
}


@pytest.mark.parametrize("name", list(ARANGES))
def test_arange_vs_torch(backend, name):
    """Length, dtype (int64 unless a bound or step is a float) and values, to the last bit."""
    got, want = both(ARANGES[name])
    assert_like_torch(got, want, exact=True)


LOGSPACES = {  # (start, end, steps, base, dtype): ends not representable in the dtype, both halves, wrapped ends
    "(0.1,2.7,1000)": (0.1, 2.7, 1000, 10.0, "float32"),
    "(0.3,5.1,300,e,float16)": (0.3, 5.1, 300, 2.718281828, "float16"),
    "(-1,1,400,2,bfloat16)": (-1, 1, 400, 2.0, "bfloat16"), "(-3.3,2.2,77,float64)": (-3.3, 2.2, 77, 10.0, "float64"),
    "(5,-5,11,2,uint8)": (5, -5, 11, 2.0, "uint8"), "(-3,40,17,1.7,uint8)": (-3, 40, 17, 1.7, "uint8"),
    "(0,60,13,2,int64)": (0, 60, 13, 2.0, "int64"), "(1,5,9,3,int16)": (1, 5, 9, 3.0, "int16"),
}


@pytest.mark.parametrize("name", list(LOGSPACES))
def test_logspace_holds_torchs_values(backend, name):
    """torch's arithmetic to the last bit: the ends in the dtype, the step in double, powers rounded once more.
    (NumPy's float64 power is not libm's pow, which the C kernels and torch call: it may differ in the last bit.)"""
    start, end, steps, base, dtype = LOGSPACES[name]
    got, want = both(lambda m: m.logspace(start, end, steps, base=base, dtype=getattr(m, dtype)).double())
    assert_like_torch(got, want, exact=backend == "c" or dtype != "float64")


@pytest.mark.parametrize("threads", [1, 3])
def test_a_long_arange_is_split_between_threads_as_torchs(backend, threads):
    """A range past torch's grain size is cut into one chunk per thread, each ending in values written one by
    one: the values follow the thread count set (on both sides)."""
    torch = pytest.importorskip("torch")
    before = (lg.get_num_threads(), torch.get_num_threads())
    lg.set_num_threads(threads)
    torch.set_num_threads(threads)
    try:
        got, want = lg.arange(0.1, 70001 * 0.7, 0.7), torch.arange(0.1, 70001 * 0.7, 0.7)
    finally:
        lg.set_num_threads(before[0])
        torch.set_num_threads(before[1])
    assert_like_torch(got, want, exact=True)


LINSPACES = {
    "(0,1,5)": (0, 1, 5, None), "(2,3,1)": (2, 3, 1, None), "(2,3,0)": (2, 3, 0, None),
    "(5,-5,33)": (5, -5, 33, None), "(0,10,11,float64)": (0, 10, 11, "float64"),
    "(0,10,4,int64)": (0, 10, 4, "int64"), "(-3,7.3,7)": (-3, 7.3, 7, None), "(-1,1,101)": (-1, 1, 101, None),
    "(0,1/3,10)": (0, 1 / 3, 10, None), "(0.1,0.9,1000)": (0.1, 0.9, 1000, None),
    # an integer dtype steps between the ends as converted to it: -1 is 255 in uint8
    "(-1,3,3,uint8)": (-1, 3, 3, "uint8"), "(-3.7,8.2,5,int32)": (-3.7, 8.2, 5, "int32"),
    "(1e5,0,1,float16)": (1e5, 0, 1, "float16"), "(2.5,0,1,bool)": (2.5, 0, 1, "bool"),
}
LINSPACE_INEXACT = {"(-1,1,101)", "(0.1,0.9,1000)"}


@pytest.mark.parametrize("name", list(LINSPACES))
def test_linspace_exactly_torch(backend, name, request):
    xfail_if(request, name in LINSPACE_INEXACT,
             "float32 linspace differs from torch by an ulp in 37 of linspace(-1, 1, 101)'s values "
             "([11] is -0.77999997, torch -0.78000003) and 165 of linspace(0.1, 0.9, 1000)'s")
    start, end, steps, dtype = LINSPACES[name]
    got, want = both(lambda m: m.linspace(start, end, steps, dtype=None if dtype is None else getattr(m, dtype)))
    assert_like_torch(got, want, exact=True)


COMPLEX_LINSPACES = {"(0,1+1j,3)": (0, 1 + 1j, 3, None), "(1j,2,4,complex128)": (1j, 2, 4, "complex128"),
                     "(0.5j,2-3j,7)": (0.5j, 2 - 3j, 7, None), "(1j,2,1)": (1j, 2, 1, None)}


@pytest.mark.parametrize("name", list(COMPLEX_LINSPACES))
def test_complex_linspace(backend, name):
    start, end, steps, dtype = COMPLEX_LINSPACES[name]
    got, want = both(lambda m: m.linspace(start, end, steps, dtype=None if dtype is None else getattr(m, dtype)))
    assert_like_torch(got, want, exact=False)


CREATION_REFUSALS = {
    "arange_of_bools": lambda m: m.arange(2, dtype=m.bool), "arange_of_complex": lambda m: m.arange(3, dtype=m.complex64),
    "arange_step_truncated_to_zero": lambda m: m.arange(0, 2.5, 0.5, dtype=m.int64),
    "linspace_complex_into_real": lambda m: m.linspace(0, 1j, 3, dtype=m.float32),
    "full_past_uint8": lambda m: m.full((2,), 300, dtype=m.uint8), "full_past_int32": lambda m: m.full((2,), 1e10, dtype=m.int32),
    "full_inf_int": lambda m: m.full((2,), float("inf"), dtype=m.int32), "full_past_half": lambda m: m.full((2,), 7e4, dtype=m.float16),
    "full_imaginary_real": lambda m: m.full((2,), 1j, dtype=m.float32),
    "tensor_inf_int": lambda m: m.tensor([float("inf")], dtype=m.int64), "tensor_past_int64": lambda m: m.tensor([1e20], dtype=m.int64),
    "tensor_of_strs": lambda m: m.tensor(["a"]), "tensor_str_later": lambda m: m.tensor([1, "a"]),
    "randint_float_high": lambda m: m.randint(5.0, (2,)), "window_of_ints": lambda m: m.hann_window(4, dtype=m.int32),
}


@pytest.mark.parametrize("name", list(CREATION_REFUSALS))
def test_creation_refusals_like_torch(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as want:
        CREATION_REFUSALS[name](torch)
    with pytest.raises(type(want.value)) as got:
        CREATION_REFUSALS[name](lg)
    assert str(got.value) == str(want.value)


def test_from_numpy_names_the_numpy_type_it_refuses():
    with pytest.raises(TypeError, match=r"^can't convert np.ndarray of type numpy.object_\. The only supported"):
        lg.from_numpy(np.array([1, "a"], dtype=object))


def test_from_numpy_refuses_foreign_byte_orders_and_warns_of_read_only_arrays_once(monkeypatch):
    from lazygrad import settings
    monkeypatch.setattr(settings, "_WARNED", set())
    for convert in (lg.from_numpy, lg.as_tensor, lg.tensor):
        with pytest.raises(ValueError, match="^given numpy array has byte order different from the native"):
            convert(np.arange(3, dtype=">f4"))
    with pytest.raises(TypeError, match=r"^expected np.ndarray \(got numpy.float64\)$"):
        lg.from_numpy(np.float64(3.0))
    frozen = np.arange(3.0)
    frozen.flags.writeable = False
    with pytest.warns(UserWarning, match="The given NumPy array is not writable"):
        assert lg.from_numpy(frozen).tolist() == [0.0, 1.0, 2.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lg.as_tensor(frozen)  # (torch warns once a process)


@pytest.mark.parametrize("n, dtype", [(256, "uint8"), (257, "uint8"), (129, "int8"), (40000, "int16"), (2, "bool"),
                                      (3, "complex64"), (2049, "float16")])
def test_randperm_dtypes_as_torch_takes_them(n, dtype):
    """An integer type must hold n - 1 (torch's overflow message), bool and complex have no kernel."""
    torch = pytest.importorskip("torch")

    def outcome(m):
        try:
            return sorted(m.randperm(n, dtype=getattr(m, dtype)).tolist()) == list(range(n))
        except (RuntimeError, NotImplementedError) as e:
            return type(e).__name__, str(e)
    assert outcome(lg) == outcome(torch)


def test_full_wraps_small_negatives_into_unsigned_like_torch():
    got, want = both(lambda m: m.full((2,), -1, dtype=m.uint8))
    assert_like_torch(got, want)


def test_linspace_close_to_torch(backend):
    for start, end, steps, _ in LINSPACES.values():
        got, want = both(lambda m: m.linspace(start, end, steps))
        assert_like_torch(got, want, exact=False)
        if steps > 1:
            assert got[0].item() == want[0].item() and got[-1].item() == want[-1].item()


# ---- random numbers ------------------------------------------------------------------------------------

def test_random_shapes_dtypes_ranges(backend):
    lg.manual_seed(0)
    r = lg.rand(100, 30)
    assert r.dtype is lg.float32 and tuple(r.shape) == (100, 30)
    v = r.numpy()
    assert v.min() >= 0.0 and v.max() < 1.0 and 0.45 < v.mean() < 0.55
    n = lg.randn(3000).numpy()
    assert n.dtype == np.float32 and abs(n.mean()) < 0.1 and 0.9 < n.std() < 1.1
    i = lg.randint(-3, 7, (2000,))
    assert i.dtype is lg.int64
    vi = i.numpy()
    assert vi.min() == -3 and vi.max() == 6
    assert lg.randint(5, (4, 2)).numpy().max() < 5
    assert lg.randint(0, 200, (3,), dtype=lg.uint8).dtype is lg.uint8
    assert lg.rand(2, 3, dtype=lg.float64).numpy().dtype == np.float64
    assert lg.rand(4, dtype=lg.float16).numpy().dtype == np.float16
    assert lg.randn([2, 5]).shape == (2, 5)
    assert lg.rand((2, 3)).shape == (2, 3)
    assert lg.rand(0).numpy().shape == (0,)
    assert lg.rand_like(lg.zeros(2, dtype=lg.float64)).dtype is lg.float64
    assert lg.randn_like(lg.zeros(2, 3)).shape == (2, 3)
    assert lg.randint_like(lg.zeros(3, dtype=lg.int32), 5).dtype is lg.int32
    assert lg.randint_like(lg.zeros(30, dtype=lg.int32), 2, 5).numpy().min() >= 2
    assert lg.randint_like(lg.zeros(3), 5, requires_grad=True).requires_grad  # (as torch's: a float like)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"):
        lg.randint_like(lg.zeros(3, dtype=lg.int64), 5, requires_grad=True)


def test_random_seeding(backend):
    """The same seed gives the same numbers; successive calls give new numbers; a Generator is separate."""
    lg.manual_seed(1234)
    a, b, c = lg.rand(50).numpy(), lg.randn(50).numpy(), lg.randint(0, 100, (50,)).numpy()
    lg.manual_seed(1234)
    np.testing.assert_array_equal(lg.rand(50).numpy(), a)
    np.testing.assert_array_equal(lg.randn(50).numpy(), b)
    np.testing.assert_array_equal(lg.randint(0, 100, (50,)).numpy(), c)
    assert not np.array_equal(lg.rand(50).numpy(), a)
    assert lg.initial_seed() == 1234
    g1, g2 = lg.Generator().manual_seed(5), lg.Generator().manual_seed(5)
    np.testing.assert_array_equal(lg.rand(7, generator=g1).numpy(), lg.rand(7, generator=g2).numpy())
    lg.manual_seed(1234)
    np.testing.assert_array_equal(lg.rand(50).numpy(), a)  # generators do not advance the default one


def test_random_same_numbers_on_both_backends():
    """c and numpy back ends: rand and randint exactly equal, randn within 1e-6."""
    out = {}
    for name in ("c", "numpy"):
        with using_backend(name):
            lg.manual_seed(2024)
            out[name] = (lg.rand(500).numpy(), lg.randn(500).numpy(), lg.randint(-5, 9, (500,)).numpy(),
                         lg.rand(64, dtype=lg.float64).numpy(), lg.randn(64, dtype=lg.float64).numpy(),
                         lg.rand(16, dtype=lg.float16).numpy())
    c, p = out["c"], out["numpy"]
    np.testing.assert_array_equal(c[0], p[0])
    np.testing.assert_allclose(c[1], p[1], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(c[2], p[2])
    np.testing.assert_array_equal(c[3], p[3])
    np.testing.assert_allclose(c[4], p[4], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(c[5], p[5])


def test_randint_high_and_size_keyword(backend):
    assert tuple(lg.randint(10, size=(3,)).shape) == (3,)


# ---- *_like and new_* ---------------------------------------------------------------------------------

LIKES = {
    "zeros_like": lambda m: m.zeros_like(m.ones(2, 3, dtype=m.int32)),
    "ones_like(dtype)": lambda m: m.ones_like(m.ones(2), dtype=m.float64),
    "full_like": lambda m: m.full_like(m.ones(2, dtype=m.int64), 3.7),
    "full_like(bool)": lambda m: m.full_like(m.ones(2, 2, dtype=m.bool), False),
    "zeros_like(0-d)": lambda m: m.zeros_like(m.tensor(2.5)),
    "new_tensor": lambda m: m.ones(2, dtype=m.int32).new_tensor([1, 2]),
    "new_tensor(float)": lambda m: m.ones(2).new_tensor([1, 2]),
    "new_zeros": lambda m: m.ones(2, dtype=m.float64).new_zeros(2, 3),
    "new_ones": lambda m: m.ones(2, dtype=m.int8).new_ones((2,)),
    "new_full": lambda m: m.ones(2, dtype=m.int16).new_full((2, 2), 3),
    "new_zeros(dtype)": lambda m: m.ones(2, dtype=m.int16).new_zeros(3, dtype=m.bool),
}


@pytest.mark.parametrize("name", list(LIKES))
def test_like_and_new_vs_torch(backend, name):
    got, want = both(LIKES[name])
    assert_like_torch(got, want, check_stride=True)


def test_new_empty_and_empty_like(backend):
    for f in (lambda m: m.ones(2, dtype=m.int16).new_empty(3), lambda m: m.empty_like(m.ones(2, 2))):
        got, want = both(f)
        assert tuple(got.shape) == tuple(want.shape) and got.dtype.name == dtype_name(want)


def test_like_preserves_strides(backend):
    """*_like of a transposed tensor keeps its strides (torch's memory_format=preserve_format)."""
    got, want = both(lambda m: m.full_like(m.ones(3, 2).t(), 1.0))
    assert_like_torch(got, want, check_stride=True)


# ---- lg.Size and metadata ------------------------------------------------------------------------------

def test_size_printing_and_behaviour():
    torch = pytest.importorskip("torch")
    for f in (lambda m: m.zeros(2, 3).shape, lambda m: m.zeros(2, 3).size(), lambda m: m.Size([2, 3]),
              lambda m: m.zeros(()).shape, lambda m: m.Size([5]), lambda m: m.zeros(2, 3, 4).shape[1:],
              lambda m: m.zeros(2, 3).shape + (4,)):
        got, want = both(f)
        assert repr(got) == repr(want).replace("torch.", "lazygrad.")
        assert str(got) == str(want).replace("torch.", "lazygrad.")
        assert got == tuple(want) and isinstance(got, tuple)
    s = lg.zeros(2, 3).shape
    assert s.numel() == 6 and s[0] == 2 and s[-1] == 3 and isinstance(s[1:], lg.Size)
    assert lg.zeros(2, 3).size(-1) == 3 and lg.zeros(2, 3).size(0) == 2


def test_metadata_vs_torch():
    for f in (lambda m: m.zeros(2, 3).dim(), lambda m: m.zeros(2, 3).ndim, lambda m: m.zeros(2, 3).numel(),
              lambda m: m.numel(m.zeros(2, 3)), lambda m: m.zeros(2, 3).stride(0), lambda m: m.zeros(2, 3).stride(),
              lambda m: m.zeros(2, dtype=m.float64).element_size(), lambda m: m.zeros(3, dtype=m.int16).nbytes,
              lambda m: m.zeros(3, dtype=m.int16).itemsize, lambda m: m.is_floating_point(m.zeros(1)),
              lambda m: m.zeros(1, dtype=m.int64).is_floating_point(), lambda m: m.is_tensor(m.zeros(1)),
              lambda m: m.is_tensor([1]), lambda m: str(m.zeros(2).device), lambda m: m.zeros(2).type(),
              lambda m: m.zeros(2).is_contiguous(), lambda m: m.zeros(2, 3).t().is_contiguous(),
              lambda m: m.ones(2, requires_grad=True).requires_grad, lambda m: m.zeros(2).is_leaf):
        got, want = both(f)
        assert got == want, (got, want)
    for f in (lambda m: m.tensor([1]).dtype, lambda m: m.result_type(m.tensor([1]), 1.0),
              lambda m: m.promote_types(m.uint8, m.int8), lambda m: m.get_default_dtype(), lambda m: m.float,
              lambda m: m.long, lambda m: m.half, lambda m: m.double, lambda m: m.int, lambda m: m.short):
        got, want = both(f)
        assert repr(got) == repr(want).replace("torch.", "lazygrad.")


# ---- reading values ----------------------------------------------------------------------------------------

READS = {
    "item_float": lambda m: m.tensor([2.5]).item(),
    "item_int": lambda m: m.tensor(3).item(),
    "item_bool": lambda m: m.tensor(True).item(),
    "item_half": lambda m: m.tensor(0.1, dtype=m.float16).item(),
    "item_of_view": lambda m: m.arange(6).reshape(2, 3)[1, 2].item(),
    "item_of_lazy": lambda m: (m.ones(2, 2) * 3).sum().item(),
    "tolist_2d": lambda m: m.tensor([[1, 2], [3, 4]]).tolist(),
    "tolist_floats": lambda m: m.tensor([0.1, 0.2]).tolist(),
    "tolist_0d": lambda m: m.tensor(1.5).tolist(),
    "tolist_transposed": lambda m: m.tensor([[1, 2], [3, 4]]).t().tolist(),
    "tolist_half": lambda m: m.tensor([0.1], dtype=m.float16).tolist(),
    "tolist_bool": lambda m: (m.arange(4) > 1).tolist(),
    "tolist_empty": lambda m: m.zeros(0, 2).tolist(),
    "float": lambda m: float(m.tensor([1.5])),
    "float_of_int": lambda m: float(m.tensor(3)),
    "int": lambda m: int(m.tensor(-2.7)),
    "int_of_bool": lambda m: int(m.tensor([True])),
    "bool_false": lambda m: bool(m.tensor([0.0])),
    "bool_true": lambda m: bool(m.tensor(3)),
    "bool_nan": lambda m: bool(m.tensor(float("nan"))),
    "len": lambda m: len(m.zeros(4, 2)),
    "iteration": lambda m: [t.tolist() for t in m.tensor([[1, 2], [3, 4]])],
    "iteration_types": lambda m: [type(t).__name__ for t in m.tensor([1, 2])],
    "array": lambda m: np.asarray(m.tensor([[1.5, 2]])).tolist(),
    "array_dtype": lambda m: str(np.asarray(m.tensor([1, 2], dtype=m.int16)).dtype),
    "array_cast": lambda m: np.asarray(m.tensor([1, 2]), dtype=np.float64).tolist(),
    "index": lambda m: [10, 20, 30][m.tensor(1)],
    "format": lambda m: f"{m.tensor(1.2345):.2f}",
    "numpy_dtype": lambda m: str(m.tensor([1, 2], dtype=m.uint8).numpy().dtype),
}


@pytest.mark.parametrize("name", list(READS))
def test_reading_values_vs_torch(backend, name):
    got, want = both(READS[name])
    assert got == want and type(got) is type(want), (got, want)


def test_ambiguous_bool_raises_like_torch(backend):
    torch = pytest.importorskip("torch")
    for m in (lg, torch):
        with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
            bool(m.tensor([1, 2]))
        with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
            if m.ones(2, 2) > 0:
                pass
        with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
            m.zeros(2).item()
        with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
            len(m.tensor(1.0))
        with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
            iter(m.tensor(1.0))


def test_numpy_shares_memory_with_tensor(backend):
    x = lg.tensor([1.0, 2.0, 3.0])
    arr = x.numpy()
    x.mul_(2)
    np.testing.assert_array_equal(arr, [2.0, 4.0, 6.0])
    arr[0] = -1.0
    assert x.tolist() == [-1.0, 4.0, 6.0]


def test_array_protocol_is_numpy_like_torch():
    """np.asarray(t) is t.numpy() as in torch: shared memory, a dtype converts, a tensor that
    requires grad refuses (torch's error)."""
    x = lg.tensor([1.0, 2.0])
    assert np.shares_memory(np.asarray(x), x.numpy())
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad\. Use "
                                           r"tensor\.detach\(\)\.numpy\(\) instead\."):
        np.asarray(lg.ones(2, requires_grad=True))
    assert np.asarray(lg.ones(2, requires_grad=True).detach()).tolist() == [1.0, 1.0]


REPRS = {
    "float": lambda m: m.tensor([[1.5, 0.0], [3.0, -4.25]]),
    "int": lambda m: m.tensor([[1, 0], [3, 4]]),
    "bool": lambda m: m.tensor([True, False]),
    "float64": lambda m: m.tensor([1.0, 2.5], dtype=m.float64),
    "int32": lambda m: m.tensor([5, -6], dtype=m.int32),
    "uint8": lambda m: m.tensor([5, 6], dtype=m.uint8),
    "float16": lambda m: m.tensor([0.1, 2.0], dtype=m.float16),
    "0-d": lambda m: m.tensor(5.0),
    "0-d int": lambda m: m.tensor(5, dtype=m.int16),
    "empty": lambda m: m.zeros(0, 2),
    "empty int64": lambda m: m.zeros(0, 2, dtype=m.int64),
    "empty bool": lambda m: m.zeros(0, dtype=m.bool),
    "special": lambda m: m.tensor([1e-8, 1e8, float("nan"), float("inf"), -float("inf")]),
    "negative zero": lambda m: m.tensor([-0.0, 1.25]),
    "transposed": lambda m: m.arange(6.0).reshape(2, 3).t(),
    "large": lambda m: m.arange(2000.0).reshape(40, 50),
    "lazy": lambda m: m.ones(2, 3) * 2 - 0.5,
    "requires_grad": lambda m: m.ones(2, requires_grad=True),
}


@pytest.mark.parametrize("name", list(REPRS))
def test_repr_vs_torch(backend, name):
    got, want = both(REPRS[name])
    assert repr(got) == repr(want).replace("torch.", "lazygrad.")
    assert str(got) == str(want).replace("torch.", "lazygrad.")


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"])
def test_type_names_like_torch(dtype):
    torch = pytest.importorskip("torch")
    ours = lg.zeros(2, dtype=getattr(lg, dtype)).type()
    assert ours == torch.zeros(2, dtype=getattr(torch, dtype)).type()
    assert lg.zeros(2).type(lg.int64).dtype is lg.int64


@pytest.mark.parametrize("seed", [2 ** 63, 2 ** 64 - 1, -2 ** 63, -1, -2 ** 63 - 1, 2 ** 64])
def test_seeds_are_read_as_64_bit_integers_like_torch(seed):
    torch = pytest.importorskip("torch")
    try:
        want = torch.manual_seed(seed).initial_seed()
    except ValueError as overflow:
        with pytest.raises(ValueError, match=f"^{overflow}$"):
            lg.manual_seed(seed)
    else:
        assert lg.manual_seed(seed).initial_seed() == want
    lg.manual_seed(0)


def test_a_generator_must_be_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        lg.rand(2, generator="a")
