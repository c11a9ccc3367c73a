"""Movement ops and indexing against torch (the oracle) and numpy, on both back ends: values and shapes,
and for torch's views also stride(), storage_offset() and is_contiguous(); copies (flip, cat, stack,
repeat, ...) and advanced indexing (int lists and tensors, negative indices, boolean masks, mixed with
slices), index_select and gather."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazygrad as lg
from oracle import raises_like_torch, torch_of
from oracle import assert_like_torch as _assert_like_torch

BASE = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def assert_like_torch(out, expected) -> None:
    """Same dtype, shape and exact values (NaNs equal)."""
    _assert_like_torch(out, expected, exact=True)


def assert_case_like_torch(f) -> None:
    """f(module, x) computed by lazygrad and by torch on BASE gives the same tensor."""
    torch = pytest.importorskip("torch")
    assert_like_torch(f(lg, lg.tensor(BASE)), f(torch, torch_of(BASE)))


def assert_same_view(out, expected) -> None:
    """A torch view: values, and the view metadata torch reports."""
    assert_like_torch(out, expected)
    assert out.stride() == expected.stride(), (out.stride(), expected.stride())
    assert out.storage_offset() == expected.storage_offset(), (out.storage_offset(), expected.storage_offset())
    assert out.is_contiguous() == expected.is_contiguous()


# ---- views -------------------------------------------------------------------------------------------

VIEWS = {
    "view(-1,4)": lambda m, x: x.view(-1, 4),
    "view(6,4)": lambda m, x: x.view(6, 4),
    "view((24,))": lambda m, x: x.view((24,)),
    "view_of_transposed_ok": lambda m, x: x.transpose(0, 1).view(3, 2, 2, 2),
    "view_as": lambda m, x: x.view(4, 6).view_as(m.zeros(6, 4)),
    "reshape(4,-1)": lambda m, x: x.reshape(4, -1),
    "reshape_list": lambda m, x: m.reshape(x, [3, 8]),
    "reshape_as": lambda m, x: x.reshape_as(m.zeros(4, 6)),
    "permute": lambda m, x: x.permute(2, 0, 1),
    "permute_tuple_neg": lambda m, x: m.permute(x, (-1, 0, -2)),
    "transpose": lambda m, x: x.transpose(0, -1),
    "transpose_fn": lambda m, x: m.transpose(x, 1, 2),
    "swapaxes": lambda m, x: x.swapaxes(0, 1),
    "swapdims": lambda m, x: m.swapdims(x, 2, 0),
    "t": lambda m, x: x[1].t(),
    "t_fn": lambda m, x: m.t(x[0]),
    "t_1d": lambda m, x: x[0, 0].t(),
    "T": lambda m, x: x[0].T,
    "mT": lambda m, x: x.mT,
    "expand": lambda m, x: x[:, :1].expand(2, 3, 4),
    "expand_new_dims": lambda m, x: x[:, :1].expand(3, -1, -1, 4),
    "expand_as": lambda m, x: x[:1].expand_as(x),
    "broadcast_to": lambda m, x: m.broadcast_to(x[:, :, :1], (2, 3, 4)),
    "broadcast_to_method": lambda m, x: x[0, 0].broadcast_to((5, 4)),
    "unsqueeze(0)": lambda m, x: x.unsqueeze(0),
    "unsqueeze(-1)": lambda m, x: x.unsqueeze(-1),
    "unsqueeze(2)": lambda m, x: m.unsqueeze(x, 2),
    "unsqueeze_of_transposed": lambda m, x: x.transpose(0, 2).unsqueeze(1),
    "squeeze_all": lambda m, x: x[:, :1].squeeze(),
    "squeeze(1)": lambda m, x: x[:, :1].squeeze(1),
    "squeeze_non_one": lambda m, x: m.squeeze(x, 0),
    "squeeze_tuple": lambda m, x: x[:1, :1].squeeze((0, 1)),
    "squeeze(-1)": lambda m, x: x.unsqueeze(-1).squeeze(-1),
    "flatten": lambda m, x: x.flatten(),
    "flatten(1)": lambda m, x: m.flatten(x, 1),
    "flatten(0,1)": lambda m, x: x.flatten(0, 1),
    "unflatten": lambda m, x: x.unflatten(2, (2, 2)),
    "unflatten(-1)": lambda m, x: m.unflatten(x, -1, (-1, 2)),
    "narrow": lambda m, x: x.narrow(2, 1, 2),
    "narrow_negative_start": lambda m, x: x.narrow(-1, -2, 2),
    "narrow_fn": lambda m, x: m.narrow(x, 1, 1, 2),
    "select": lambda m, x: x.select(1, -1),
    "select_fn": lambda m, x: m.select(x, 0, 1),
    "diagonal": lambda m, x: x.diagonal(0, 1, 2),
    "diagonal_offset": lambda m, x: m.diagonal(x, 1, -2, -1),
    "diagonal_negative_offset": lambda m, x: x.diagonal(-1, 1, 2),
    "int": lambda m, x: x[1],
    "negative_ints": lambda m, x: x[-1, -2],
    "all_ints": lambda m, x: x[1, 2, 3],
    "slice": lambda m, x: x[:, 1:],
    "slice_steps": lambda m, x: x[:, ::2, 1::2],
    "slice_negative_bounds": lambda m, x: x[:, -2:, :-1],
    "slice_past_end": lambda m, x: x[:, 1:100:2],
    "none": lambda m, x: x[None, :, None],
    "ellipsis": lambda m, x: x[..., 1],
    "ellipsis_none": lambda m, x: x[0, ..., None],
    "ellipsis_middle": lambda m, x: x[1, ..., 2],
    "ellipsis_only": lambda m, x: x[...],
    "steps_of_transposed": lambda m, x: x.transpose(0, 2)[::3, 1:],
    "contiguous_of_contiguous": lambda m, x: x.contiguous(),
    "detach": lambda m, x: x.detach(),
    "data": lambda m, x: x.data,
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_views_vs_torch(backend, name):
    f = VIEWS[name]
    assert_same_view(f(lg, lg.tensor(BASE)), f(pytest.importorskip("torch"), torch_of(BASE)))


@pytest.mark.parametrize("name", ["view(-1,4)", "permute", "expand", "slice_steps", "t", "narrow", "diagonal",
                                  "unsqueeze(2)", "ellipsis"])
def test_views_of_lazy_tensors_vs_torch(backend, name):
    """The same views over a not yet realized tensor (the view becomes part of the graph)."""
    torch = pytest.importorskip("torch")
    f = VIEWS[name]
    assert_same_view(f(lg, lg.tensor(BASE) * 2 + 1), f(torch, torch_of(BASE) * 2 + 1))


@pytest.mark.parametrize("index", [(slice(None), slice(3, None)), (slice(5, None),)], ids=["x[:,3:]", "x[5:]"])
def test_empty_slice_view_metadata(backend, index):
    """An empty slice keeps torch's storage_offset (start * stride) and counts as contiguous."""
    torch = pytest.importorskip("torch")
    assert_same_view(lg.tensor(BASE)[index], torch_of(BASE)[index])


