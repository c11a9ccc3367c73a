"""Views, storage sharing and writes against torch (the oracle): view metadata (sizes, strides, storage
offsets, contiguity, data_ptr), writes through any view seen by the base and every other view, in-place
`_` methods (values, identity, the buffer kept), `__setitem__`, `out=`, and memory shared with NumPy.

Values are read with tolist() (never numpy(), which would make the storage NumPy-shared and switch
writes to the eager path). A few core cases carry explicit expected values and run without torch.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazygrad as lg
from oracle import dtype_name, same_error

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
BASE = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def torch_or_skip():
    return pytest.importorskip("torch", reason="torch is the oracle for this test")


def meta(t) -> tuple:
    """The view metadata torch reports: size, stride, storage offset, contiguity."""
    return tuple(t.size()), tuple(t.stride()), t.storage_offset(), t.is_contiguous()


def check(out, expected, *, exact: bool = True) -> None:
    """lazygrad tensor `out` has torch tensor `expected`'s dtype, shape and values (NaNs equal).

    Reads through tolist(), which does not share the storage with NumPy."""
    torch = torch_or_skip()
    assert isinstance(out, lg.Tensor), type(out)
    assert out.dtype.name == dtype_name(expected), (out.dtype.name, dtype_name(expected))
    assert tuple(out.shape) == tuple(expected.shape), (tuple(out.shape), tuple(expected.shape))
    got = torch.tensor(out.tolist(), dtype=expected.dtype).reshape(expected.shape)
    if exact:
        torch.testing.assert_close(got, expected, equal_nan=True, rtol=0, atol=0)
    else:
        torch.testing.assert_close(got, expected, equal_nan=True)


def check_all(outs, expecteds, *, exact: bool = True) -> None:
    assert len(outs) == len(expecteds)
    for i, (o, e) in enumerate(zip(outs, expecteds)):
        try:
            check(o, e, exact=exact)
        except AssertionError as err:
            raise AssertionError(f"result {i}: {err}") from err


def realized(t):
    """t, realized (reading data_ptr() realizes), so a later in-place op can reuse its buffer."""
    t.data_ptr()
    return t


# ==== 1. view metadata ==============================================================================

def _as_strided(m, x, *args):
    return (lg.Tensor.as_strided if m is lg else m.Tensor.as_strided)(x, *args)


VIEWS = {
    # view / reshape (view when the strides allow it)
    "view(6,4)": lambda m, x: x.view(6, 4),
    "view(-1)": lambda m, x: x.view(-1),
    "view_split_dim": lambda m, x: x.view(2, 3, 2, 2),
    "view_of_transposed_ok": lambda m, x: x.transpose(0, 1).view(3, 2, 2, 2),
    "view_of_sliced_rows": lambda m, x: x[:, 1:].view(2, 8),
    "view_of_column_slice": lambda m, x: x[..., 1:3].view(2, 3, 2, 1),
    "reshape_contiguous": lambda m, x: x.reshape(4, 6),
    "reshape_of_sliced_rows": lambda m, x: x[:, 1:].reshape(2, 2, 4),
    "reshape_of_transposed_keeps_view": lambda m, x: x.transpose(0, 1).reshape(3, 2, 2, 2),
    "reshape_copies_transposed": lambda m, x: x.transpose(1, 2).reshape(2, 12),
    "reshape_copies_stepped": lambda m, x: x[:, :, ::2].reshape(-1),
    "reshape_copies_mT": lambda m, x: x.mT.reshape(8, 3),
    # transposes and permutations
    "t": lambda m, x: x[1].t(),
    "t_of_column": lambda m, x: x[0, :, 1].t(),
    "transpose(0,2)": lambda m, x: x.transpose(0, 2),
    "transpose(-1,-2)": lambda m, x: x.transpose(-1, -2),
    "permute(2,0,1)": lambda m, x: x.permute(2, 0, 1),
    "permute(1,2,0)": lambda m, x: m.permute(x, (1, 2, 0)),
    "T_2d": lambda m, x: x[0].T,
    "mT": lambda m, x: x.mT,
    # broadcasting
    "expand": lambda m, x: x[:, :1].expand(2, 3, 4),
    "expand_new_dims": lambda m, x: x[0, :, :1].expand(5, 3, 4),
    "expand_-1": lambda m, x: x[:1].expand(3, -1, -1, -1),
    # narrowing, selecting
    "narrow(2,1,2)": lambda m, x: x.narrow(2, 1, 2),
    "narrow(0,1,1)": lambda m, x: x.narrow(0, 1, 1),
    "narrow_negative_start": lambda m, x: x.narrow(-1, -3, 2),
    "select(1,1)": lambda m, x: x.select(1, 1),
    "select(2,-1)": lambda m, x: x.select(2, -1),
    "select_twice": lambda m, x: x.select(0, 1).select(1, 2),
    # unsqueeze / squeeze
    "unsqueeze(0)": lambda m, x: x.unsqueeze(0),
    "unsqueeze(-1)": lambda m, x: x.unsqueeze(-1),
    "unsqueeze(2)": lambda m, x: x.unsqueeze(2),
    "squeeze_all": lambda m, x: x[:1, :, :1].squeeze(),
    "squeeze(1)": lambda m, x: x[:, 1:2].squeeze(1),
    "squeeze_not_one": lambda m, x: x.squeeze(0),
    "squeeze_tuple": lambda m, x: x[:1, :1].squeeze((0, 1)),
    # diagonals
    "diagonal": lambda m, x: x.diagonal(),
    "diagonal(0,1,2)": lambda m, x: x.diagonal(0, 1, 2),
    "diagonal(1,1,2)": lambda m, x: x.diagonal(1, 1, 2),
    "diagonal(2,1,2)": lambda m, x: x.diagonal(2, 1, 2),
    "diagonal(-1,1,2)": lambda m, x: x.diagonal(-1, 1, 2),
    "diagonal(-2,-1,-2)": lambda m, x: x.diagonal(-2, -1, -2),
    "diagonal_past_the_end": lambda m, x: x.diagonal(5, 1, 2),
    "diagonal(1,0,2)": lambda m, x: x.diagonal(1, 0, 2),
    # basic indexing
    "int": lambda m, x: x[1],
    "x[0,:]": lambda m, x: x[0, :],
    "x[:,-1]": lambda m, x: x[:, -1],
    "x[...,None]": lambda m, x: x[..., None],
    "x[None,...,None]": lambda m, x: x[None, ..., None],
    "x[:,None,1]": lambda m, x: x[:, None, 1],
    "x[1,...,2]": lambda m, x: x[1, ..., 2],
    "x[...]": lambda m, x: x[...],
    "slice_steps": lambda m, x: x[:, ::2, 1::2],
    "slice_step_3": lambda m, x: x[..., ::3],
    "slice_negative_bounds": lambda m, x: x[:, -2:, :-1],
    "slice_past_end": lambda m, x: x[:, 1:100:2],
    "slice_empty": lambda m, x: x[:, 3:],
    "slice_single_row": lambda m, x: x[:, 1:2],
    # flatten / unflatten
    "flatten": lambda m, x: x.flatten(),
    "flatten(1)": lambda m, x: x.flatten(1),
    "flatten(0,1)": lambda m, x: x.flatten(0, 1),
    "flatten_of_row_slice": lambda m, x: x[1:].flatten(),
    "flatten_copies_transposed": lambda m, x: x.transpose(0, 2).flatten(),
    "unflatten(2,(2,2))": lambda m, x: x.unflatten(2, (2, 2)),
    "unflatten(-1,(-1,2))": lambda m, x: x.unflatten(-1, (-1, 2)),
    "unflatten_of_transposed": lambda m, x: x.transpose(0, 2).unflatten(0, (2, 2)),
    # as_strided
    "as_strided": lambda m, x: x.as_strided((3, 3), (4, 1)),
    "as_strided_offset": lambda m, x: x.as_strided((2, 2), (1, 4), 5),
    "as_strided_overlapping": lambda m, x: x.as_strided((4, 3), (1, 1), 2),
    "as_strided_of_view_keeps_storage_offset": lambda m, x: x[1].as_strided((2, 3), (3, 1)),
    "as_strided_of_view_explicit_offset": lambda m, x: x[1, 1:].as_strided((2, 2), (2, 1), 3),
    "as_strided_zero_stride": lambda m, x: x.as_strided((3, 2), (0, 5), 1),
    # chains on non-contiguous inputs
    "chain_transpose_slice_unsqueeze": lambda m, x: x.transpose(0, 2)[1:, ::2].unsqueeze(1),
    "chain_permute_select_t": lambda m, x: x.permute(2, 0, 1)[2].t(),
    "chain_step_diagonal": lambda m, x: x[:, :, 1:].diagonal(0, -2, -1),
    "chain_mT_narrow_expand": lambda m, x: x.mT.narrow(1, 1, 1).expand(2, 4, 3),
    "chain_stepped_view": lambda m, x: x[:, ::2].view(2, 2, 2, 2),
    "chain_diagonal_of_permuted": lambda m, x: x.permute(1, 0, 2).diagonal(1, 0, 2),
    "chain_as_strided_of_transposed": lambda m, x: x.transpose(0, 1).as_strided((2, 2), (7, 2), 3),
    "chain_slice_of_diagonal": lambda m, x: x.diagonal(0, 1, 2)[:, 1::2],
    "chain_expand_select": lambda m, x: x[:, 1:2].expand(2, 5, 4)[:, 3],
    "chain_flatten_of_permuted_slice": lambda m, x: x.permute(1, 0, 2)[:, :, 1:3].flatten(1),
    "chain_unflatten_of_select": lambda m, x: x.select(2, 1).unflatten(1, (3, 1)),
    "chain_squeeze_of_narrow_mT": lambda m, x: x.narrow(0, 1, 1).mT.squeeze(0)[::3],
    "chain_slices_of_slices": lambda m, x: x[1:, 1:][:, :1, 1:][..., ::2],
}


def _shares_storage(v, x) -> bool:
    return v.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_metadata_like_torch(name):
    """size, stride, storage_offset, is_contiguous, shared storage and the data_ptr difference equal torch's."""
    torch = torch_or_skip()
    f = VIEWS[name]
    x, tx = lg.tensor(BASE), torch.tensor(BASE)
    v, tv = f(lg, x), f(torch, tx)
    assert meta(v) == meta(tv)
    assert v.dim() == tv.dim() and v.numel() == tv.numel() and v.size() == tv.size()
    assert [v.size(d) for d in range(-v.dim(), v.dim())] == [tv.size(d) for d in range(-tv.dim(), tv.dim())]
    assert [v.stride(d) for d in range(v.dim())] == [tv.stride(d) for d in range(tv.dim())]
    shared = _shares_storage(tv, tx)
    assert _shares_storage(v, x) == shared
    if shared and tv.numel():  # (torch's data_ptr() of an empty tensor is 0: see test_empty_view_data_ptr)
        assert v.data_ptr() - x.data_ptr() == tv.data_ptr() - tx.data_ptr()
    check(v, tv)


