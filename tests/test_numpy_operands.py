"""NumPy scalars and arrays beside tensors, as torch takes them: a NumPy scalar is the Python number torch's
parser reads (a NumPy bool as a float), on either side of an operator (NumPy defers to the tensor), inside the
data of tensor() (promoted with the Python numbers there); a NumPy ufunc or an ndarray operand gives a tensor
back (__array_wrap__)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazygrad as lg


def _x(m):
    return m.arange(6.0).reshape(2, 3)


def _i(m):
    return m.arange(6).reshape(2, 3)


def _set(t, value):
    t[0] = value
    return t


CALLS = {
    "x+v": lambda m, v: _x(m) + v, "v+x": lambda m, v: v + _x(m), "i+v": lambda m, v: _i(m) + v,
    "i*v": lambda m, v: _i(m) * v, "x/v": lambda m, v: _x(m) / v, "i/v": lambda m, v: _i(m) / v,
    "v*x": lambda m, v: v * _x(m), "x**v": lambda m, v: _x(m) ** v, "v**x": lambda m, v: v ** _x(m),
    "i//v": lambda m, v: _i(m) // v, "x<v": lambda m, v: _x(m) < v, "v<x": lambda m, v: v < _x(m),
    "i==v": lambda m, v: _i(m) == v, "index": lambda m, v: _x(m)[v], "index_column": lambda m, v: _x(m)[:, v],
    "tensor": lambda m, v: m.tensor(v), "tensor_of_list": lambda m, v: m.tensor([v, v]),
    "tensor_with_floats": lambda m, v: m.tensor([v, 1.0]), "tensor_with_ints": lambda m, v: m.tensor([[v], [1]]),
    "full": lambda m, v: m.full((2,), v), "clamp": lambda m, v: _x(m).clamp(min=v), "clamp_int": lambda m, v: _i(m).clamp(max=v),
    "add_alpha": lambda m, v: _x(m).add(_x(m), alpha=v), "mul_": lambda m, v: _x(m).mul_(v),
    "add_int_": lambda m, v: _i(m).add_(v), "fill_": lambda m, v: _x(m).fill_(v), "where": lambda m, v: m.where(_x(m) > 2, _x(m), v),
    "clamp_both": lambda m, v: m.clamp(_i(m), v, 10), "pow": lambda m, v: m.pow(_x(m), v),
    "new_full": lambda m, v: _x(m).new_full((2,), v), "masked_fill": lambda m, v: _x(m).masked_fill(_x(m) > 2, v),
    "lerp": lambda m, v: m.lerp(_x(m), _x(m) * 2, v), "quantile": lambda m, v: m.quantile(_x(m), v),
    "arange": lambda m, v: m.arange(v), "pad": lambda m, v: m.nn.functional.pad(_x(m), (1, 1), value=v),
    "constant_pad_nd": lambda m, v: m.constant_pad_nd(_x(m), (1, 1), v),
    "repeat_interleave": lambda m, v: m.repeat_interleave(_i(m), v), "pinverse": lambda m, v: m.pinverse(_x(m), v),
    "linspace": lambda m, v: m.linspace(0, v, 3), "div_floor": lambda m, v: _x(m).div(v, rounding_mode="floor"),
    "remainder": lambda m, v: m.remainder(_i(m), v), "eq": lambda m, v: m.eq(_i(m), v),
    "addcmul": lambda m, v: _x(m).addcmul(_x(m), _x(m), value=v), "setitem_float64": lambda m, v: _set(_x(m), v),
}
VALUES = {"float32": np.float32(2.5), "float64": np.float64(2.5), "int64": np.int64(2), "int32": np.int32(2),
          "uint8": np.uint8(2), "bool": np.bool_(True), "float16": np.float16(2.5)}
# torch refuses to store a NumPy float32, float16 or bool scalar, and a NumPy bool among Python ints in tensor()
# data (lazygrad takes them); it reads np.complex64 as a float, dropping the imaginary part (lazygrad keeps it
# complex: not among the values here)
_TAKEN_HERE_ONLY = {("setitem_float64", v) for v in ("float32", "bool", "float16")} | {("tensor_with_ints", "bool")}


def _outcome(m, call, value):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = CALLS[call](m, VALUES[value])
    except Exception as error:  # noqa: BLE001  (the error is the outcome compared)
        return type(error).__name__, str(error).replace("lazygrad.", "torch.").split("\n")[0]
    return (type(result).__name__, str(result.dtype).replace("lazygrad.", "torch."), tuple(result.shape),
            np.asarray(result.tolist(), dtype=complex).round(5).tolist())


@pytest.mark.parametrize("value", list(VALUES))
@pytest.mark.parametrize("call", list(CALLS))
def test_numpy_scalars_are_read_as_torch_reads_them(call, value, interpreted):
    torch = pytest.importorskip("torch")
    if (call, value) in _TAKEN_HERE_ONLY:
        assert _outcome(torch, call, value)[0] == "TypeError"
        assert _outcome(lg, call, value)[0] == "Tensor"
        return
    assert _outcome(lg, call, value) == _outcome(torch, call, value)


def test_a_uint8_weight_is_a_number_not_wrapping_uint8_arithmetic(interpreted):
    x = lg.arange(6.0)
    np.testing.assert_array_equal(lg.lerp(x, 2 * x, np.uint8(2)).numpy(), 3 * np.arange(6.0))


ARRAY_CALLS = {
    "tensor_plus_array": lambda m: _x(m) + np.ones(3), "tensor_plus_0d_int_array": lambda m: _x(m) + np.array(2),
    "exp": lambda m: np.exp(_x(m)), "ufunc_with_number": lambda m: np.add(_x(m), 1),
    "equal_array": lambda m: _x(m) == np.array([0.0, 2, 2]), "ufunc_of_0d": lambda m: np.exp(m.tensor(1.0)),
    "ufunc_comparison": lambda m: np.greater(_x(m), 2), "float64_scalar_times": lambda m: np.float64(2) * _x(m),
}


@pytest.mark.parametrize("call", list(ARRAY_CALLS))
def test_ndarrays_and_ufuncs_give_tensors_as_torchs_do(call, interpreted):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want, got = ARRAY_CALLS[call](torch), ARRAY_CALLS[call](lg)
    assert type(got) is lg.Tensor and str(got.dtype).replace("lazygrad", "torch") == str(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_an_array_on_the_left_of_an_operator_is_refused_as_torch_refuses_it():
    with pytest.raises(TypeError, match="unsupported operand"):
        np.ones(3) * lg.ones(3)


def test_from_dlpack_copies_when_asked():
    """copy=True takes the producer's values now; without it the tensor shares the producer's memory."""
    a = np.arange(3.0)
    copied, shared = lg.from_dlpack(a, device="cpu", copy=True), lg.from_dlpack(ext_tensor=a)
    a[0] = 9.0
    assert copied.tolist() == [0.0, 1.0, 2.0] and shared.tolist() == [9.0, 1.0, 2.0]