@pytest.mark.parametrize("index", [(-1, None, slice(1, None)), (-1, None, slice(None, None, 2), None)],
                         ids=["x[-1,None,1:]", "x[-1,None,::2,None]"])
def test_none_stride_before_a_slice(backend, index):
    """torch applies indices left to right: the None dim's stride comes from the unsliced dim after it."""
    torch = pytest.importorskip("torch")
    assert_same_view(lg.tensor(BASE)[index], torch_of(BASE)[index])


@pytest.mark.parametrize("index", [True, False, (0, True), (Ellipsis, True)], ids=str)
def test_bool_scalar_index_adds_a_dim(backend, index):
    """A Python bool index adds a dim of size 1 (True) or 0 (False)."""
    torch = pytest.importorskip("torch")
    assert_like_torch(lg.tensor(BASE[0])[index], torch_of(BASE[0])[index])


BOOL_SCALAR_INDICES = {  # m -> index into a 2 x 3 tensor: 0-d bool tensors, and bools beside advanced indices
    "tensor True": lambda m: m.tensor(True), "tensor False": lambda m: m.tensor(False),
    "tensor True, int": lambda m: (m.tensor(True), 0), "int, tensor True": lambda m: (0, m.tensor(True)),
    "ellipsis, tensor True": lambda m: (Ellipsis, m.tensor(True)), "None, tensor True": lambda m: (None, m.tensor(True)),
    "True beside a tensor": lambda m: (True, m.tensor([0, 1])),
    "tensor True beside a tensor": lambda m: (m.tensor(True), m.tensor([0, 1])),
    "mask and tensor True": lambda m: (m.tensor([True, False]), m.tensor(True)),
    "between two tensors": lambda m: (m.tensor([0, 1]), True, m.tensor([1, 2])),
    "across an ellipsis": lambda m: (m.tensor(True), Ellipsis, m.tensor([2, 0])),
    "False beside a tensor": lambda m: (False, m.tensor([0, 1])),
    "tensors that do not broadcast": lambda m: (m.tensor([0, 1, 0]), m.tensor([0, 1])),
}