def test_empty_view_data_ptr_like_torch():
    torch = torch_or_skip()
    x, tx = lg.tensor(BASE), torch.tensor(BASE)
    assert x[:, 3:].data_ptr() == tx[:, 3:].data_ptr() == 0


def test_top_level_as_strided_like_torch():
    torch = torch_or_skip()
    x, tx = lg.tensor(BASE), torch.tensor(BASE)
    v, tv = lg.as_strided(x, (3, 3), (4, 1), 2), torch.as_strided(tx, (3, 3), (4, 1), 2)
    assert meta(v) == meta(tv)
    check(v, tv)


@pytest.mark.parametrize("shape", [(4, 6), (3, 2, 4), (24,), (2, -1, 3)])
@pytest.mark.parametrize("source", ["contiguous", "transposed", "row_slice", "stepped", "expanded"])
def test_reshape_is_a_view_exactly_when_torch_returns_one(source, shape):
    """reshape returns a view (same memory) when the strides allow it, a copy otherwise, as torch decides."""
    torch = torch_or_skip()
    pick = {
        "contiguous": lambda x: x[:24].view(2, 3, 4),
        "transposed": lambda x: x.transpose(0, 1),
        "row_slice": lambda x: x[6:30].view(2, 3, 4),
        "stepped": lambda x: x[::2].view(2, 3, 4),
        "expanded": lambda x: x[:24].view(2, 3, 4)[:, :1].expand(2, 3, 4),
    }[source]
    base = np.arange(48, dtype=np.float32)
    x = pick(lg.tensor(base)) if source != "transposed" else pick(lg.tensor(base)[:24].view(2, 3, 4))
    tx = pick(torch.tensor(base)) if source != "transposed" else pick(torch.tensor(base)[:24].view(2, 3, 4))
    assert meta(x) == meta(tx)
    r, tr = x.reshape(shape), tx.reshape(shape)
    assert (r.data_ptr() == x.data_ptr()) == (tr.data_ptr() == tx.data_ptr())
    assert _shares_storage(r, x) == _shares_storage(tr, tx)
    assert meta(r) == meta(tr)
    check(r, tr)
    if not _shares_storage(tr, tx):  # torch.view refuses exactly where reshape copies
        with pytest.raises(RuntimeError):
            x.view(shape)
    else:
        assert meta(x.view(shape)) == meta(tr)


def test_view_refused_with_torchs_message():
    torch = torch_or_skip()
    x, tx = lg.tensor(BASE), torch.tensor(BASE)
    same_error(lambda: x.transpose(1, 2).view(-1), lambda: tx.transpose(1, 2).view(-1), RuntimeError)


def test_core_view_metadata_without_torch():
    x = lg.arange(24.0).reshape(2, 3, 4)
    assert meta(x) == ((2, 3, 4), (12, 4, 1), 0, True)
    assert meta(x.transpose(0, 2)) == ((4, 3, 2), (1, 4, 12), 0, False)
    assert meta(x[1, :, 1::2]) == ((3, 2), (4, 2), 13, False)
    assert meta(x.diagonal(1, 1, 2)) == ((2, 3), (12, 5), 1, False)
    assert meta(x[..., None]) == ((2, 3, 4, 1), (12, 4, 1, 1), 0, True)
    assert meta(x[:, :1].expand(2, 3, 4)) == ((2, 3, 4), (12, 0, 1), 0, False)
    assert x[1, 2].data_ptr() - x.data_ptr() == 20 * 4
    assert x.diagonal(1, 1, 2).tolist() == [[1.0, 6.0, 11.0], [13.0, 18.0, 23.0]]
    t = x.transpose(1, 2)
    r = t.reshape(-1)
    assert r.data_ptr() != x.data_ptr() and r.is_contiguous()
    assert r.tolist()[:6] == [0.0, 4.0, 8.0, 1.0, 5.0, 9.0]


# ==== 2. memory: element sizes, data_ptr, contiguous(), clone() =====================================

@pytest.mark.parametrize("dtype", DTYPES)
def test_element_size_nbytes_itemsize_like_torch(dtype):
    torch = torch_or_skip()
    a = np.arange(12).reshape(3, 4).astype(dtype)
    x, tx = lg.tensor(a), torch.tensor(a)
    for v, tv in [(x, tx), (x.t(), tx.t()), (x[1:, ::2], tx[1:, ::2]), (x[0], tx[0])]:
        assert (v.element_size(), v.itemsize, v.nbytes) == (tv.element_size(), tv.itemsize, tv.nbytes)
    x1, x2 = x[1], x[2, 1:]
    assert x2.data_ptr() - x1.data_ptr() == tx[2, 1:].data_ptr() - tx[1].data_ptr() == 5 * tx.element_size()


def test_element_size_without_torch():
    x = lg.zeros(3, 4, dtype=lg.float64)
    assert (x.element_size(), x.itemsize, x.nbytes) == (8, 8, 96)
    assert x[1:, 2:].nbytes == 32
    assert lg.zeros(5, dtype=lg.int16).nbytes == 10 and lg.zeros(5, dtype=lg.bool).element_size() == 1


CONTIGUOUS_CASES = {
    "contiguous": lambda x: x,
    "row_slice": lambda x: x[1:],
    "select_row": lambda x: x[1],
    "unsqueezed": lambda x: x.unsqueeze(1),
    "transposed": lambda x: x.transpose(0, 1),
    "stepped": lambda x: x[:, ::2],
    "column": lambda x: x[:, 1],
    "expanded": lambda x: x[:, :1].expand(2, 3, 4),
    "diagonal": lambda x: x.diagonal(0, 1, 2),
    "size_one_dims_odd_strides": lambda x: x[:, 1:2, :].transpose(0, 1),
}


@pytest.mark.parametrize("name", list(CONTIGUOUS_CASES))
def test_contiguous_returns_self_or_a_copy_like_torch(name):
    torch = torch_or_skip()
    f = CONTIGUOUS_CASES[name]
    x, tx = lg.tensor(BASE), torch.tensor(BASE)
    v, tv = f(x), f(tx)
    c, tc = v.contiguous(), tv.contiguous()
    assert (c is v) == (tc is tv)
    assert c.is_contiguous()
    assert _shares_storage(c, x) == _shares_storage(tc, tx)
    assert meta(c) == meta(tc)
    check(c, tc)
    if c is not v:  # a copy: writing it leaves the original alone
        c.fill_(-1)
        tc.fill_(-1)
        check(x, tx)


