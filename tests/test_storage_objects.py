"""TypedStorage / UntypedStorage (tensor.storage(), tensor.untyped_storage()) and set_, against torch."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import lazygrad as lg
from oracle import same_error

pytestmark = pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def torch_mod():
    return pytest.importorskip("torch", reason="torch is the oracle for this test")


def pair(values, dtype: str = "float32"):
    """The same 1-D tensor in lazygrad and in torch."""
    torch = torch_mod()
    arr = np.array(values).astype(dtype)
    return lg.tensor(arr), torch.tensor(arr)


def assert_tensor_like(t: lg.Tensor, expected) -> None:
    assert tuple(t.shape) == tuple(expected.shape)
    assert t.stride() == expected.stride()
    assert t.storage_offset() == expected.storage_offset()
    assert t.tolist() == expected.tolist()


# ---- metadata and reading -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_typed_metadata_and_values_like_torch(dtype):
    x, tx = pair([0, 1, 2, 3, 5, 7], dtype)
    s, ts = x.storage(), tx.storage()
    assert isinstance(s, lg.TypedStorage)
    assert (len(s), s.size(), s.element_size(), s.nbytes()) == (len(ts), ts.size(), ts.element_size(), ts.nbytes())
    assert repr(s.dtype) == repr(ts.dtype).replace("torch.", "lazygrad.")
    assert str(s.device) == str(ts.device) == "cpu"
    assert s.tolist() == ts.tolist() and list(s) == list(ts)
    assert [type(v) for v in s] == [type(v) for v in ts]


@pytest.mark.parametrize("dtype", ["uint8", "int16", "float16", "float32", "float64"])
def test_untyped_is_the_same_bytes_like_torch(dtype):
    x, tx = pair([0.5, -1, 2, 3], dtype)
    u, tu = x.untyped_storage(), tx.untyped_storage()
    assert isinstance(u, lg.UntypedStorage)
    assert (len(u), u.size(), u.nbytes(), u.element_size()) == (len(tu), tu.size(), tu.nbytes(), tu.element_size())
    assert u.tolist() == tu.tolist() == list(u)


def test_storage_is_the_whole_storage_of_a_view_like_torch():
    torch = torch_mod()
    x, tx = lg.arange(12.).view(3, 4)[1:, ::2], torch.arange(12.).view(3, 4)[1:, ::2]
    assert x.storage().tolist() == tx.storage().tolist()
    assert x.untyped_storage().nbytes() == tx.untyped_storage().nbytes() == 48


def test_storage_of_a_lazy_result_is_its_value():
    x = lg.arange(4.) * 2 + 1
    assert x.storage().tolist() == [1.0, 3.0, 5.0, 7.0]


def test_typed_getitem_like_torch():
    x, tx = pair([0.1, 1, 2, 3, 4, 5])
    s, ts = x.storage(), tx.storage()
    for i in range(-6, 6):
        assert s[i] == ts[i]
        assert type(s[i]) is float
    for bad in (6, -7, slice(1, 3), 1.0, None, True, np.int64(1)):
        same_error(lambda: s[bad], lambda: ts[bad])


def test_untyped_getitem_and_slices_like_torch():
    x, tx = pair([0, 1, 2, 3, 4, 5])
    u, tu = x.untyped_storage(), tx.untyped_storage()
    for i in (0, 7, 23, -1, -24, np.int64(6)):
        assert u[i] == tu[i]
    for bad in (24, -25, 1.0, "a", None, True):
        same_error(lambda: u[bad], lambda: tu[bad])
    for sl in (slice(4, 8), slice(None, 5), slice(-4, None), slice(5, 1), slice(20, 100), slice(2, 3, 1)):
        part, tpart = u[sl], tu[sl]
        assert isinstance(part, lg.UntypedStorage)
        assert part.tolist() == tpart.tolist() and part.nbytes() == tpart.nbytes()
        assert part.data_ptr() - u.data_ptr() == tpart.data_ptr() - tu.data_ptr()
    for sl in (slice(1, 5, 2), slice(None, None, -1), slice(0, 4, 0)):
        same_error(lambda: u[sl], lambda: tu[sl])
    inner, tinner = u[4:12], tu[4:12]
    assert inner[2:6].data_ptr() - u.data_ptr() == tinner[2:6].data_ptr() - tu.data_ptr() == 6
    same_error(lambda: inner[8], lambda: tinner[8])
    same_error(lambda: inner[-9], lambda: tinner[-9])


# ---- identity and data_ptr --------------------------------------------------------------------------

def test_data_ptr_is_the_start_of_the_whole_storage():
    x = lg.arange(6.)
    s = x.storage()
    assert s.data_ptr() == x.data_ptr() == x.untyped_storage().data_ptr()
    assert x.view(2, 3).storage().data_ptr() == s.data_ptr()
    assert x[1:].storage().data_ptr() == s.data_ptr() == x[1:].data_ptr() - 4
    assert x.untyped_storage()[8:].data_ptr() == s.data_ptr() + 8
    assert lg.arange(6.).storage().data_ptr() != s.data_ptr()


def test_untyped_storage_is_one_object_per_storage_like_torch():
    torch = torch_mod()
    x, tx = lg.arange(6.), torch.arange(6.)
    assert tx.untyped_storage() is tx[1:].view(5, 1).untyped_storage()
    assert x.untyped_storage() is x[1:].view(5, 1).untyped_storage()
    assert tx.storage().untyped() is tx.untyped_storage()
    assert x.storage().untyped() is x.untyped_storage()
    assert tx.storage() is not tx.storage() and x.storage() is not x.storage()
    assert tx.untyped_storage()[0:4] is not tx.untyped_storage()
    assert x.untyped_storage()[0:4] is not x.untyped_storage()


# ---- writes -----------------------------------------------------------------------------------------

def test_typed_setitem_writes_through_to_every_view(backend):
    torch = torch_mod()
    x, tx = pair([0, 1, 2, 3, 4, 5])
    v, tv = x[2:].view(2, 2), tx[2:].view(2, 2)
    s, ts = x.storage(), tx.storage()
    writes = [(3, 30.0), (-1, 9.0), (slice(0, 4, 2), 7.0), (slice(4, 10), -1.0), (True, -2.0), (0, 2.7),
              (slice(1, 3), (lg.tensor([10.0, 11.0]), torch.tensor([10.0, 11.0])))]
    for idx, value in writes:
        lg_value, torch_value = value if isinstance(value, tuple) else (value, value)
        s[idx] = lg_value
        ts[idx] = torch_value
        assert x.tolist() == tx.tolist() and v.tolist() == tv.tolist() and s.tolist() == ts.tolist()


def test_typed_setitem_on_integers_truncates_like_torch():
    x, tx = pair([0, 1, 2], "int32")
    s, ts = x.storage(), tx.storage()
    s[0], ts[0] = 2.7, 2.7
    assert x.tolist() == tx.tolist() == [2, 1, 2]


def test_typed_setitem_errors_like_torch():
    x, tx = pair([0, 1, 2, 3, 4, 5])
    s, ts = x.storage(), tx.storage()

    def setter(storage, idx, value):
        return lambda: storage.__setitem__(idx, value)
    for idx in (6, -7, 1.0, None):
        same_error(setter(s, idx, 1.0), setter(ts, idx, 1.0))
    same_error(setter(s, 0, s), setter(ts, 0, ts))
    same_error(setter(s, 0, x.untyped_storage()), setter(ts, 0, tx.untyped_storage()))


def test_fill_writes_through(backend):
    x, tx = pair([0, 1, 2, 3])
    v = x[1:]
    assert x.storage().fill_(3).tolist() == tx.storage().fill_(3).tolist() == [3.0] * 4
    assert v.tolist() == [3.0] * 3


def test_untyped_setitem_writes_through_like_torch(backend):
    x, tx = pair([0, 1, 2, 3, 4, 5])
    v, tv = x[1:], tx[1:]
    u, tu = x.untyped_storage(), tx.untyped_storage()
    for idx, value in [(0, 0), (3, 64), (23, 255), (6, 300), (7, -1), (np.int64(8), True), (slice(12, 16), 7),
                       (slice(16, 16), 1)]:
        u[idx] = value
        tu[idx] = value
        assert u.tolist() == tu.tolist()
        np.testing.assert_array_equal(x.numpy(), tx.numpy())
        np.testing.assert_array_equal(v.numpy(), tv.numpy())
    part, tpart = u[4:8], tu[4:8]
    part[3], tpart[3] = 65, 65
    np.testing.assert_array_equal(x.numpy(), tx.numpy())


def test_untyped_setitem_errors_like_torch():
    x, tx = pair([0, 1, 2])
    u, tu = x.untyped_storage(), tx.untyped_storage()

    def setter(storage, idx, value):
        return lambda: storage.__setitem__(idx, value)
    for idx, value in [(12, 1), (-1, 1), (-13, 1), (True, 1), ("a", 1), (0, 1.5), (slice(0, 4, 2), 1)]:
        same_error(setter(u, idx, value), setter(tu, idx, value))
    same_error(setter(u, 0, lg.tensor(3)), setter(tu, 0, tx.new_tensor(3)))
    with pytest.raises(RuntimeError, match="can only set storage content with a int types, but got"):
        u[0] = np.int64(3)  # torch names the type numpy.int64, lazygrad int64


def test_untyped_fill_like_torch():
    x, tx = pair([0, 1])
    u, tu = x.untyped_storage(), tx.untyped_storage()
    for value in (1, 257, -1, True):
        u.fill_(value)
        tu.fill_(value)
        np.testing.assert_array_equal(x.numpy(), tx.numpy())
    same_error(lambda: u.fill_(1.5), lambda: tu.fill_(1.5))


def test_tensor_writes_are_seen_by_storage_reads(backend):
    torch = torch_mod()
    x, tx = pair([0, 1, 2, 3, 4, 5])
    s, ts, u, tu = x.storage(), tx.storage(), x.untyped_storage(), tx.untyped_storage()
    x.add_(1)
    tx.add_(1)
    assert s.tolist() == ts.tolist() and u.tolist() == tu.tolist()
    x[1:].view(5)[::2].mul_(3)
    tx[1:].view(5)[::2].mul_(3)
    assert s.tolist() == ts.tolist() and s[3] == ts[3] and u.tolist() == tu.tolist()
    x.copy_(lg.full((6,), -0.5))
    tx.copy_(torch.full((6,), -0.5))
    assert s.tolist() == ts.tolist()


def test_lazy_values_keep_what_they_read_before_a_storage_write(backend):
    x = lg.arange(4.)
    doubled = x * 2
    x.storage()[0] = 100.0
    x.untyped_storage()[4:8].fill_(0)
    assert doubled.tolist() == [0.0, 2.0, 4.0, 6.0]
    assert x.tolist() == [100.0, 0.0, 2.0, 3.0]


def test_storage_writes_leave_autograd_versions_alone_like_torch():
    torch = torch_mod()
    a, ta = lg.arange(4.).requires_grad_(), torch.arange(4.).requires_grad_()
    b, tb = a * 1, ta * 1
    y, ty = b.exp(), tb.exp()
    b.storage()[0] = 5.0
    tb.storage()[0] = 5.0
    b.untyped_storage()[4] = 1
    tb.untyped_storage()[4] = 1
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-6)


def test_storage_write_on_a_leaf_requiring_grad_like_torch():
    torch = torch_mod()
    p, tp = lg.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    p.storage()[0] = 3.0
    tp.storage()[0] = 3.0
    assert p.tolist() == tp.tolist() and p.requires_grad and p.is_leaf


# ---- copy_, clone ------------------------------------------------------------------------------------

def test_copy_like_torch():
    torch = torch_mod()
    x, tx = pair([0, 1, 2, 3, 4, 5])
    x.storage().copy_(lg.full((6,), 7.0).storage())
    tx.storage().copy_(torch.full((6,), 7.0).storage())
    assert x.tolist() == tx.tolist()
    x.storage().copy_(lg.ones(3, dtype=lg.float64).storage())  # bytes, whatever the dtypes
    tx.storage().copy_(torch.ones(3, dtype=torch.float64).storage())
    assert x.tolist() == tx.tolist()
    x.untyped_storage()[4:8].copy_(lg.tensor([2.5]).untyped_storage())
    tx.untyped_storage()[4:8].copy_(torch.tensor([2.5]).untyped_storage())
    assert x.tolist() == tx.tolist()
    same_error(lambda: x.storage().copy_(lg.zeros(3).storage()), lambda: tx.storage().copy_(torch.zeros(3).storage()))
    same_error(lambda: x.untyped_storage().copy_(lg.zeros(6)), lambda: tx.untyped_storage().copy_(torch.zeros(6)))


def test_clone_and_copy_module_make_new_memory_like_torch():
    x, tx = pair([0, 1, 2])
    for make in (lambda s: s.clone(), copy.copy, copy.deepcopy):
        c, tc = make(x.storage()), make(tx.storage())
        assert type(c) is lg.TypedStorage and c.dtype is x.dtype and c.tolist() == tc.tolist()
        assert c.data_ptr() != x.storage().data_ptr()
        c[0] = 100.0
        assert x.tolist() == [0.0, 1.0, 2.0]
    for part in (slice(0, 12), slice(1, 3)):
        c, tc = x.untyped_storage()[part].clone(), tx.untyped_storage()[part].clone()
        assert type(c) is lg.UntypedStorage and c.tolist() == tc.tolist()
        assert c.data_ptr() != x.untyped_storage()[part].data_ptr()


# ---- printing ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_typed_repr_like_torch(dtype):
    x, tx = pair([0, 1, 0.1, 20000.5, -3] if dtype.startswith("float") else [0, 1, 7, 100, 3], dtype)
    assert repr(x.storage()) == repr(tx.storage()).replace("torch.", "lazygrad.")
    assert str(x.storage()) == str(tx.storage()).replace("torch.", "lazygrad.")


def test_typed_repr_literal():
    assert repr(lg.arange(3.).storage()) == (
        " 0.0\n 1.0\n 2.0\n[lazygrad.storage.TypedStorage(dtype=lazygrad.float32, device=cpu) of size 3]")
    assert repr(lg.tensor([True]).storage()) == (
        " True\n[lazygrad.storage.TypedStorage(dtype=lazygrad.bool, device=cpu) of size 1]")


def test_repr_of_empty_and_untyped_like_torch():
    torch = torch_mod()
    assert repr(lg.zeros(0, dtype=lg.float64).storage()) == \
        repr(torch.zeros(0, dtype=torch.float64).storage()).replace("torch.", "lazygrad.")
    x, tx = pair([1.5, -2])
    assert repr(x.untyped_storage()) == repr(tx.untyped_storage()).replace("torch.", "lazygrad.")
    assert str(x.untyped_storage()[2:5]) == str(tx.untyped_storage()[2:5]).replace("torch.", "lazygrad.")
    assert repr(x.untyped_storage()[0:0]) == " \n[lazygrad.storage.UntypedStorage(device=cpu) of size 0]"


# ---- lg.Tensor(storage) ------------------------------------------------------------------------------

def test_legacy_constructor_shares_the_storage_like_torch():
    torch = torch_mod()
    x, tx = pair([0, 1, 2])
    for get in (lambda t: t.storage(), lambda t: t.untyped_storage()):
        t, tt = lg.Tensor(get(x)), torch.Tensor(get(tx))
        assert_tensor_like(t, tt)
        assert t.dtype is lg.float32 and not t.requires_grad
        assert t.data_ptr() == x.data_ptr()
        t[1] = -1.0
        tt[1] = -1.0
        assert x.tolist() == tx.tolist()


def test_legacy_constructor_storage_errors_like_torch():
    torch = torch_mod()
    same_error(lambda: lg.Tensor(lg.arange(3).storage()), lambda: torch.Tensor(torch.arange(3).storage()))
    same_error(lambda: lg.Tensor(lg.zeros(3, dtype=lg.float64).storage()),
               lambda: torch.Tensor(torch.zeros(3, dtype=torch.float64).storage()))


# ---- set_ --------------------------------------------------------------------------------------------

SET_CASES = {
    "storage": lambda x, T: (x.storage(),),
    "untyped": lambda x, T: (x.untyped_storage(),),
    "storage, view": lambda x, T: (x.storage(), 2, (2, 2), (1, 2)),
    "storage, contiguous": lambda x, T: (x.storage(), 1, (2, 2)),
    "storage, list size": lambda x, T: (x.storage(), 0, [2], [1]),
    "storage, Size": lambda x, T: (x.storage(), 2, T.Size([2]), (1,)),
    "storage, expanded": lambda x, T: (x.storage(), 0, (2, 2), (0, 1)),
    "tensor": lambda x, T: (x[1:].view(7, 1),),
    "tensor, view": lambda x, T: (x[3:], 1, (2,), (2,)),
    "tensor, contiguous": lambda x, T: (x, 1, (2,)),
    "empty": lambda x, T: (),
}


@pytest.mark.parametrize("case", SET_CASES)
def test_set_like_torch(case):
    torch = torch_mod()
    x, tx = pair(range(8))
    t, tt = lg.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    assert t.set_(*SET_CASES[case](x, lg)) is t
    assert tt.set_(*SET_CASES[case](tx, torch)) is tt
    assert_tensor_like(t, tt)
    assert (t.untyped_storage() is x.untyped_storage()) == (tt.untyped_storage().data_ptr() == tx.data_ptr())
    if t.numel():
        t[(0,) * t.dim()].fill_(-7.0)
        tt[(0,) * tt.dim()].fill_(-7.0)
        assert x.tolist() == tx.tolist()


def test_set_keyword_arguments_like_torch():
    torch = torch_mod()
    x, tx = pair(range(6))
    t, tt = lg.zeros(1), torch.zeros(1)
    t.set_(x.storage(), storage_offset=1, size=(2,), stride=(2,))
    tt.set_(tx.storage(), storage_offset=1, size=(2,), stride=(2,))
    assert_tensor_like(t, tt)


def test_set_then_tensor_writes_reach_the_source_and_back(backend):
    x = lg.arange(6.)
    t = lg.zeros(1).set_(x.storage(), 1, (2, 2))
    t.add_(10)
    assert x.tolist() == [0.0, 11.0, 12.0, 13.0, 14.0, 5.0]
    x.mul_(2)
    assert t.tolist() == [[22.0, 24.0], [26.0, 28.0]]


def test_set_grows_a_storage_too_small_like_torch():
    torch = torch_mod()
    x, tx = pair(range(6))
    v, tv = x[1:], tx[1:]
    u, tu = x.untyped_storage(), tx.untyped_storage()
    t, tt = lg.zeros(1), torch.zeros(1)
    t.set_(x.storage(), 1, (2, 3))
    tt.set_(tx.storage(), 1, (2, 3))
    assert len(x.storage()) == len(tx.storage()) == 7
    assert len(u) == len(tu) == 28 and u is x.untyped_storage()
    assert t.tolist()[0] == tt.tolist()[0] and x.tolist() == tx.tolist() and v.tolist() == tv.tolist()
    t.fill_(1.0)
    tt.fill_(1.0)
    assert x.tolist() == tx.tolist() and v.tolist() == tv.tolist()
    t.set_(x.storage(), 9, (0,))
    tt.set_(tx.storage(), 9, (0,))
    assert len(x.storage()) == len(tx.storage()) == 7


def test_set_cannot_grow_numpy_memory_like_torch():
    torch = torch_mod()
    a, ta = lg.from_numpy(np.zeros(3, np.float32)), torch.from_numpy(np.zeros(3, np.float32))
    same_error(lambda: lg.zeros(1).set_(a.storage(), 0, (5,)), lambda: torch.zeros(1).set_(ta.storage(), 0, (5,)))


def test_set_errors_like_torch():
    torch = torch_mod()
    x, tx = pair(range(6))
    for dtype in DTYPES:
        if dtype == "float32":
            continue
        other, tother = lg.zeros(2, dtype=getattr(lg, dtype)), torch.zeros(2, dtype=getattr(torch, dtype))
        same_error(lambda: lg.zeros(1).set_(other), lambda: torch.zeros(1).set_(tother))
        same_error(lambda: lg.zeros(1).set_(other.storage()), lambda: torch.zeros(1).set_(tother.storage()))
        same_error(lambda: other.set_(x.storage()), lambda: tother.set_(tx.storage()))
    for args in [(-1, (2,), (1, 1)), (-1, (2,)), (0, (-1,), (1,)), (0, (2, -1)), (0, (2,), (-1,))]:
        same_error(lambda: lg.zeros(1).set_(x.storage(), *args), lambda: torch.zeros(1).set_(tx.storage(), *args))
    for args in [(x.storage(), 0), (5,)]:
        with pytest.raises(TypeError, match=r"set_\(\) received an invalid combination of arguments"):
            lg.zeros(1).set_(*args)


def test_set_on_a_leaf_requiring_grad_like_torch():
    torch = torch_mod()
    x, tx = pair(range(3))
    p, tp = lg.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    same_error(lambda: p.set_(x), lambda: tp.set_(tx))
    with lg.no_grad():
        p.set_(x.storage())
    with torch.no_grad():
        tp.set_(tx.storage())
    assert p.tolist() == tp.tolist() and p.requires_grad and p.is_leaf


def test_set_on_a_non_leaf_like_torch():
    torch = torch_mod()
    w, tw = lg.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    y, ty = w * 2, tw * 2
    y.set_(lg.zeros(3))
    ty.set_(torch.zeros(3))
    assert repr(y) == repr(ty) == "tensor([0., 0., 0.], grad_fn=<NotImplemented>)"
    same_error(lambda: y.sum().backward(), lambda: ty.sum().backward())
    y, ty = w * 2, tw * 2
    with lg.no_grad():
        y.set_(lg.zeros(3))
    with torch.no_grad():
        ty.set_(torch.zeros(3))
    assert y.grad_fn.name() == ty.grad_fn.name() == "MulBackward0"


def test_set_reinterpreting_bytes_is_not_supported_yet():
    x = lg.arange(3)
    with pytest.raises(NotImplementedError):
        lg.zeros(1).set_(x.untyped_storage())
    with pytest.raises(NotImplementedError):
        lg.zeros(1).set_(lg.arange(4.).untyped_storage()[4:12])


# ---- constructors ------------------------------------------------------------------------------------

def test_constructors_like_torch():
    torch = torch_mod()
    assert lg.UntypedStorage([1, 2, 300]).tolist() == torch.UntypedStorage([1, 2, 300]).tolist() == [1, 2, 44]
    assert len(lg.UntypedStorage(5)) == len(torch.UntypedStorage(5)) == 5
    assert len(lg.UntypedStorage()) == len(torch.UntypedStorage()) == 0
    s, ts = lg.TypedStorage([1, 2], dtype=lg.int32), torch.TypedStorage([1, 2], dtype=torch.int32)
    assert repr(s) == repr(ts).replace("torch.", "lazygrad.")
    assert lg.TypedStorage(3).dtype is lg.get_default_dtype() and len(lg.TypedStorage(3)) == 3
    x = lg.arange(4.)
    wrapped = lg.TypedStorage(wrap_storage=x.untyped_storage(), dtype=lg.float32)
    wrapped[0] = 9.0
    assert x.tolist() == [9.0, 1.0, 2.0, 3.0] and wrapped.untyped() is x.untyped_storage()
    same_error(lambda: lg.TypedStorage(wrap_storage=x.untyped_storage()),
               lambda: torch.TypedStorage(wrap_storage=torch.arange(4.).untyped_storage()))
    same_error(lambda: lg.TypedStorage(1, 2), lambda: torch.TypedStorage(1, 2))


def test_typed_storage_warns_once_as_torch_does(monkeypatch):
    from lazygrad import typed_storage
    monkeypatch.setattr(typed_storage, "_REMOVAL_WARNED", False)
    a = lg.ones(3)
    with pytest.warns(UserWarning, match="TypedStorage is deprecated. It will be removed in the future") as seen:
        a.storage()
        a.storage()
        lg.TypedStorage(2)
    assert len(seen) == 1


# ---- casts, moves and how the memory is held ------------------------------------------------------

def _same(call) -> None:
    """call(lazygrad) raises what call(torch) does."""
    same_error(lambda: call(lg), lambda: call(torch_mod()))


CASTS = ["double", "float", "half", "bfloat16", "long", "int", "short", "char", "byte", "bool", "complex_double",
         "complex_float"]


@pytest.mark.parametrize("cast", CASTS)
def test_casts_of_both_storage_kinds_like_torch(cast):
    """A TypedStorage's elements are converted; an UntypedStorage's elements are its bytes."""
    x, tx = pair([0.0, 1.5, -2.0, 3.0])
    for ours, theirs in ((x.storage(), tx.storage()), (x.untyped_storage(), tx.untyped_storage())):
        got, expected = getattr(ours, cast)(), getattr(theirs, cast)()
        assert type(got).__name__ == type(expected).__name__ == "TypedStorage"
        assert got.dtype.name == str(expected.dtype).split(".")[1]
        np.testing.assert_array_equal(np.array(got.tolist()), np.array(expected.tolist()))


def test_type_names_and_moves_like_torch():
    torch = torch_mod()
    x, tx = pair([1.0, 2.0], "float64")
    assert x.storage().type() == tx.storage().type() == "torch.DoubleStorage"
    assert x.storage().pickle_storage_type() == tx.storage().pickle_storage_type() == "DoubleStorage"
    assert x.untyped_storage().type() == tx.untyped_storage().type()
    assert x.storage().type(lg.LongStorage).tolist() == [1, 2]
    assert x.storage().type("torch.IntStorage").dtype is lg.int32
    for m, t in ((lg, x), (torch, tx)):
        s, u = t.storage(), t.untyped_storage()
        assert s.cpu() is not s and s.cpu().data_ptr() == s.data_ptr() and s.to(device="cpu").data_ptr() == s.data_ptr()
        assert u.cpu() is u and u.to(device="cpu") is u and u.untyped() is u and u.new().nbytes() == 0
        assert (s.get_device(), u.get_device(), s.is_sparse, u.is_sparse_csr, s.is_pinned()) == (None, None, False,
                                                                                                  False, False)
        assert s.resizable() and s.filename is None
    with pytest.raises(TypeError):
        x.storage().to("cpu")  # (device is keyword-only, as in torch)
    if not lg.cuda.is_available():
        _same(lambda m: m.ones(2).storage().pin_memory())


def test_share_memory_is_reported_on_the_memory_like_torch():
    torch = torch_mod()
    for m in (lg, torch):
        t = m.ones(2)
        assert not t.is_shared() and not t.storage().is_shared()
        view = t[1:]
        assert t.share_memory_() is t
        assert t.is_shared() and view.is_shared() and t.untyped_storage().is_shared() and t.storage().is_shared()
        other = m.ones(2)
        other.untyped_storage().share_memory_()
        assert other.is_shared()


def test_resize_grows_a_storage_and_its_tensors_keep_their_view():
    x, tx = pair([1.0, 2.0])
    x.untyped_storage().resize_(16)
    tx.untyped_storage().resize_(16)
    assert x.untyped_storage().nbytes() == tx.untyped_storage().nbytes() == 16
    assert x.tolist() == tx.tolist() and x.untyped_storage().tolist()[8:] == [0] * 8  # (torch's: uninitialized)
    s = lg.zeros(2, dtype=lg.int16).storage()
    s.resize_(3)
    assert len(s) == 3 and s.tolist() == [0, 0, 0]
    with pytest.raises(RuntimeError, match="shrinking a storage"):
        x.untyped_storage().resize_(4)
    with pytest.raises(RuntimeError, match="Trying to resize storage that is not resizable"):
        lg.from_numpy(np.ones(2, np.float32)).untyped_storage().resize_(16)


def test_byteswap_like_torch():
    torch = torch_mod()
    raw = np.array([1, -2, 300], np.int32).tobytes()
    got = [m.UntypedStorage.from_buffer(raw, "little", dtype=m.int32) for m in (lg, torch)]
    for u, m in zip(got, (lg, torch)):
        u.byteswap(m.int32)
    assert got[0].tolist() == got[1].tolist()


# ---- storages from bytes and from files -----------------------------------------------------------

BUFFER_CASES = {
    "little": dict(byte_order="little"), "big": dict(byte_order="big"), "native": dict(byte_order="native"),
    "count": dict(byte_order="little", count=1), "count and offset": dict(byte_order="little", count=1, offset=2),
    "none": dict(byte_order="little", count=0), "offset past the end": dict(byte_order="little", offset=9),
    "negative offset": dict(byte_order="little", offset=-1), "count too big": dict(byte_order="little", count=5),
    "ragged": dict(byte_order="little", offset=1), "bad order": dict(byte_order="middle"), "no order": {},
}


@pytest.mark.parametrize("case", BUFFER_CASES)
@pytest.mark.parametrize("dtype", ["int16", "float32", "complex64"])
def test_from_buffer_like_torch(case, dtype):
    torch = torch_mod()
    raw = np.arange(1, 9, dtype=np.uint8).tobytes()
    results = []
    for m in (lg, torch):
        try:
            typed = m.TypedStorage.from_buffer(raw, dtype=getattr(m, dtype), **BUFFER_CASES[case])
            untyped = m.UntypedStorage.from_buffer(raw, dtype=getattr(m, dtype), **BUFFER_CASES[case])
            results.append((np.array(typed.tolist()).tobytes(), str(typed.dtype).split(".")[1], untyped.tolist()))
        except (ValueError, RuntimeError) as error:
            results.append((type(error).__name__, str(error)))
    assert results[0] == results[1]


def test_from_buffer_defaults_and_legacy_classes_like_torch():
    torch = torch_mod()
    raw = np.array([1.5, -2.0], np.float32).tobytes()
    for m in (lg, torch):
        assert m.TypedStorage.from_buffer(raw, "native").tolist() == [1.5, -2.0]
        assert m.ShortStorage.from_buffer(raw[:4], "little").dtype is m.int16
        _same(lambda m: m.UntypedStorage.from_buffer(raw, "little"))
        _same(lambda m: m.UntypedStorage.from_buffer([1, 2], "little", dtype=m.int16))


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "values.bin"
    np.arange(6, dtype=np.float32).tofile(path)
    return path


def test_from_file_private_mapping_leaves_the_file_alone(data_file):
    torch = torch_mod()
    for m in (lg, torch):
        t = m.from_file(str(data_file), shared=False, size=4)
        t[0] = 100.0
        t.mul_(2)
        assert t.tolist() == [200.0, 2.0, 4.0, 6.0] and t.untyped_storage().filename is None
        np.testing.assert_array_equal(np.fromfile(data_file, np.float32), np.arange(6))
    assert lg.from_file(str(data_file), size=3, dtype=lg.int32).tolist() == \
        torch.from_file(str(data_file), size=3, dtype=torch.int32).tolist()
    assert lg.from_file(str(data_file)).shape == (0,)


def test_from_file_shared_mapping_writes_the_file(data_file, tmp_path):
    torch = torch_mod()
    for m in (lg, torch):
        np.arange(6, dtype=np.float32).tofile(data_file)
        t = m.from_file(str(data_file), shared=True, size=4)
        t[0] = 100.0
        t.add_(1)
        np.testing.assert_array_equal(np.fromfile(data_file, np.float32), [101, 2, 3, 4, 4, 5])
        assert t.untyped_storage().filename == str(data_file)
        fresh = tmp_path / f"new_{m.__name__}.bin"  # a missing file is created, zero-filled, at the mapping's size
        made = m.from_file(str(fresh), shared=True, size=3)
        assert made.tolist() == [0.0, 0.0, 0.0] and fresh.stat().st_size == 12
        made.fill_(2.5)
        np.testing.assert_array_equal(np.fromfile(fresh, np.float32), [2.5] * 3)


def test_storage_from_file_like_torch(data_file):
    torch = torch_mod()
    for m in (lg, torch):
        assert m.UntypedStorage.from_file(str(data_file), False, 8).tolist() == [0, 0, 0, 0, 0, 0, 128, 63]
        assert m.FloatStorage.from_file(str(data_file), False, 3).tolist() == [0.0, 1.0, 2.0]
        assert m.UntypedStorage.from_file(str(data_file), True, 4).filename == str(data_file)
    _same(lambda m: m.TypedStorage.from_file(str(data_file), False, 2))


@pytest.mark.parametrize("call", [
    lambda m, path: m.from_file(path, size=100),
    lambda m, path: m.from_file(path + ".missing", size=2),
    lambda m, path: m.from_file(path, size=2, dtype=m.int64, requires_grad=True),
])
def test_from_file_errors_like_torch(call, data_file):
    torch = torch_mod()
    _same(lambda m: call(m, str(data_file)))


def test_legacy_storage_classes_like_torch():
    torch = torch_mod()
    for m in (lg, torch):
        made = m.FloatStorage(3)
        assert type(made) is m.TypedStorage and made.dtype is m.float32 and len(made) == 3
        assert m.LongStorage([1, 2]).tolist() == [1, 2] and m.BoolStorage.dtype is m.bool
        assert isinstance(m.arange(3.0).storage(), m.FloatStorage)
        assert not isinstance(m.arange(3.0).storage(), m.DoubleStorage)
        assert issubclass(m.FloatStorage, m.TypedStorage) and m.is_storage(made)
        assert m.arange(3).storage_type() is m.LongStorage
        assert m.Tensor(m.FloatStorage([1.0, 2.0])).tolist() == [1.0, 2.0]
    assert repr(lg.FloatStorage) == repr(torch.FloatStorage).replace("torch", "lazygrad")
    _same(lambda m: m.FloatStorage(3, dtype=m.float64))
    _same(lambda m: m.FloatStorage(3, device="cpu"))