@pytest.mark.parametrize("name", BOOL_SCALAR_INDICES)
def test_bool_scalar_indices_read_and_write_like_torch(name):
    """A 0-d bool tensor indexes as a Python bool; beside other advanced indices either is one of them (an
    index over a new dim of size 1), so its shape joins their broadcast."""
    torch = pytest.importorskip("torch")
    results = []
    for m in (lg, torch):
        y = m.arange(6.0).reshape(2, 3)
        try:
            read = y[BOOL_SCALAR_INDICES[name](m)]
            y[BOOL_SCALAR_INDICES[name](m)] = -1.0
            results.append((tuple(read.shape), read.tolist(), y.tolist()))
        except IndexError as error:
            results.append(str(error))
    assert results[0] == results[1]


def test_a_zero_dim_mask_of_a_zero_dim_tensor_like_torch():
    torch = pytest.importorskip("torch")
    results = []
    for m in (lg, torch):
        x = m.tensor(-1.0, requires_grad=True)
        y = x * 2
        picked = y[y < 0]
        y[y < 0] = 0.5
        (picked * 3).sum().backward()
        results.append((picked.shape, y.item(), x.grad.item()))
    assert results[0][1:] == results[1][1:] and tuple(results[0][0]) == tuple(results[1][0])


@pytest.mark.parametrize("dtype", ["int32", "int16"])
def test_view_dtype_reinterprets_bits(backend, dtype):
    """view(dtype) reinterprets the bits (a view of float32 1.0 as int32 is 1065353216)."""
    torch = pytest.importorskip("torch")
    a = np.array([1.0, -2.5], np.float32)
    assert_like_torch(lg.tensor(a).view(getattr(lg, dtype)), torch_of(a).view(getattr(torch, dtype)))


VIEW_DTYPE_REFUSALS = {
    "zero_dims": lambda m: m.tensor(1.0).view(m.float64),
    "inner_stride": lambda m: m.ones(4, 6, dtype=m.int16)[:, :4].view(m.int64),
    "last_size_first": lambda m: m.ones(6, dtype=m.int16).as_strided((2,), (3,)).view(m.int64),
    "offset": lambda m: m.ones(4, 4, dtype=m.int8)[:, 1:3].view(m.int16),
    "last_stride": lambda m: m.ones(4, 4, dtype=m.int8).t().view(m.int16),
    "last_size": lambda m: m.ones(3).view(m.complex128), "bool_size": lambda m: m.ones(3, dtype=m.bool).view(m.int16),
    "narrower_last_stride": lambda m: m.ones(2, 3).t().view(m.float16),
}


@pytest.mark.parametrize("name", list(VIEW_DTYPE_REFUSALS))
def test_view_dtype_refusals_name_torchs_check(name):
    """A view between element sizes is refused in torch's order, naming the size, stride or offset at fault
    with torch's type names (Float, Short)."""
    raises_like_torch(VIEW_DTYPE_REFUSALS[name], RuntimeError)


SPLITS = {
    "split_int": lambda m, x: x.split(3, 2),
    "split_sizes": lambda m, x: x.split([1, 3], -1),
    "split_fn": lambda m, x: m.split(x, 2, 1),
    "chunk": lambda m, x: x.chunk(3, 2),
    "chunk_uneven": lambda m, x: x.chunk(2, 1),
    "chunk_fn": lambda m, x: m.chunk(x, 4, -1),
    "unbind": lambda m, x: x.unbind(1),
    "unbind_fn": lambda m, x: m.unbind(x),
}


@pytest.mark.parametrize("name", list(SPLITS))
def test_splits_vs_torch(backend, name):
    torch = pytest.importorskip("torch")
    f = SPLITS[name]
    got, want = f(lg, lg.tensor(BASE)), f(torch, torch_of(BASE))
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        assert_same_view(g, w)


def test_views_share_storage_with_base(backend):
    """A write into the base shows through its views and a write through a view shows in the base."""
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(BASE), torch_of(BASE)
    vx, vt = x.transpose(0, 2)[1:], t.transpose(0, 2)[1:]
    x.mul_(2)
    t.mul_(2)
    assert_same_view(vx, vt)
    vx.add_(1)
    vt.add_(1)
    assert_like_torch(x, t)
    x[0, 1] = -5.0
    t[0, 1] = -5.0
    assert_like_torch(vx, vt)