@pytest.mark.parametrize("name", list(CONTIGUOUS_CASES))
def test_clone_is_new_storage_with_equal_values_like_torch(name):
    torch = torch_or_skip()
    f = CONTIGUOUS_CASES[name]
    x, tx = lg.tensor(BASE), torch.tensor(BASE)
    v, tv = f(x), f(tx)
    c, tc = v.clone(), tv.clone()
    assert c is not v
    assert not _shares_storage(c, x)
    assert c.data_ptr() != v.data_ptr()
    assert meta(c) == meta(tc)  # preserve_format keeps the strides of a dense layout
    check(c, tc)
    c.mul_(-1)
    tc.mul_(-1)
    check_all([c, x], [tc, tx])


def test_contiguous_and_clone_without_torch():
    x = lg.arange(6.0).reshape(2, 3)
    assert x.contiguous() is x
    t = x.t()
    c = t.contiguous()
    assert c is not t and c.is_contiguous() and c.stride() == (2, 1) and c.tolist() == [[0, 3], [1, 4], [2, 5]]
    k = x.clone()
    k += 1
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]] and k.tolist() == [[1, 2, 3], [4, 5, 6]]


# ==== 3. views share storage ========================================================================

def _seq_base_iadd_seen_by_view(m, x):
    y = x.view(24)
    x += 1
    return [x, y]


def _seq_view_iadd_seen_by_base(m, x):
    y = x.view(4, 6)
    y += 100
    return [x, y]


def _seq_view_shift_and_divide_in_place_seen_by_base(m, x):
    y = x.view(24).long()
    z = y[2:]
    y <<= 2
    y >>= 1
    w = x[1]
    w.__idiv__(4)
    return [x, y, z]


def _seq_setitem_through_transpose(m, x):
    v = x.transpose(0, 2)
    v[1] = -1
    return [x, v]


def _seq_fill_diagonal(m, x):
    d = x.diagonal(1, 1, 2)
    d.fill_(-5)
    return [x, d]


def _seq_zero_select(m, x):
    s = x.select(2, 3)
    s.zero_()
    return [x, s]


def _seq_copy_into_narrow(m, x):
    n = x.narrow(1, 1, 2)
    n.copy_(m.full((2, 1, 4), 7.0))
    return [x, n]


def _seq_two_views_see_each_other(m, x):
    a, b = x[0], x[:, 1]
    a.mul_(2)
    b.add_(10)
    c = x[..., 2]
    return [x, a, b, c]


def _seq_chain_of_views(m, x):
    v = x.transpose(1, 2)[:, 1:, ::2].unsqueeze(0)
    v.sub_(50)
    return [x, v]


def _seq_base_write_after_views(m, x):
    v1, v2, v3 = x.flatten()[::5], x.permute(2, 1, 0), x[1].t()
    x.mul_(-1)
    x[0, 0] = 99
    return [x, v1, v2, v3]


def _seq_write_through_unflatten(m, x):
    u = x.unflatten(2, (2, 2))
    u[:, :, 1, 0] = 0.5
    return [x, u]


def _seq_write_through_as_strided(m, x):
    s = x.as_strided((3, 3), (5, 1), 2)
    s += 1000
    return [x, s]


def _seq_write_through_none_index(m, x):
    e = x[..., None]
    e[1, 1] = -3.0
    return [x, e]


def _seq_write_through_reshape_view(m, x):
    r = x.reshape(6, 4)
    r[::2] = m.arange(4.0)
    return [x, r]


def _seq_write_lazy_base(m, x):
    z = x * 2 + 1  # a lazy value (not yet computed)
    zv = z[1]
    zv[1:, 1:] = 0
    return [z, zv, x]


def _seq_view_of_view_sees_later_write(m, x):
    a = x[1]
    b = a.t()[2:]
    x.add_(1)
    a.neg_()
    c = b.unsqueeze(0)
    return [x, a, b, c]


def _seq_interleaved_reads_and_writes(m, x):
    v = x[:, 1]
    out = []
    for k in range(3):
        v.add_(k)
        out.append(x.sum())
        x[0] *= 2
    return [x, v, *out]


def _seq_write_through_diagonal_of_permuted(m, x):
    d = x.permute(1, 0, 2).diagonal(1, 0, 2)
    d.copy_(m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    return [x, d]


def _seq_write_through_expand_source(m, x):
    col = x[:, :1]
    e = col.expand(2, 3, 4)
    col.fill_(3)
    return [x, e]


def _seq_write_through_mT_and_T(m, x):
    x.mT[1] = -2.0
    x[1].T[0] += 1
    return [x]


def _seq_view_after_write(m, x):
    x[:, 1:] = 8
    v = x.view(6, 4)
    v[0] = -8
    return [x, v]


SHARING = {name[len("_seq_"):]: f for name, f in list(globals().items()) if name.startswith("_seq_")}


@pytest.mark.parametrize("name", list(SHARING))
def test_writes_through_views_are_seen_everywhere_like_torch(backend, name):
    """The same sequence of writes through views in torch: the base and every view have torch's values."""
    torch = torch_or_skip()
    f = SHARING[name]
    got = f(lg, lg.tensor(BASE))
    want = f(torch, torch.tensor(BASE))
    check_all(got, want)


def test_python_2_operator_names_and_item_deletion_like_torch():
    torch = torch_or_skip()
    for m in (lg, torch):
        x = m.tensor([4.0, 6.0])
        assert x.__div__(2).tolist() == [2.0, 3.0] and x.__rdiv__(12).tolist() == [3.0, 2.0]
        assert m.tensor(3).__long__() == 3 and m.tensor(0).__nonzero__() is False
    same_error(lambda: lg.ones(2).__delitem__(0), lambda: torch.ones(2).__delitem__(0), TypeError)


def test_views_share_storage_without_torch():
    x = lg.arange(15.0).reshape(3, 5)
    y = x.view(15)
    x += 1
    assert y.tolist() == [float(i) for i in range(1, 16)]
    col = x[:, 2]
    col.fill_(0)
    assert x.tolist() == [[1, 2, 0, 4, 5], [6, 7, 0, 9, 10], [11, 12, 0, 14, 15]]
    assert y[2::5].tolist() == [0.0, 0.0, 0.0]
    x.t()[4].zero_()
    assert y.tolist()[4::5] == [0.0, 0.0, 0.0]


# ==== 4. in-place methods ===========================================================================

FLOATS = np.array([[-2.5, -1.5, -0.7, -0.2], [0.0, 0.3, 0.5, 1.2], [1.5, 2.5, 3.7, 4.0]], np.float32)
OTHER = np.array([[1.5, -2.0, 0.25, 3.0], [-0.5, 2.0, 1.0, -1.25], [0.75, -3.0, 2.5, 0.5]], np.float32)
INTS = np.array([[-7, -3, -1, 0], [1, 2, 5, 6], [9, 12, 15, 100]], np.int64)
INT_OTHER = np.array([[2, -3, 4, 5], [-2, 3, 7, 1], [4, -5, 6, 9]], np.int64)
MASK = np.array([[True, False, False, True], [False, True, False, False], [True, True, False, True]])


def _tensors(m, arr):
    """arr as a (copied) lazygrad or torch tensor."""
    return m.tensor(arr)


IN_PLACE = {
    # name: (dtype kind, op(m, target) -> result, exact)
    "add_tensor": ("f", lambda m, t: t.add_(_tensors(m, OTHER)), True),
    "add_scalar_alpha": ("f", lambda m, t: t.add_(_tensors(m, OTHER), alpha=2), True),
    "add_broadcast_row": ("f", lambda m, t: t.add_(_tensors(m, OTHER[0])), True),
    "sub_scalar": ("f", lambda m, t: t.sub_(0.5), True),
    "sub_tensor_alpha": ("f", lambda m, t: t.sub_(_tensors(m, OTHER), alpha=0.5), True),
    "mul_tensor": ("f", lambda m, t: t.mul_(_tensors(m, OTHER)), True),
    "mul_scalar": ("f", lambda m, t: t.mul_(-3), True),
    "div_tensor": ("f", lambda m, t: t.div_(_tensors(m, OTHER)), True),
    "div_floor": ("f", lambda m, t: t.div_(_tensors(m, OTHER), rounding_mode="floor"), True),
    "div_trunc": ("f", lambda m, t: t.div_(0.75, rounding_mode="trunc"), True),
    "pow_scalar": ("f", lambda m, t: t.pow_(2), True),
    "pow_tensor": ("f", lambda m, t: t.abs_().pow_(_tensors(m, OTHER)), False),
    "neg_": ("f", lambda m, t: t.neg_(), True),
    "abs_": ("f", lambda m, t: t.abs_(), True),
    "exp_": ("f", lambda m, t: t.exp_(), False),
    "log_": ("f", lambda m, t: t.log_(), False),
    "sqrt_": ("f", lambda m, t: t.sqrt_(), False),
    "rsqrt_": ("f", lambda m, t: t.rsqrt_(), False),
    "clamp_": ("f", lambda m, t: t.clamp_(-1, 1), True),
    "clamp_min_only": ("f", lambda m, t: t.clamp_(min=0.4), True),
    "clamp_tensor_bounds": ("f", lambda m, t: t.clamp_(_tensors(m, OTHER[0]), m.tensor(2.0)), True),
    "clamp_tensor_max_only": ("f", lambda m, t: t.clamp_(max=_tensors(m, OTHER)), True),
    "clamp_min_": ("f", lambda m, t: t.clamp_min_(0.5), True),
    "clamp_max_": ("f", lambda m, t: t.clamp_max_(0.5), True),
    "clip_": ("f", lambda m, t: t.clip_(-0.5, 0.5), True),
    "sigmoid_": ("f", lambda m, t: t.sigmoid_(), False),
    "tanh_": ("f", lambda m, t: t.tanh_(), False),
    "relu_": ("f", lambda m, t: t.relu_(), True),
    "floor_": ("f", lambda m, t: t.floor_(), True),
    "ceil_": ("f", lambda m, t: t.ceil_(), True),
    "round_": ("f", lambda m, t: t.round_(), True),
    "round_decimals": ("f", lambda m, t: t.round_(decimals=1), True),
    "trunc_": ("f", lambda m, t: t.trunc_(), True),
    "sin_": ("f", lambda m, t: t.sin_(), False),
    "cos_": ("f", lambda m, t: t.cos_(), False),
    "reciprocal_": ("f", lambda m, t: t.reciprocal_(), True),
    "square_": ("f", lambda m, t: t.square_(), True),
    "sign_": ("f", lambda m, t: t.sign_(), True),
    "remainder_scalar": ("f", lambda m, t: t.remainder_(1.5), True),
    "remainder_tensor": ("f", lambda m, t: t.remainder_(_tensors(m, OTHER)), True),
    "fmod_scalar": ("f", lambda m, t: t.fmod_(1.5), True),
    "fmod_tensor": ("f", lambda m, t: t.fmod_(_tensors(m, OTHER)), True),
    "lerp_scalar_weight": ("f", lambda m, t: t.lerp_(_tensors(m, OTHER), 0.25), True),
    "lerp_tensor_weight": ("f", lambda m, t: t.lerp_(_tensors(m, OTHER), m.full((3, 4), 0.75)), True),
    "masked_fill_scalar": ("f", lambda m, t: t.masked_fill_(_tensors(m, MASK), -7.0), True),
    "masked_fill_0dim_tensor": ("f", lambda m, t: t.masked_fill_(_tensors(m, MASK), m.tensor(2.5)), True),
    "masked_fill_broadcast_mask": ("f", lambda m, t: t.masked_fill_(_tensors(m, MASK[1]), 9.0), True),
    "index_fill_dim1": ("f", lambda m, t: t.index_fill_(1, m.tensor([0, 2]), -1.0), True),
    "index_fill_dim0": ("f", lambda m, t: t.index_fill_(0, m.tensor([2]), m.tensor(4.0)), True),
    "index_fill_negative_index": ("f", lambda m, t: t.index_fill_(0, m.tensor([-1]), 4.0), True),
    "index_put_": ("f", lambda m, t: t.index_put_((m.tensor([0, 2, 1]), m.tensor([3, 0, 1])),
                                                   m.tensor([10.0, 20.0, 30.0])), True),
    "index_put_accumulate_duplicates": ("f", lambda m, t: t.index_put_(
        (m.tensor([0, 2, 0, 0]), m.tensor([1, 3, 1, 1])), m.tensor([1.0, 2.0, 4.0, 8.0]), accumulate=True), True),
    "index_put_rows_broadcast_value": ("f", lambda m, t: t.index_put_((m.tensor([2, 0]),), m.tensor(0.5)), True),
    "index_put_bool_mask": ("f", lambda m, t: t.index_put_((_tensors(m, MASK),), m.tensor(-1.0)), True),
    "zero_": ("f", lambda m, t: t.zero_(), True),
    "fill_scalar": ("f", lambda m, t: t.fill_(3.25), True),
    "fill_0dim_tensor": ("f", lambda m, t: t.fill_(m.tensor(-4.5)), True),
    "copy_": ("f", lambda m, t: t.copy_(_tensors(m, OTHER)), True),
    "copy_broadcast_int": ("f", lambda m, t: t.copy_(_tensors(m, INT_OTHER[:, :1])), True),
    "eq_": ("f", lambda m, t: t.eq_(_tensors(m, FLOATS[::-1].copy())), True),
    "ne_scalar": ("f", lambda m, t: t.ne_(0.5), True),
    "lt_": ("f", lambda m, t: t.lt_(_tensors(m, OTHER)), True),
    "le_scalar": ("f", lambda m, t: t.le_(0.3), True),
    "gt_": ("f", lambda m, t: t.gt_(_tensors(m, OTHER)), True),
    "ge_scalar": ("f", lambda m, t: t.ge_(1.5), True),
    "chain_mul_add": ("f", lambda m, t: t.mul_(2).add_(t), True),
    "chain_sin_clamp_neg": ("f", lambda m, t: t.sin_().clamp_(-0.5, 0.5).neg_(), False),
    "self_as_operand": ("f", lambda m, t: t.mul_(t), True),
    "iadd_operator": ("f", lambda m, t: t.__iadd__(_tensors(m, OTHER)), True),
    "imul_operator": ("f", lambda m, t: t.__imul__(2), True),
    "itruediv_operator": ("f", lambda m, t: t.__itruediv__(4), True),
    # integer targets
    "int_add_": ("i", lambda m, t: t.add_(_tensors(m, INT_OTHER), alpha=3), True),
    "int_mul_scalar": ("i", lambda m, t: t.mul_(-2), True),
    "int_floor_divide_": ("i", lambda m, t: t.floor_divide_(_tensors(m, INT_OTHER)), True),
    "int_div_floor": ("i", lambda m, t: t.div_(3, rounding_mode="floor"), True),
    "int_remainder_": ("i", lambda m, t: t.remainder_(_tensors(m, INT_OTHER)), True),
    "int_fmod_": ("i", lambda m, t: t.fmod_(4), True),
    "int_pow_": ("i", lambda m, t: t.pow_(2), True),
    "int_abs_neg": ("i", lambda m, t: t.abs_().neg_(), True),
    "int_clamp_": ("i", lambda m, t: t.clamp_(-2, 10), True),
    "int_bitwise_and_": ("i", lambda m, t: t.bitwise_and_(_tensors(m, INT_OTHER)), True),
    "int_bitwise_xor_": ("i", lambda m, t: t.bitwise_xor_(6), True),
    "int_bitwise_not_": ("i", lambda m, t: t.bitwise_not_(), True),
    "int_eq_": ("i", lambda m, t: t.eq_(_tensors(m, INT_OTHER)), True),
    "int_masked_fill_": ("i", lambda m, t: t.masked_fill_(_tensors(m, MASK), 42), True),
    "int_index_put_accumulate": ("i", lambda m, t: t.index_put_((m.tensor([1, 1, 2]), m.tensor([0, 0, 3])),
                                                                m.tensor([5, 6, 7]), accumulate=True), True),
    "int_copy_from_float_truncates": ("i", lambda m, t: t.copy_(_tensors(m, OTHER)), True),
}

TARGETS = ["contiguous", "view"]




def _target(m, kind: str, where: str):
    """A (3, 4) target of the given values: a tensor of its own, or a non-contiguous view into a (4, 6) base.

    Returns (target, base): base is the tensor whose whole value is also compared."""
    values = FLOATS if kind == "f" else INTS
    if where == "contiguous":
        t = m.tensor(values.copy())
        return t, t
    big = np.full((6, 4), -9, values.dtype)  # base.t()[::2] is `values`
    big[::2] = values
    base = m.tensor(np.ascontiguousarray(big.T))
    return base.t()[::2], base


@pytest.mark.parametrize("where", TARGETS)
@pytest.mark.parametrize("name", list(IN_PLACE))
def test_in_place_method_like_torch(name, where):
    """Values equal torch's, the method returns the target itself, and the buffer is written in place."""
    torch = torch_or_skip()
    kind, op, exact = IN_PLACE[name]
    t, base = _target(lg, kind, where)
    tt, tbase = _target(torch, kind, where)
    before = meta(t)
    assert meta(t) == meta(tt)
    ident, ptr, base_ptr = id(t), realized(t).data_ptr(), realized(base).data_ptr()
    out = op(lg, t)
    tout = op(torch, tt)
    assert out is t and id(t) == ident
    assert tout is tt
    assert meta(t) == before
    assert base.data_ptr() == base_ptr and t.data_ptr() == ptr  # realizes: the same memory was written
    check_all([t, base], [tt, tbase], exact=exact)


METADATA_IN_PLACE = {
    "t_": lambda m, t: t.t_(),
    "transpose_": lambda m, t: t.transpose_(0, 1),
    "swapaxes_": lambda m, t: t.swapaxes_(1, 0),
    "swapdims_": lambda m, t: t.swapdims_(0, 1),
    "unsqueeze_(0)": lambda m, t: t.unsqueeze_(0),
    "unsqueeze_(-1)": lambda m, t: t.unsqueeze_(-1),
    "unsqueeze_then_squeeze_": lambda m, t: t.unsqueeze_(1).squeeze_(),
    "squeeze_(dim)": lambda m, t: t.unsqueeze_(2).squeeze_(2),
    "squeeze_not_one": lambda m, t: t.squeeze_(0),
    "as_strided_": lambda m, t: t.as_strided_((2, 2), (1, 2), 1),
    "t_then_write": lambda m, t: t.t_().__setitem__(0, -1) or t,
}


@pytest.mark.parametrize("where", TARGETS)
@pytest.mark.parametrize("name", list(METADATA_IN_PLACE))
def test_in_place_view_method_like_torch(name, where):
    """t_, transpose_, unsqueeze_, squeeze_, as_strided_: new metadata on the same object and storage."""
    torch = torch_or_skip()
    op = METADATA_IN_PLACE[name]
    t, base = _target(lg, "f", where)
    tt, tbase = _target(torch, "f", where)
    ident, storage_ptr = id(t), realized(base).untyped_storage().data_ptr()
    out, tout = op(lg, t), op(torch, tt)
    assert out is t and id(t) == ident and tout is tt
    assert meta(t) == meta(tt)
    assert t.untyped_storage().data_ptr() == base.untyped_storage().data_ptr() == storage_ptr
    assert t.data_ptr() - base.data_ptr() == tt.data_ptr() - tbase.data_ptr()
    check_all([t, base], [tt, tbase])


def test_in_place_without_torch():
    x = lg.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
    ptr = x.data_ptr()
    assert x.abs_() is x
    assert x.mul_(2).sub_(1) is x
    assert x.data_ptr() == ptr
    assert x.tolist() == [[1.0, 3.0, 5.0], [7.0, 9.0, 11.0]]
    col = x[:, 1]
    assert col.clamp_(max=5.0) is col
    assert x.tolist() == [[1.0, 3.0, 5.0], [7.0, 5.0, 11.0]] and x.data_ptr() == ptr
    x.t_()
    assert x.shape == (3, 2) and x.stride() == (1, 3) and x.tolist()[1] == [3.0, 5.0]


IN_PLACE_ERRORS = {
    "int_add_float_scalar": (lambda m: m.tensor([1, 2, 3]).add_(1.5)),
    "int_mul_float_tensor": (lambda m: m.tensor([1, 2, 3]).mul_(m.tensor([0.5, 1.0, 2.0]))),
    "int_true_div": (lambda m: m.tensor([1, 2, 3]).div_(2)),
    "int_sqrt": (lambda m: m.tensor([1, 4, 9]).sqrt_()),
    "bool_add_int": (lambda m: m.tensor([True, False]).add_(1)),
    "int32_add_float64_tensor": (lambda m: m.tensor([1, 2], dtype=m.int32).add_(m.tensor([1.0, 2.0],
                                                                                           dtype=m.float64))),
    "float_float_power": (lambda m: m.tensor([1.0, 2.0]).float_power_(2)),
    "broadcast_grows_target": (lambda m: m.zeros(3, 1).add_(m.ones(3, 4))),
    "broadcast_grows_target_mul": (lambda m: m.zeros(4).mul_(m.ones(2, 4))),
    "write_into_expanded": (lambda m: m.zeros(3, 1).expand(3, 4).add_(1)),
    "partial_overlap_input": (lambda m: (lambda x: x[1:].add_(x[:-1]))(m.arange(6.0))),
    "leaf_requires_grad": (lambda m: m.ones(3, requires_grad=True).add_(1)),
    "view_of_leaf_requires_grad": (lambda m: m.ones(3, requires_grad=True)[1:].mul_(2)),
    # the promoted dtype is refused before the op looks at its operands
    "bool_floor_divide_int": (lambda m: m.tensor([True, False]).floor_divide_(m.tensor([1, 0]))),
    "int_remainder_complex": (lambda m: m.tensor([1, 2]).remainder_(m.tensor([1j, 2]))),
    "int_bitwise_and_float": (lambda m: m.tensor([1, 2]).bitwise_and_(2.5)),
    "bool_div_int": (lambda m: m.tensor([True, False]).div_(2)),
    "int_atan2_complex": (lambda m: m.tensor([1, 2]).atan2_(m.tensor([1j, 2]))),
    "bool_atan2_number": (lambda m: m.tensor([True]).atan2_(2)),
    "int_xlogy_int": (lambda m: m.tensor([1, 2]).xlogy_(m.tensor([1, 2]))),
    "int_floordiv_operator_float": (lambda m: m.tensor([1, 2]).__ifloordiv__(m.tensor([1.5, 2.0]))),
    "bool_sub_int": (lambda m: m.tensor([True]).sub_(1)),
    "int_hypot_int": (lambda m: m.tensor([1, 2]).hypot_(m.tensor([1, 2]))),
    "int_ldexp": (lambda m: m.tensor([1, 2]).ldexp_(m.tensor([1, 2]))),
    "int_ldexp_number": (lambda m: m.tensor([1, 2]).ldexp_(2)),
    "int_clamp_complex_tensor": (lambda m: m.tensor([1, 2]).clamp_(m.tensor(1j))),
    "bool_clamp_number": (lambda m: m.tensor([True]).clamp_(2)),
    "uint8_clamp_float": (lambda m: m.tensor([1], dtype=m.uint8).clamp_(max=2.5)),
    "complex_abs": (lambda m: m.tensor([1j]).abs_()),
    "complex_absolute": (lambda m: m.tensor([1j]).absolute_()),
    "complex_float_power": (lambda m: m.tensor([1j]).float_power_(2)),
    "double_float_power_complex": (lambda m: m.tensor([1.0], dtype=m.float64).float_power_(1j)),
    "copy_a_string": (lambda m: m.ones(2).copy_("a")),
    "bool_addcmul": (lambda m: m.tensor([True]).addcmul_(m.tensor([True]), m.tensor([True]))),
}




_M = lambda m: m.arange(12.0).reshape(3, 4)  # noqa: E731
IN_PLACE_ERRORS.update({
    # ops writing through positions refuse a source that is the written memory itself
    "scatter_from_itself": lambda m: (lambda x: x.scatter_(0, m.zeros(3, 4, dtype=m.int64), x))(_M(m)),
    "scatter_add_from_itself": lambda m: (lambda x: x.scatter_add_(0, m.zeros(3, 4, dtype=m.int64), x))(_M(m)),
    "scatter_reduce_from_itself": lambda m: (lambda x: x.scatter_reduce_(0, m.zeros(3, 4, dtype=m.int64), x,
                                                                          "sum"))(_M(m)),
    "index_copy_from_itself": lambda m: (lambda x: x.index_copy_(0, m.tensor([0, 1, 2]), x))(_M(m)),
    "index_add_from_itself": lambda m: (lambda x: x.index_add_(0, m.tensor([0, 1, 2]), x))(_M(m)),
    "index_put_from_itself": lambda m: (lambda x: x.index_put_((m.tensor([0, 1, 2]),), x, accumulate=True))(_M(m)),
    "put_from_itself": lambda m: (lambda x: x.put_(m.arange(12).reshape(3, 4), x))(_M(m)),
    "setitem_from_itself": lambda m: (lambda x: x.__setitem__(m.tensor([0, 1, 2]), x))(_M(m)),
})


def test_fills_read_a_value_of_the_written_memory_as_a_number():
    """fill_, masked_fill_ and index_fill_ take a 0-d value out of the memory they write (torch reads it
    first), where add_ refuses it; fill_diagonal_ writes through strided views, as torch's."""
    torch = torch_or_skip()

    def program(m):
        x = m.arange(12.0).reshape(3, 4)
        x.masked_fill_(x > 8, x[0, 1])
        x.index_fill_(0, m.tensor([1]), x[2, 0])
        x[0].fill_(x[2, 2])
        y = m.zeros(7, 3)
        y.fill_diagonal_(5.0, wrap=True)
        leaf = m.ones(3, 3, requires_grad=True)
        c = leaf * 2
        c.fill_diagonal_(0.0)
        try:
            leaf.fill_diagonal_(1.0)
        except RuntimeError as e:
            refused = str(e)
        return x.tolist(), y.tolist(), type(c.grad_fn).__name__, refused
    assert program(lg) == program(torch)


@pytest.mark.parametrize("name", list(IN_PLACE_ERRORS))
def test_in_place_errors_like_torch(name):
    """dtype and shape rules of in-place ops: torch's exception class and message."""
    torch = torch_or_skip()
    f = IN_PLACE_ERRORS[name]
    same_error(lambda: f(lg), lambda: f(torch))


OVERLAPPING_WRITES = {
    "add_": lambda t: t.add_(1), "masked_fill_": lambda t: t.masked_fill_(t > 1, -1.0), "fill_": lambda t: t.fill_(2),
    "index_fill_": lambda t: t.index_fill_(0, lg.tensor([0]), 7.0), "copy_": lambda t: t.copy_(lg.ones(3, 2)),
}


@pytest.mark.parametrize("name", OVERLAPPING_WRITES)
@pytest.mark.parametrize("view", ["unfold", "as_strided"])
def test_writes_into_overlapping_windows_are_refused(name, view):
    """torch writes such a view one element after another (its docs call the result unreliable); lazygrad
    refuses it with torch's message for a repeated location, and the memory is left as it was."""
    x = lg.arange(4.0)
    windows = x.unfold(0, 2, 1) if view == "unfold" else x.as_strided((3, 2), (1, 1))
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor refers to a single "
                                           "memory location"):
        OVERLAPPING_WRITES[name](windows)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
    windows[1] = 9.0  # (one window does not overlap itself)
    assert x.tolist() == [0.0, 9.0, 9.0, 3.0]