def test_view_values_vs_numpy(backend):
    """Values of basic indexing against numpy's (runs without torch)."""
    x = lg.tensor(BASE)
    for index in [(1,), (-1, -2), (slice(None), slice(1, None)), (slice(None), slice(None, None, 2), slice(1, None, 2)),
                  (None, slice(None), None), (Ellipsis, 1), (0, Ellipsis, None), (slice(-2, None), slice(None, -1))]:
        np.testing.assert_array_equal(x[index].numpy(), BASE[index])
        assert tuple(x[index].shape) == BASE[index].shape
    np.testing.assert_array_equal(x.permute(2, 0, 1).numpy(), BASE.transpose(2, 0, 1))
    np.testing.assert_array_equal(x.reshape(4, -1).numpy(), BASE.reshape(4, -1))
    np.testing.assert_array_equal(x.T.numpy(), BASE.T)


def test_contiguous_and_reshape_copies(backend):
    """contiguous() of a contiguous tensor is itself; otherwise (and reshape that cannot view) a copy
    with contiguous strides."""
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(BASE), torch_of(BASE)
    assert x.contiguous() is x
    c, tc = x.transpose(0, 2).contiguous(), t.transpose(0, 2).contiguous()
    assert_same_view(c, tc)
    assert c.is_contiguous()
    r, tr = x.transpose(0, 2).reshape(-1), t.transpose(0, 2).reshape(-1)
    assert_like_torch(r, tr)
    assert r.stride() == tr.stride()
    f, tf = x.transpose(1, 2).flatten(0, 1), t.transpose(1, 2).flatten(0, 1)
    assert_like_torch(f, tf)
    assert f.stride() == tf.stride()
    cl, tcl = x.clone(), t.clone()
    assert_same_view(cl, tcl)


# ---- copies: flip, cat, stack, repeat ---------------------------------------------------------------

COPIES = {
    "flip(0)": lambda m, x: x.flip(0),
    "flip_tuple": lambda m, x: m.flip(x, (0, -1)),
    "flip_list_all": lambda m, x: x.flip([0, 1, 2]),
    "flip_of_transposed": lambda m, x: x.transpose(0, 2).flip(1),
    "flip_of_a_number": lambda m, x: x[0, 0, 0].flip(0),
    "cat(0)": lambda m, x: m.cat([x, x * 2], 0),
    "cat(-1)": lambda m, x: m.cat([x, x[..., :1]], -1),
    "cat_three": lambda m, x: m.cat((x[:, :1], x, x[:, 2:]), 1),
    "cat_promotes": lambda m, x: m.cat([x, x.int()], 0),
    "cat_views": lambda m, x: m.cat([x.transpose(1, 2), x.transpose(1, 2).flip(0)], 1),
    "cat_single": lambda m, x: m.cat([x], 1),
    "concat": lambda m, x: m.concat([x, x], 2),
    "concatenate": lambda m, x: m.concatenate([x[0], x[1]], 0),
    "stack": lambda m, x: m.stack([x, x + 1]),
    "stack(-1)": lambda m, x: m.stack([x, x + 1, x], -1),
    "stack(1)": lambda m, x: m.stack((x[0], x[1]), 1),
    "repeat": lambda m, x: x.repeat(2, 1, 2),
    "repeat_new_dims": lambda m, x: x.repeat(2, 1, 1, 1),
    "repeat_tuple": lambda m, x: x.repeat((1, 2, 1)),
    "repeat_of_transposed": lambda m, x: x.transpose(0, 2).repeat(1, 2, 1),
    "tile": lambda m, x: x.tile((2,)),
    "tile_fn": lambda m, x: m.tile(x, (2, 1, 1, 1)),
    "clone": lambda m, x: m.clone(x),
}


@pytest.mark.parametrize("name", list(COPIES))
def test_copies_vs_torch(backend, name):
    assert_case_like_torch(COPIES[name])


def test_clone_preserves_strides(backend):
    """clone() keeps a transposed tensor's strides (torch's memory_format=torch.preserve_format)."""
    torch = pytest.importorskip("torch")
    got, want = lg.tensor(BASE).transpose(0, 2).clone(), torch_of(BASE).transpose(0, 2).clone()
    assert_like_torch(got, want)
    assert got.stride() == want.stride()


@pytest.mark.parametrize("dtype", ["bool", "int64", "float16"])
def test_copies_other_dtypes_vs_torch(backend, dtype):
    torch = pytest.importorskip("torch")
    a = (BASE % 3 == 0) if dtype == "bool" else BASE.astype(dtype)
    x, t = lg.tensor(a), torch_of(a)
    for name in ("flip(0)", "cat(0)", "stack", "repeat") if dtype != "bool" else ("flip(0)", "repeat"):
        assert_like_torch(COPIES[name](lg, x), COPIES[name](torch, t))
    assert_like_torch(lg.cat([x, x]), torch.cat([t, t]))