@pytest.mark.parametrize("op", ["add_", "mul_", "copy_", "setitem"])
def test_writes_through_interleaved_dims_like_torch(op):
    """Dims that interleave without overlapping (strides 2 and 3 over 3 x 2 elements) are written in place."""
    torch = torch_or_skip()
    results = []
    for m in (lg, torch):
        x = m.arange(8.0)
        v = x.as_strided((3, 2), (2, 3))
        {"add_": lambda: v.add_(100), "mul_": lambda: v.mul_(m.tensor([1.0, -1.0])),
         "copy_": lambda: v.copy_(m.arange(6.0).reshape(3, 2) * 10), "setitem": lambda: v.__setitem__(
             (slice(None), 1), -5.0)}[op]()
        results.append(x.tolist())
    assert results[0] == results[1]


COPIED_NUMBERS = {"int64_float": ("int64", 2.7), "float32_bool": ("float32", True), "bool_int": ("bool", 2),
                  "complex64_complex": ("complex64", 1 - 2j), "uint8_negative": ("uint8", -3)}


@pytest.mark.parametrize("name", COPIED_NUMBERS)
def test_copy_of_a_number_is_torchs(name):
    torch = torch_or_skip()
    dtype, value = COPIED_NUMBERS[name]
    got = lg.zeros(2, dtype=getattr(lg, dtype)).copy_(value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch warns of a complex value cast to a real dtype; lazygrad does not)
        want = torch.zeros(2, dtype=getattr(torch, dtype)).copy_(value)
    assert got.dtype.name == dtype_name(want) and got.tolist() == want.tolist()


def test_lerp_toward_a_number_is_a_type_error():
    """torch takes only a tensor `end` (its message lists its two signatures)."""
    with pytest.raises(TypeError, match="argument 'end'"):
        lg.ones(2).lerp_(2, 0.5)


def test_complex_float_power_in_place_computes_in_complex_double():
    torch = torch_or_skip()
    got = lg.tensor([1 + 1j, 2], dtype=lg.complex128).float_power_(lg.tensor([2.0, 0.5]))
    want = torch.tensor([1 + 1j, 2], dtype=torch.complex128).float_power_(torch.tensor([2.0, 0.5]))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


def test_int_add_float_raises_without_torch():
    x = lg.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        x.add_(1.5)
    assert x.tolist() == [1, 2, 3]


def test_int_target_keeps_dtype_with_int_scalar_of_other_width():
    torch = torch_or_skip()
    for dt in ["uint8", "int8", "int16", "int32"]:
        x, tx = lg.tensor(np.arange(4, dtype=dt)), torch.tensor(np.arange(4, dtype=dt))
        x.add_(lg.tensor([1, 2, 3, 300]))
        tx.add_(torch.tensor([1, 2, 3, 300]))
        check(x, tx)
        f, tf = lg.tensor(np.arange(4, dtype="float16")), torch.tensor(np.arange(4, dtype="float16"))
        f.mul_(lg.tensor(np.arange(4, dtype=dt)))
        tf.mul_(torch.tensor(np.arange(4, dtype=dt)))
        check(f, tf)


# ==== 5. __setitem__ ================================================================================

SET_BASE = np.arange(20, dtype=np.float32).reshape(4, 5)

SETITEM = {
    # name: (index(m), value(m))
    "int_scalar": (lambda m: 1, lambda m: -1.0),
    "negative_int": (lambda m: -1, lambda m: 7.0),
    "two_ints": (lambda m: (2, -2), lambda m: 100.0),
    "slice_step": (lambda m: (slice(None), slice(None, None, 2)), lambda m: 0.5),
    "slice_negative_bounds": (lambda m: (slice(-3, -1), slice(1, None, 3)), lambda m: -2.0),
    "row_tensor_broadcast": (lambda m: slice(1, 3), lambda m: m.tensor([10.0, 20.0, 30.0, 40.0, 50.0])),
    "column_tensor_broadcast": (lambda m: (slice(None), slice(1, 3)), lambda m: m.tensor([[1.0], [2.0], [3.0],
                                                                                           [4.0]])),
    "zero_dim_tensor": (lambda m: (0, slice(None)), lambda m: m.tensor(3.0)),
    "int_tensor_value_cast": (lambda m: 2, lambda m: m.arange(5)),
    "ellipsis": (lambda m: (Ellipsis, 0), lambda m: -9.0),
    "ellipsis_all": (lambda m: Ellipsis, lambda m: 1.5),
    "none_index": (lambda m: (None, 1), lambda m: m.ones(1, 5)),
    "ellipsis_none": (lambda m: (Ellipsis, None), lambda m: 4.0),
    "bool_mask_scalar": (lambda m: m.tensor(SET_BASE % 3 == 0), lambda m: -1.0),
    "bool_mask_tensor_values": (lambda m: m.tensor(SET_BASE > 13), lambda m: m.arange(6.0) * 10),
    "bool_mask_rows": (lambda m: m.tensor([True, False, True, False]), lambda m: m.tensor([1.0, 2, 3, 4, 5])),
    "bool_mask_0dim_value": (lambda m: m.tensor(SET_BASE < 4), lambda m: m.tensor(0.25)),
    "int_tensor_rows": (lambda m: m.tensor([3, 0]), lambda m: 8.0),
    "int_list_rows": (lambda m: [0, 2], lambda m: m.tensor([[1.0, 2, 3, 4, 5], [6, 7, 8, 9, 10]])),
    "int_list_negative": (lambda m: [-1, -3], lambda m: -5.0),
    "two_index_tensors": (lambda m: (m.tensor([0, 1, 3]), m.tensor([4, 0, 2])), lambda m: m.tensor([1.0, 2, 3])),
    "two_index_tensors_duplicates": (lambda m: (m.tensor([1, 1]), m.tensor([2, 2])), lambda m: 6.0),
    "mixed_slice_list": (lambda m: (slice(None), [0, 2]), lambda m: 0.0),
    "mixed_slice_list_tensor_value": (lambda m: (slice(None), [0, 2]), lambda m: m.tensor([[1.0, 2.0]])),
    "mixed_int_list": (lambda m: (1, [4, 0, 2]), lambda m: m.tensor([7.0, 8.0, 9.0])),
    "mixed_list_step": (lambda m: ([3, 1], slice(None, None, 2)), lambda m: -3.0),
    "index_tensor_2d": (lambda m: m.tensor([[0, 1], [3, 3]]), lambda m: 2.0),
    "broadcast_value_to_strided": (lambda m: (slice(None, None, 2), slice(None, None, 2)),
                                   lambda m: m.tensor([-1.0, -2.0, -3.0])),
}


@pytest.mark.parametrize("name", list(SETITEM))
def test_setitem_like_torch(backend, name):
    """x[index] = value on a base and on a non-contiguous view of it: torch's values, the same object."""
    torch = torch_or_skip()
    index, value = SETITEM[name]
    x, tx = lg.tensor(SET_BASE), torch.tensor(SET_BASE)
    ident = id(x)
    x[index(lg)] = value(lg)
    tx[index(torch)] = value(torch)
    assert id(x) == ident
    check(x, tx)


@pytest.mark.parametrize("name", ["int_scalar", "slice_step", "row_tensor_broadcast", "bool_mask_scalar",
                                  "int_list_rows", "mixed_slice_list", "two_index_tensors", "ellipsis_none"])