def test_copies_vs_numpy(backend):
    x = lg.tensor(BASE)
    np.testing.assert_array_equal(x.flip(0).numpy(), BASE[::-1])
    np.testing.assert_array_equal(lg.cat([x, x * 2], 1).numpy(), np.concatenate([BASE, BASE * 2], 1))
    np.testing.assert_array_equal(lg.stack([x, x], -1).numpy(), np.stack([BASE, BASE], -1))
    np.testing.assert_array_equal(x.repeat(2, 1, 2).numpy(), np.tile(BASE, (2, 1, 2)))


def test_cat_with_legacy_empty_promotes(backend):
    """An empty 1-d tensor is skipped by cat but still takes part in type promotion."""
    torch = pytest.importorskip("torch")
    a = BASE.astype(np.int64)
    assert_like_torch(lg.cat([lg.tensor(a), lg.tensor([])]), torch.cat([torch_of(a), torch.tensor([])]))


def test_cat_skips_legacy_empty(backend):
    torch = pytest.importorskip("torch")
    assert_like_torch(lg.cat([lg.tensor(BASE), lg.tensor([])]), torch.cat([torch_of(BASE), torch.tensor([])]))


# ---- advanced indexing -----------------------------------------------------------------------------

ADVANCED_LIST = {
    "int_list": lambda m, x: x[[0, 1, 0]],
    "negative_list": lambda m, x: x[:, [-1, 0, 2]],
    "two_lists": lambda m, x: x[[0, 1], [2, 0]],
    "lists_separated_by_slice": lambda m, x: x[[0, 1], :, [3, 1]],
    "list_with_slices": lambda m, x: x[1:, [2, 0], ::2],
    "none_and_list": lambda m, x: x[None, [0, 1], 1],
    "ellipsis_and_list": lambda m, x: x[..., [0, 3]],
    "int_then_lists": lambda m, x: x[1, [0, 2], [1, 3]],
    "bool_list": lambda m, x: x[[True, False]],
    "bool_list_dim1": lambda m, x: x[:, [True, False, True]],
    "list_of_transposed": lambda m, x: x.transpose(0, 2)[[1, 2]],
    "list_of_stepped": lambda m, x: x[:, ::2][[1, 0]],
    "repeated_indices": lambda m, x: x[[1, 1, 1, 0]],
}

ADVANCED_TENSOR = {
    "int_tensor": lambda m, x: x[m.tensor([1, 0, 1])],
    "int_tensor_2d": lambda m, x: x[m.tensor([[1, 0], [0, 1]])],
    "negative_tensor": lambda m, x: x[:, m.tensor([-1, -3])],
    "broadcast_tensors": lambda m, x: x[m.tensor([[0], [1]]), :, m.tensor([1, 2, 3])],
    "int32_tensor": lambda m, x: x[m.tensor([1, 0], dtype=m.int32)],
    "zero_dim_tensor": lambda m, x: x[m.tensor(1)],
    "bool_mask_full": lambda m, x: x[x > 10],
    "bool_mask_rows": lambda m, x: x[m.tensor([True, False])],
    "bool_mask_dim1": lambda m, x: x[:, m.tensor([True, False, True])],
    "bool_mask_2d": lambda m, x: x[m.tensor([[True, False, True], [False, False, True]])],
    "tensor_with_slice": lambda m, x: x[1:, m.tensor([2, 0]), ::2],
    "index_select": lambda m, x: x.index_select(2, m.tensor([3, 0, 0])),
    "index_select_fn": lambda m, x: m.index_select(x, -1, m.tensor([1])),
    "masked_select": lambda m, x: m.masked_select(x, x > 5),
    "masked_select_broadcast": lambda m, x: x.masked_select(m.tensor([True, False, True, False])),
}


@pytest.mark.parametrize("name", list(ADVANCED_LIST))
def test_advanced_indexing_with_lists_vs_torch(backend, name):
    assert_case_like_torch(ADVANCED_LIST[name])


@pytest.mark.parametrize("name", list(ADVANCED_TENSOR))
def test_advanced_indexing_with_tensors_vs_torch(backend, name):
    assert_case_like_torch(ADVANCED_TENSOR[name])


BYTE_MASKS = {
    "full": lambda m, x: x[(x > 10).to(m.uint8)],
    "rows": lambda m, x: x[m.tensor([1, 0], dtype=m.uint8)],
    "with_an_int": lambda m, x: x[m.tensor([0, 1], dtype=m.uint8), 2],
    "where": lambda m, x: m.where((x > 10).to(m.uint8), x, 0.0),
    "set_many": lambda m, x: (x.__setitem__(m.tensor([1, 0], dtype=m.uint8), m.arange(12.0).reshape(3, 4)), x)[1],
}