def test_setitem_on_a_view_reaches_the_base_like_torch(name):
    torch = torch_or_skip()
    index, value = SETITEM[name]
    big = np.arange(50, dtype=np.float32).reshape(5, 10)
    x, tx = lg.tensor(big), torch.tensor(big)
    v, tv = x.t()[::2, 1:].t(), tx.t()[::2, 1:].t()  # (4, 5), non-contiguous
    v[index(lg)] = value(lg)
    tv[index(torch)] = value(torch)
    check_all([v, x], [tv, tx])


def test_setitem_in_place_keeps_the_buffer():
    x = lg.tensor(SET_BASE)
    ptr = x.data_ptr()
    x[1:, ::2] = 0
    x[x > 15] = -1
    x[:, [0, 4]] = 3
    assert x.data_ptr() == ptr
    want = SET_BASE.copy()
    want[1:, ::2] = 0
    want[want > 15] = -1
    want[:, [0, 4]] = 3
    assert x.tolist() == want.tolist()


SETITEM_ERRORS = {
    "value_shape_mismatch": lambda m: m.zeros(3, 4).__setitem__(slice(None), m.ones(5)),
    "index_out_of_range": lambda m: m.zeros(3, 4).__setitem__(3, 1.0),
    "index_tensor_out_of_range": lambda m: m.zeros(3, 4).__setitem__(m.tensor([0, 5]), 1.0),
}


NUMBER_WRITES = [  # (dtype, value): written by fill_ and by t[0] = value
    ("float32", 1e40), ("float16", 1e6), ("int8", 300), ("uint8", -3), ("uint8", -300), ("int64", float("inf")),
    ("int32", 2.9), ("int64", 2**63), ("int32", float("nan")), ("float32", 1 + 2j), ("float16", 1 + 2j),
    ("int64", 1.5 + 0j), ("bool", 1j), ("float32", None), ("int64", "a"), ("float32", [1, 2]), ("bool", 5),
    ("complex64", 1 + 2j), ("float32", 2**63),
]


@pytest.mark.parametrize("dtype, value", NUMBER_WRITES)
@pytest.mark.parametrize("how", ["fill_", "setitem"])
def test_numbers_written_in_place_are_checked_like_torch(dtype, value, how):
    """Out-of-range numbers are torch's overflow errors (setitem checks float16 in double, so it gives inf), an
    object that is no number is torch's TypeError."""
    torch = torch_or_skip()
    results = []
    for m in (lg, torch):
        t = m.zeros(2, dtype=getattr(m, dtype))
        try:
            t.fill_(value) if how == "fill_" else t.__setitem__(0, value)
            results.append(t.tolist())
        except (TypeError, ValueError, RuntimeError) as error:
            results.append((type(error).__name__, str(error).replace("lazygrad.", "torch.")))
    assert results[0] == results[1]


@pytest.mark.parametrize("name", list(SETITEM_ERRORS))
def test_setitem_errors_like_torch(name):
    torch = torch_or_skip()
    f = SETITEM_ERRORS[name]
    with pytest.raises(Exception) as want:
        f(torch)
    with pytest.raises(want.type):
        f(lg)


def test_setitem_without_torch():
    x = lg.zeros(3, 4)
    x[1] = 1
    x[:, ::3] = 2
    x[..., None][2, 1] = 5
    x[x == 0] = -1
    x[[0, 2], [1, 2]] = lg.tensor([7.0, 8.0])
    assert x.tolist() == [[2, 7, -1, 2], [2, 1, 1, 2], [2, 5, 8, 2]]


# ==== 6. out= ======================================================================================

OUT_CASES = {
    # name: f(m, a, b) -> (what the call returned, *the out tensors (or what holds them) to compare)
    "add_out_is_input": lambda m, a, b: (m.add(a, b, out=b), b),
    "add_alpha": lambda m, a, b: (lambda o: (m.add(a, b, alpha=2, out=o), o))(m.empty(3, 4)),
    "mul": lambda m, a, b: (lambda o: (m.mul(a, b, out=o), o))(m.empty(3, 4)),
    "mul_into_view": lambda m, a, b: (lambda base: (m.mul(a, b, out=base.t()), base))(m.zeros(4, 3)),
    "sub_into_float64": lambda m, a, b: (lambda o: (m.sub(a, b, out=o), o))(m.zeros(3, 4, dtype=m.float64)),
    "sum_dim0": lambda m, a, b: (lambda o: (m.sum(a, 0, out=o), o))(m.empty(4)),
    "sum_keepdim": lambda m, a, b: (lambda o: (m.sum(a, 1, keepdim=True, out=o), o))(m.empty(3, 1)),
    "cumsum": lambda m, a, b: (lambda o: (m.cumsum(a, 1, out=o), o))(m.empty(3, 4)),
    "matmul": lambda m, a, b: (lambda o: (m.matmul(a, b.t(), out=o), o))(m.empty(3, 3)),
    "cat": lambda m, a, b: (lambda o: (m.cat([a, b], 0, out=o), o))(m.empty(6, 4)),
    "cat_dim1": lambda m, a, b: (lambda o: (m.cat([a, b[:, :1]], 1, out=o), o))(m.empty(3, 5)),
    "exp": lambda m, a, b: (lambda o: (m.exp(a, out=o), o))(m.empty(3, 4)),
    "where": lambda m, a, b: (lambda o: (m.where(a > b, a, b, out=o), o))(m.empty(3, 4)),
    "sum_float_into_int": lambda m, a, b: (lambda o: (m.sum(a * 4, 0, out=o), o))(m.empty(4, dtype=m.int32)),
    "max_dim_tuple": lambda m, a, b: (lambda o: (m.max(a, 1, out=o), o[0], o[1]))(
        (m.empty(3), m.empty(3, dtype=m.int64))),
}




@pytest.mark.parametrize("name", list(OUT_CASES))
def test_out_returns_out_itself_like_torch(name):
    torch = torch_or_skip()
    f = OUT_CASES[name]
    a, b = lg.tensor(FLOATS), lg.tensor(OTHER)
    ta, tb = torch.tensor(FLOATS), torch.tensor(OTHER)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no resize warning for a correctly shaped out
        res, *outs = f(lg, a, b)
    tres, *touts = f(torch, ta, tb)
    if isinstance(tres, tuple):
        assert isinstance(res, tuple) and res[0] is outs[0] and res[1] is outs[1]
        check_all(outs, touts, exact=False)
        return
    assert (res is outs[0]) == (tres is touts[0])
    check_all([res, *outs, a, b], [tres, *touts, ta, tb], exact=False)


@pytest.mark.parametrize("name", ["add", "sum", "cat", "mul_int_into_float"])
def test_out_keeps_identity_and_buffer(name):
    torch = torch_or_skip()
    a, ta = lg.tensor(FLOATS), torch.tensor(FLOATS)
    calls = {
        "add": lambda m, o, x: m.add(x, 1, out=o),
        "sum": lambda m, o, x: m.sum(x.view(3, 4, 1), 2, out=o),
        "cat": lambda m, o, x: m.cat([x[:1], x[1:]], out=o),
        "mul_int_into_float": lambda m, o, x: m.mul(x.int(), 3, out=o),
    }
    o, to = lg.zeros(3, 4), torch.zeros(3, 4)
    ident, ptr = id(o), o.data_ptr()
    assert calls[name](lg, o, a) is o
    calls[name](torch, to, ta)
    assert id(o) == ident and o.data_ptr() == ptr
    check(o, to)


@pytest.mark.parametrize("size", [(2, 2), (12,), (3, 5), (0,)])
def test_out_of_the_wrong_shape_is_resized_like_torch(size):
    torch = torch_or_skip()
    a, ta = lg.tensor(FLOATS), torch.tensor(FLOATS)
    o, to = lg.ones(*size), torch.ones(*size)
    with warnings.catch_warnings(record=True) as want:
        warnings.simplefilter("always")
        torch.add(ta, 1, out=to)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        res = lg.add(a, 1, out=o)
    assert res is o
    assert [w.category for w in got] == [w.category for w in want]
    assert [str(w.message) for w in got] == [str(w.message).split(" (Triggered internally")[0] for w in want]
    assert meta(o) == meta(to)
    check(o, to)


def test_out_resize_warns_without_torch():
    o = lg.zeros(5)
    with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
        lg.mul(lg.ones(2, 3), 2, out=o)
    assert o.shape == (2, 3) and o.tolist() == [[2.0] * 3] * 2