def assert_warns_like_torch(case, match: str) -> None:
    """case(module, x) on BASE gives torch's tensor with torch's warning, aimed at this file (the caller)."""
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning, match=match) as got:
        ours = case(lg, lg.tensor(BASE))
    with pytest.warns(UserWarning) as want:
        theirs = case(torch, torch_of(BASE))
    assert str(want[0].message).startswith(str(got[0].message)) and got[0].filename == __file__
    assert_like_torch(ours, theirs)


@pytest.mark.parametrize("name", BYTE_MASKS)
def test_byte_masks_are_torchs_deprecated_masks(name):
    """uint8 tensors index (and choose, in where) as boolean masks, with torch's deprecation warning."""
    assert_warns_like_torch(BYTE_MASKS[name], "uint8")


@pytest.mark.parametrize("call", [
    lambda m: m.ones(2, 2).__setitem__(m.tensor([1, 0], dtype=m.uint8), 3.0),
    lambda m: m.ones(2, 2).__setitem__((m.tensor([1, 0], dtype=m.uint8), 1), m.ones(1)),
    lambda m: m.ones(2, 2)["a"], lambda m: m.ones(2, 2)[[1, "a"]],
])
def test_indices_torch_refuses(call):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch's deprecation of a list index)
        with pytest.raises(Exception) as want:
            call(torch)
        with pytest.raises(type(want.value)) as got:
            call(lg)
    assert str(got.value) == str(want.value)


SEQUENCES_AS_TUPLES = {
    "slice_and_int": lambda m, x: x[[slice(None), 0]],
    "one_slice": lambda m, x: x[[slice(1, None)]],
    "none_first": lambda m, x: x[[None, 0]],
    "ellipsis_first": lambda m, x: x[[..., 0]],
    "lists_of_lists": lambda m, x: x[[[0, 1], [1, 2]]],
    "tensor_and_slice": lambda m, x: x[[m.tensor([0, 1]), slice(None)]],
    "written": lambda m, x: (x.__setitem__([slice(None), 1], -1.0), x)[1],
    "a_range_inside": lambda m, x: x[[range(2)]],
}


@pytest.mark.parametrize("index", ["range(2)", "(range(2), range(1, 3))", "(slice(None), range(2))"])
def test_a_range_indexes_as_the_list_of_its_numbers(index):
    torch = pytest.importorskip("torch")

    def result(m):
        x = m.arange(12).reshape(3, 4)
        picked = x[eval(index)].tolist()
        x[eval(index)] = -1
        return picked, x.tolist()
    assert result(lg) == result(torch)


def test_index_put_checks_the_values_shape_before_their_dtype():
    torch = pytest.importorskip("torch")
    for m in (lg, torch):
        x = m.arange(12).reshape(3, 4)
        with pytest.raises(RuntimeError, match=r"shape mismatch: value tensor of shape \[2\] cannot be broadcast"):
            x[x > 8] = m.tensor([1.5, 2.5])
        with pytest.raises(TypeError, match="can't assign a numpy.ndarray to a torch.LongTensor"):
            x[0] = np.ones(4)


@pytest.mark.parametrize("name", SEQUENCES_AS_TUPLES)
def test_a_short_list_of_index_parts_is_a_tuple_with_torchs_warning(name):
    """torch still reads x[[slice, int]] (a list holding a slice, None, Ellipsis, a sequence or a tensor) as
    x[slice, int], warning that this will change; a list of ints stays one index (lists_of_lists: [2], not [2, 2])."""
    assert_warns_like_torch(SEQUENCES_AS_TUPLES[name], "^Using a non-tuple sequence for multidimensional indexing")


WHOLE_INDICES = ["slice(None)", "...", "()", "(slice(None), slice(None))", "slice(0, 3)", "slice(0, 10)",
                 "slice(None, None, 1)", "(..., slice(None))", "slice(False, None)",
                 # not the whole tensor as written: a view is written
                 "None", "slice(-3, None)", "slice(0, 3, 2)", "0", "True"]


def _whole_write_program(m, index: str):
    a = m.ones(3, 4, requires_grad=True)
    written = []
    for value in (2.0, m.full((4,), 3.0), m.tensor(5.0)):
        c = a * 2
        c[eval(index)] = value
        written.append((type(c.grad_fn).__name__, c._version, c.tolist()))
    try:
        a[eval(index)] = 2.0
    except RuntimeError as e:
        written.append(str(e))
    zero_dim = m.tensor(1.0, requires_grad=True) * 1
    if index in ("...", "()"):
        zero_dim[eval(index)] = 4.0
    return written, type(zero_dim.grad_fn).__name__, zero_dim.item()


@pytest.mark.parametrize("index", WHOLE_INDICES)
def test_setitem_of_the_whole_tensor_writes_it_as_torch_does(index):
    """An index of whole dims (slices from 0, as written, to the end by 1, and Ellipsis) makes torch write the
    tensor itself (fill_ or copy_, not CopySlices; a leaf is refused as a leaf, not as a view of one)."""
    torch = pytest.importorskip("torch")
    assert _whole_write_program(lg, index) == _whole_write_program(torch, index)


def test_advanced_indexing_vs_numpy(backend):
    x = lg.tensor(BASE)
    np.testing.assert_array_equal(x[[0, 1, 0]].numpy(), BASE[[0, 1, 0]])
    np.testing.assert_array_equal(x[[0, 1], :, [3, 1]].numpy(), BASE[[0, 1], :, [3, 1]])
    np.testing.assert_array_equal(x[:, [-1, 0]].numpy(), BASE[:, [-1, 0]])
    np.testing.assert_array_equal(x[:, [True, False, True]].numpy(), BASE[:, [True, False, True]])


@pytest.mark.parametrize("dtype", ["bool", "int64", "float64"])
def test_advanced_indexing_keeps_special_values(backend, dtype):
    """The gather is exact: NaN, -inf, -0.0 and the most negative integer come through unchanged."""
    torch = pytest.importorskip("torch")
    specials = {"bool": [True, False, True], "int64": [np.iinfo(np.int64).min, 5, -1],
                "float64": [-np.inf, np.nan, -0.0]}
    a = np.array(specials[dtype], dtype=dtype)
    assert_like_torch(lg.tensor(a)[[1, 0, 2, 0]], torch_of(a)[[1, 0, 2, 0]])
    if dtype == "float64":
        assert np.signbit(lg.tensor(a)[[2]].numpy()[0])


def test_empty_index_list(backend):
    torch = pytest.importorskip("torch")
    assert_like_torch(lg.tensor(BASE)[[]], torch_of(BASE)[[]])


GATHERS = {
    "gather_last": (2, [[[0, 3], [1, 1], [2, 0]], [[3, 3], [0, 0], [1, 2]]]),
    "gather_first": (0, [[[1, 0, 1, 0]]]),
    "gather_middle": (1, [[[2, 0, 1, 0], [0, 0, 0, 0]]]),
    "gather_negative_dim": (-1, [[[1]], [[2]]]),
}


@pytest.mark.parametrize("name", list(GATHERS))
def test_gather_vs_torch(backend, name):
    torch = pytest.importorskip("torch")
    dim, index = GATHERS[name]
    idx = np.array(index, np.int64)
    assert_like_torch(lg.tensor(BASE).gather(dim, lg.tensor(idx)), torch_of(BASE).gather(dim, torch_of(idx)))
    assert_like_torch(lg.gather(lg.tensor(BASE), dim, lg.tensor(idx)), torch.gather(torch_of(BASE), dim, torch_of(idx)))


def test_gather_special_values_vs_torch(backend):
    torch = pytest.importorskip("torch")
    a = np.array([[-np.inf, np.nan], [np.nan, -np.inf]], np.float32)
    idx = np.array([[0, 1], [1, 1]], np.int64)
    assert_like_torch(lg.tensor(a).gather(1, lg.tensor(idx)), torch_of(a).gather(1, torch_of(idx)))
    b = np.array([[True, False], [False, True]])
    assert_like_torch(lg.tensor(b).gather(0, lg.tensor(idx)), torch_of(b).gather(0, torch_of(idx)))


def test_nonzero_and_where_vs_torch(backend):
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(BASE), torch_of(BASE)
    assert_like_torch((x > 15).nonzero(), (t > 15).nonzero())
    for g, w in zip(lg.nonzero(x > 20, as_tuple=True), torch.nonzero(t > 20, as_tuple=True)):
        assert_like_torch(g, w)
    for g, w in zip(lg.where(x > 20), torch.where(t > 20)):
        assert_like_torch(g, w)
    for value in (2.5, 0.0):  # a number: one row of no coordinates where it is not zero
        assert_like_torch(lg.tensor(value).nonzero(), torch.tensor(value).nonzero())
    assert_like_torch((x > 99).nonzero(), (t > 99).nonzero())


def test_empty_inputs_like_torch():
    """Reductions and products over nothing: torch's shapes, dtypes and values (a median of no integers is
    what C's conversion of NaN gives, as torch's is)."""
    torch = pytest.importorskip("torch")
    for m_call in (lambda m: m.inner(m.zeros(2, 0), m.zeros(2, 0)), lambda m: m.tensordot(m.ones(0, 3), m.ones(3, 4), 1),
                   lambda m: m.cumulative_trapezoid(m.zeros(2, 0)), lambda m: m.tensor([], dtype=m.int32).median(),
                   lambda m: m.tensor([], dtype=m.int64).median(), lambda m: m.tensor([]).median()):
        assert_like_torch(m_call(lg), m_call(torch))