OUT_ERRORS = {
    "float_into_int": lambda m: m.add(m.ones(3), 0.5, out=m.zeros(3, dtype=m.int64)),
    "float_into_bool": lambda m: m.mul(m.ones(3), m.ones(3), out=m.zeros(3, dtype=m.bool)),
    "input_requires_grad": lambda m: m.add(m.ones(3, requires_grad=True), 1, out=m.zeros(3)),
    "out_requires_grad": lambda m: m.mul(m.ones(3), 2, out=m.zeros(3, requires_grad=True)),
    "matmul_input_requires_grad": lambda m: m.matmul(m.ones(2, 2, requires_grad=True), m.ones(2, 2),
                                                     out=m.zeros(2, 2)),
}


@pytest.mark.parametrize("name", list(OUT_ERRORS))
def test_out_errors_like_torch(name):
    torch = torch_or_skip()
    f = OUT_ERRORS[name]
    same_error(lambda: f(lg), lambda: f(torch), RuntimeError)


def test_out_without_torch():
    x = lg.tensor([1.0, 2.0, 3.0])
    y = lg.tensor([10.0, 20.0, 30.0])
    assert lg.add(x, y, out=y) is y and y.tolist() == [11.0, 22.0, 33.0]
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        lg.add(x, 0.5, out=lg.zeros(3, dtype=lg.int64))


# ==== 7. NumPy =====================================================================================

def test_from_numpy_shares_memory_both_ways():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = lg.from_numpy(a)
    assert np.shares_memory(a, t.numpy())
    assert t.data_ptr() == a.__array_interface__["data"][0]
    view = t[:, 1::2]
    a[0, 1] = -100  # NumPy writes: the tensor and its views see them
    assert t[0, 1].item() == -100 and view[0, 0].item() == -100
    t.mul_(2)  # in-place on the tensor: NumPy sees it at once
    assert a[0].tolist() == [0, -200, 4, 6]
    view[2] = 0.5  # a write through a view: NumPy sees it at once
    assert a[2].tolist() == [16.0, 0.5, 20.0, 0.5]
    t.t()[3].fill_(7)
    assert a[:, 3].tolist() == [7, 7, 7]
    t[t < 0] = 1
    assert a[0, 1] == 1
    t.add_(lg.ones(4))
    assert a[1].tolist() == [9.0, 11.0, 13.0, 8.0]


def test_numpy_of_a_tensor_shares_memory():
    t = lg.arange(6.0).reshape(2, 3)
    a = t.numpy()
    assert np.shares_memory(a, t.numpy()) and a.ctypes.data == t.data_ptr()
    v = t[:, ::2]
    av = v.numpy()
    assert np.shares_memory(a, av) and av.strides == (12, 8)
    assert av.ctypes.data - a.ctypes.data == v.data_ptr() - t.data_ptr()
    v.neg_()
    assert a.tolist() == [[-0.0, 1.0, -2.0], [-3.0, 4.0, -5.0]]
    a[1, 1] = 40
    assert t[1].tolist() == [-3.0, 40.0, -5.0]
    t += 1
    assert a[1].tolist() == [-2.0, 41.0, -4.0]


def test_numpy_shared_lazy_reader_keeps_its_value():
    a = np.ones(4, np.float32)
    t = lg.from_numpy(a)
    y = t * 3
    t.add_(1)  # written at once; y was computed from the old content
    assert a.tolist() == [2.0] * 4 and y.tolist() == [3.0] * 4


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_dtypes_map_both_ways_like_torch(dtype):
    a = (np.arange(6) % 3).astype(dtype)
    t = lg.from_numpy(a)
    assert t.dtype.name == dtype and t.dtype is getattr(lg, dtype)
    assert t.numpy().dtype == np.dtype(dtype)
    assert np.shares_memory(a, t.numpy())
    assert lg.zeros(2, dtype=getattr(lg, dtype)).numpy().dtype == np.dtype(dtype)
    assert np.asarray(t).dtype == np.dtype(dtype)
    assert lg.tensor(a).dtype is t.dtype and lg.as_tensor(a).dtype is t.dtype
    torch = pytest.importorskip("torch")
    assert dtype_name(torch.from_numpy(a)) == t.dtype.name
    assert str(t.dtype) == str(torch.from_numpy(a).dtype).replace("torch.", "lazygrad.")


def test_tensor_always_copies():
    a = np.arange(5, dtype=np.float32)
    t = lg.tensor(a)
    assert not np.shares_memory(a, t.numpy())
    a[0] = 99
    assert t[0].item() == 0
    t.add_(1)
    assert a.tolist() == [99, 1, 2, 3, 4]


@pytest.mark.parametrize("dtype,shares", [(None, True), (lg.float32, True), (lg.float64, False),
                                          (lg.int32, False)])
def test_as_tensor_shares_when_the_dtype_matches(dtype, shares):
    a = np.arange(5, dtype=np.float32)
    t = lg.as_tensor(a, dtype=dtype)
    assert np.shares_memory(a, t.numpy()) == shares
    a[1] = 50
    assert (t[1].item() == 50) == shares
    torch = pytest.importorskip("torch")
    b = np.arange(5, dtype=np.float32)
    tdtype = None if dtype is None else getattr(torch, dtype.name)
    tt = torch.as_tensor(b, dtype=tdtype)
    assert np.shares_memory(b, tt.numpy()) == shares


def test_array_protocols_share():
    t = lg.arange(6.0).reshape(2, 3)
    arr = np.asarray(t)
    assert np.shares_memory(arr, t.numpy())
    assert np.shares_memory(t.__array__(), arr)
    iface = t.__array_interface__
    assert iface["shape"] == (2, 3) and iface["data"][0] == t.data_ptr() and iface["typestr"] == "<f4"
    v = t.t()
    assert np.asarray(v).strides == (4, 12) and np.asarray(v).tolist() == [[0, 3], [1, 4], [2, 5]]
    assert v.__array_interface__["data"][0] == t.data_ptr()
    assert np.asarray(t[1, 1:]).__array_interface__["data"][0] == t.data_ptr() + 16
    arr[0, 0] = 123
    assert t[0, 0].item() == 123
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


def test_array_protocols_like_torch():
    torch = torch_or_skip()
    t, tt = lg.arange(6.0).reshape(2, 3)[:, 1:], torch.arange(6.0).reshape(2, 3)[:, 1:]
    for a, b in [(np.asarray(t), np.asarray(tt)), (t.__array__(), tt.__array__()), (t.numpy(), tt.numpy())]:
        assert a.dtype == b.dtype and a.shape == b.shape and a.strides == b.strides and a.tolist() == b.tolist()
    want = tt.__array__().__array_interface__
    got = t.__array_interface__
    assert (got["shape"], got["typestr"], got["strides"]) == (want["shape"], want["typestr"], want["strides"])


def test_storages_realized_with_the_same_content_get_their_own_buffers():
    """y.copy_(x) makes y's content x's: realized together, each storage owns its buffer, so a later
    in-place write to x does not show through y."""
    x, y = lg.tensor([0.0, 1.0, 2.0]), lg.zeros(3)
    x.mul_(2)
    y.copy_(x)
    lg.realize(x, y)
    x.mul_(2)
    y.lerp_(x, 0.5)
    lg.realize(x, y)
    assert x.tolist() == [0.0, 4.0, 8.0] and y.tolist() == [0.0, 3.0, 6.0]


IN_PLACE_VIEW_OPS = ["t_()", "transpose_(0, 1)", "swapdims_(0, 1)", "unsqueeze_(0)", "squeeze_()", "squeeze_(0)",
                     "as_strided_((2, 2), (1, 2))"]


@pytest.mark.parametrize("op", IN_PLACE_VIEW_OPS)
def test_an_in_place_view_op_bumps_the_version_so_saved_copies_are_refused(op):
    """torch's counter moves on t_(), unsqueeze_()...: a node that saved the tensor refuses to run (lazygrad
    computed a silently wrong gradient before)."""
    torch = torch_or_skip()

    def call(m):
        x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True) * 1
        y = (x * m.tensor([[1.0, 0.0], [5.0, 1.0]], requires_grad=True)).sum()
        eval(f"x.{op}")
        assert x._version == 1
        with pytest.raises(RuntimeError) as refusal:
            y.backward()
        return str(refusal.value)
    assert call(lg) == call(torch)


@pytest.mark.parametrize("op", IN_PLACE_VIEW_OPS)
def test_nodes_that_kept_only_sizes_run_after_an_in_place_view_op(op):
    """Sums, selects and slice writes remember the layout they saw, as torch's saved sizes do."""
    torch = torch_or_skip()
    results = []
    for m in (lg, torch):
        a = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = m.tensor([5.0, 7.0], requires_grad=True)
        x = a * 2
        total = (x.sum(0) * m.tensor([1.0, 3.0])).sum() + (x[1, 1:] * 5).sum()
        x[0].copy_(b)
        eval(f"x.{op}")
        (total + (x * 2).sum()).backward()
        results.append((a.grad, b.grad))
    for got, want in zip(*results):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