def _memory_format_program(t):
    x = t.arange(120.0).reshape(2, 3, 4, 5)
    cl = x.contiguous(memory_format=t.channels_last)
    seen = [cl.stride(), cl.is_contiguous(), cl.is_contiguous(memory_format=t.channels_last),
            x.is_contiguous(memory_format=t.channels_last), bool(t.equal(cl, x)),
            cl.contiguous(memory_format=t.channels_last) is cl, cl.contiguous().stride(),
            x.to(memory_format=t.channels_last).stride(), x.to(t.float64, memory_format=t.channels_last).stride(),
            t.arange(6.0).reshape(2, 3, 1, 1).contiguous(memory_format=t.channels_last).stride(),
            t.ones(2, 1, 4, 5).contiguous(memory_format=t.channels_last).stride(),
            t.ones(2, 3, 4, 5, 6).contiguous(memory_format=t.channels_last_3d).stride(),
            x.clone(memory_format=t.channels_last).stride(), cl.clone().stride(),
            cl.clone(memory_format=t.contiguous_format).stride(),
            x.permute(0, 2, 3, 1).is_contiguous(memory_format=t.channels_last)]
    for bad in (lambda: t.ones(3, 4).contiguous(memory_format=t.channels_last),
                lambda: t.ones(3, 4, 5, 6).contiguous(memory_format=t.channels_last_3d)):
        try:
            bad()
        except RuntimeError as e:
            seen.append(str(e))
    y = t.ones(2, 3, 4, 5, requires_grad=True)
    (y.contiguous(memory_format=t.channels_last) * t.arange(120.0).reshape(2, 3, 4, 5)).sum().backward()
    seen.append(y.grad.reshape(-1).tolist())
    return seen


def test_channels_last_layouts_match_torch():
    """contiguous/clone/to with a channels-last memory format lay values out NHWC (NDHWC) as torch does, and
    is_contiguous(memory_format=...) checks that order; values and gradients are unchanged."""
    torch = pytest.importorskip("torch")
    assert _memory_format_program(lg) == _memory_format_program(torch)


@pytest.mark.parametrize("index", [0, -1, 3, slice(None), (0,), [0]])
def test_indexing_a_zero_dim_tensor_fails_in_torchs_words(index):
    torch = pytest.importorskip("torch")
    with pytest.raises(IndexError) as want:
        torch.tensor(1.0)[index]
    with pytest.raises(IndexError) as got:
        lg.tensor(1.0)[index]
    assert str(got.value) == str(want.value)


def test_transposing_a_tensor_that_is_not_a_matrix_warns_once():
    """torch deprecates .T on other ranks than 2 (0-d apart), warning once a process of each."""
    import lazygrad.movement as movement
    movement._T_WARNED.clear()
    with pytest.warns(UserWarning, match=r"^The use of `x.T` on tensors of dimension other than 2") as got:
        assert lg.ones(2, 3, 4).T.shape == (4, 3, 2)
    assert got[0].filename == __file__
    with pytest.warns(UserWarning, match=r"^Tensor.T is deprecated on 0-D tensors"):
        lg.tensor(1.0).T
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lg.ones(3).T, lg.tensor(2.0).T, lg.ones(2, 3).T


def test_membership_is_torchs():
    torch = pytest.importorskip("torch")
    for m in (lg, torch):
        x = m.arange(6.0).reshape(2, 3)
        assert 3.0 in x and m.tensor(5.0) in x and 7 not in x and m.tensor([1.0, 2.0]) not in x[:, :1]
    with pytest.raises(RuntimeError, match=r"^Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                                           r"<class 'str'>.$"):
        "a" in lg.ones(2)


def test_numbers_and_empty_dims_move_as_torch():
    """A 0-d tensor takes dims 0 and -1 (index_select, index_add, squeeze, mT); an empty dim chunks into
    `chunks` empty pieces."""
    torch = pytest.importorskip("torch")
    import warnings
    for m in (lg, torch):
        s = m.tensor(3.0, requires_grad=True)
        picked = s.index_select(0, m.tensor([0]))
        (picked * 2).backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert s.mT is s
        assert picked.shape == () and s.grad.item() == 2.0 and s.squeeze(-1).shape == ()
        assert m.zeros(()).index_add(0, m.tensor([0]), m.tensor(2.0)).item() == 2.0
        assert [p.shape for p in m.ones(0, 1, 2).chunk(3, 0)] == [(0, 1, 2)] * 3
