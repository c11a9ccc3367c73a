"""Integer-tensor indexing as GATHER and SCATTER kernels: one load (or one store) per element at a
position computed from the index values, so their cost follows the index, not the indexed tensor.
Values are checked against numpy (np.add.at for repeated positions) and torch where it is installed."""
import re

import numpy as np
import pytest

import lazygrad as lg
from conftest import torch_or_skip


def _kinds(*tensors) -> list[str]:
    return [k.kind for k in lg.schedule(*tensors)]


def test_an_embedding_lookup_is_one_load_per_element(backend):
    rng = np.random.default_rng(0)
    table_np, idx_np = rng.standard_normal((30000, 64)).astype(np.float32), rng.integers(0, 30000, (5, 7))
    table, idx = lg.tensor(table_np).realize(), lg.tensor(idx_np).realize()
    rows = table[idx]
    (kernel,) = lg.schedule(rows)
    assert kernel.kind == "elementwise" and "gather" in kernel.ops
    np.testing.assert_array_equal(rows.numpy(), table_np[idx_np])


def test_the_gradient_of_a_lookup_scatters_with_repeats(backend):
    rng = np.random.default_rng(1)
    table_np = rng.standard_normal((50, 8))
    idx_np = np.array([[3, 7, 3], [49, 0, 3]])
    g_np = rng.standard_normal((2, 3, 8))
    table = lg.tensor(table_np, requires_grad=True)
    (grad,) = lg.autograd.grad((table[lg.tensor(idx_np)] * lg.tensor(g_np)).sum(), table)
    assert _kinds(grad) == ["scatter"]
    expected = np.zeros_like(table_np)
    np.add.at(expected, idx_np, g_np)
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-12)


def test_indexing_reads_views_in_place():
    """A transposed, sliced tensor is indexed through its strides: no copy of it comes first."""
    base_np = np.arange(60.0).reshape(6, 10)
    base = lg.tensor(base_np).realize()
    view = base.t()[2:9:3]
    rows, cols = [2, 0, 2], [[5], [1]]
    picked = view[rows, cols]
    assert _kinds(picked) == ["elementwise"]
    np.testing.assert_array_equal(picked.numpy(), base_np.T[2:9:3][rows, cols])


def test_gathered_values_fuse_with_their_consumers():
    x_np = np.random.default_rng(2).standard_normal((6, 5))
    x = lg.tensor(x_np).realize()
    picked = (x[lg.tensor([4, 1, 1]), 2:] * 2).exp().sum(1)
    assert _kinds(picked) == ["reduce"]
    np.testing.assert_allclose(picked.numpy(), np.exp(x_np[[4, 1, 1], 2:] * 2).sum(1), rtol=1e-12)


def test_lazy_data_is_computed_once_then_gathered():
    x_np = np.random.default_rng(3).standard_normal((4, 6))
    y = (lg.tensor(x_np) * 3).softmax(1)
    picked = y[lg.arange(4), lg.tensor([5, 0, 2, 2])]
    assert _kinds(picked) == _kinds(y) + ["elementwise"]
    e = np.exp(3 * x_np - (3 * x_np).max(1, keepdims=True))
    np.testing.assert_allclose(picked.numpy(), (e / e.sum(1, keepdims=True))[np.arange(4), [5, 0, 2, 2]], rtol=1e-12)


@pytest.mark.parametrize("accumulate", [False, True])
@pytest.mark.parametrize("dtype", ["float16", "float32", "int64", "int8", "bool"])
def test_index_put_matches_torch(backend, accumulate, dtype):
    torch = torch_or_skip()
    rng = np.random.default_rng(4)
    base_np = (rng.standard_normal((7, 5)) * 4).astype(dtype)
    vals_np = (rng.standard_normal((3, 5)) * 4).astype(dtype)
    rows = np.array([6, 2, 6]) if accumulate else np.array([6, 2, 0])  # (torch leaves repeated writes undefined)
    ours = lg.tensor(base_np).index_put((lg.tensor(rows),), lg.tensor(vals_np), accumulate=accumulate)
    theirs = torch.tensor(base_np).index_put((torch.tensor(rows),), torch.tensor(vals_np), accumulate=accumulate)
    assert _kinds(ours) == ["scatter"]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_setitem_with_tensor_indices_writes_through_views(backend):
    torch = torch_or_skip()
    base_np = np.arange(24.0).reshape(4, 6)
    ours, theirs = lg.tensor(base_np), torch.tensor(base_np)
    for t, lib in ((ours, lg), (theirs, torch)):
        view = t[1:, ::2]
        view[lib.tensor([0, 2]), lib.tensor([1, 2])] = lib.tensor([-1.0, -2.0], dtype=lib.float64)
        t[[3, 0], 5] += 100
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather_and_scatter_add_on_strided_inputs_match_torch(backend, dim):
    torch = torch_or_skip()
    rng = np.random.default_rng(5)
    x_np = rng.standard_normal((5, 8))
    index_np = rng.integers(0, 5 if dim == 0 else 4, (3, 4))
    src_np = rng.standard_normal((3, 4))
    x, tx = lg.tensor(x_np)[:, ::2], torch.tensor(x_np)[:, ::2]
    np.testing.assert_array_equal(x.gather(dim, lg.tensor(index_np)).numpy(),
                                  tx.gather(dim, torch.tensor(index_np)).numpy())
    added = x.scatter_add(dim, lg.tensor(index_np), lg.tensor(src_np))
    assert _kinds(added) == ["scatter"]
    np.testing.assert_allclose(added.numpy(), tx.scatter_add(dim, torch.tensor(index_np), torch.tensor(src_np)).numpy(),
                               rtol=1e-12)


def test_second_derivatives_through_gather_and_scatter():
    torch = torch_or_skip()
    rng = np.random.default_rng(6)
    x_np, idx_np = rng.standard_normal((6, 3)), np.array([1, 4, 1, 0])
    grads = []
    for lib in (lg, torch):
        x = lib.tensor(x_np, requires_grad=True)
        y = (lib.tensor([1.0, -2.0, 0.5]) * x[lib.tensor(idx_np)] ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        grads.append((g.detach().numpy(), h.numpy()))
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_cross_entropy_gradient_is_a_gather_and_a_scatter():
    """The MLP loss -log_softmax(h)[arange(n), y].mean(): its kernels stay linear in the batch."""
    torch = torch_or_skip()
    rng = np.random.default_rng(7)
    h_np, y_np = rng.standard_normal((256, 10)), rng.integers(0, 10, 256)
    results = []
    for lib in (lg, torch):
        h = lib.tensor(h_np, requires_grad=True)
        loss = -h.log_softmax(-1)[lib.arange(256), lib.tensor(y_np)].mean()
        loss.backward()
        results.append((loss.item(), h.grad.numpy()))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10, atol=1e-15)


def test_values_of_another_dtype_raise_like_torch():
    x = lg.zeros(4, dtype=lg.float64)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match, got Double "
                                           "for the destination and Float for the source."):
        x[lg.tensor([1])] = lg.tensor([1.0])
    with pytest.raises(RuntimeError, match=r"index_add_\(\): self \(Double\) and source \(Float\) must have"):
        x.index_add(0, lg.tensor([1]), lg.tensor([1.0]))
    with pytest.raises(RuntimeError, match=r"scatter\(\): Expected self.dtype to be equal to src.dtype"):
        x.scatter_add(0, lg.tensor([1]), lg.tensor([1.0]))
    x[x > -1] = lg.tensor(2.0)  # (a mask and one value: a fill, which converts)
    np.testing.assert_array_equal(x.numpy(), [2.0] * 4)


def test_realized_out_of_range_indices_raise_like_torch():
    x = lg.zeros(4, 3)
    with pytest.raises(IndexError, match="index 4 is out of bounds for dimension 0 with size 4"):
        x[lg.tensor([0, 4])]
    with pytest.raises(IndexError, match="index -5 is out of bounds for dimension 0 with size 4"):
        x.index_put((lg.tensor([-5]),), lg.tensor(1.0))
    with pytest.raises(RuntimeError, match="index 3 is out of bounds for dimension 1 with size 3"):
        x.gather(1, lg.tensor([[3]]))


def test_indices_of_an_empty_selection_are_not_checked_as_torch():
    """torch reads nothing when the result is empty, so it checks no index; a dim of size 0 that an
    index selects from is refused before anything else."""
    assert lg.zeros(0, 3)[:, lg.tensor([9])].shape == (0, 1)
    assert lg.zeros(2, 3)[lg.tensor([5]), lg.tensor([], dtype=lg.long)].shape == (0,)
    x = lg.zeros(0, 3, requires_grad=True)
    x[:, lg.tensor([-9])].sum().backward()
    assert x.grad.shape == (0, 3)
    for shape, index in (((0, 3), lg.tensor([1])), ((3, 0), (lg.tensor([7]), lg.tensor([0])))):
        with pytest.raises(IndexError, match="^index is out of bounds for dimension with size 0$"):
            lg.zeros(shape)[index]


def test_lazily_computed_indices_are_checked_when_the_result_is_computed():
    """torch checks index values at the op; a lazy index is computed, and checked, first thing when a result
    reading through it is computed: torch's error then (at every try), nothing computed from a bad index, and
    the index itself still readable. Indices in range (negative ones wrap) give the values."""
    x_np = np.arange(12.0)
    idx = lg.tensor([0, 5, 11]) * 1000 - 3000  # -3000, 2000, 8000
    runs = lg.stats().kernels_run
    picked, rows = lg.tensor(x_np)[idx], lg.tensor(np.arange(4 * 64.0).reshape(4, 64))
    added = lg.zeros(4, 64, dtype=lg.float64).index_add(0, idx, rows[:3])
    assert lg.stats().kernels_run == runs  # (nothing runs at the ops)
    for result, error, words in ((picked * 2, IndexError, "index -3000 is out of bounds for dimension 0 with size 12"),
                                 (picked, IndexError, "index -3000 is out of bounds for dimension 0 with size 12"),
                                 (rows[idx], IndexError, "index -3000 is out of bounds for dimension 0 with size 4"),
                                 (added, IndexError, "index out of range in self"),
                                 (lg.tensor(x_np).gather(0, idx), RuntimeError,
                                  "index -3000 is out of bounds for dimension 0 with size 12")):
        with pytest.raises(error, match=f"^{words}$"):
            result.numpy()
    assert idx.tolist() == [-3000, 2000, 8000]
    near = lg.tensor([0, 5, 11]) - 6  # -6, -1, 5
    np.testing.assert_array_equal(lg.tensor(x_np)[near].numpy(), x_np[[-6, -1, 5]])


@pytest.mark.parametrize("write", [lambda x, i: x.__setitem__(i, 1.0), lambda x, i: x.index_add_(0, i, lg.ones(3)),
                                   lambda x, i: x.scatter_(0, i, 2.0), lambda x, i: x.index_fill_(0, i, 3.0),
                                   lambda x, i: x.index_reduce_(0, i, lg.full((3,), 2.0), "prod")])
def test_an_in_place_write_through_lazy_indices_checks_them_first(write):
    """A refused write leaves its target as it was (torch refuses at the op): an in-place op checks its lazy
    indices at once."""
    x = lg.arange(5.0)
    with pytest.raises((IndexError, RuntimeError), match="out of bounds|out of range"):
        write(x, lg.arange(3) * 3)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    write(x, lg.arange(3) + 1)
    assert x.tolist() != [0.0, 1.0, 2.0, 3.0, 4.0]


def test_index_add_and_index_reduce_refuse_in_torchs_words():
    torch = pytest.importorskip("torch")
    for m in (lg, torch):
        for write in (lambda x: x.index_add_(0, m.tensor([0, 3, 6]), m.ones(3)),
                      lambda x: x.index_reduce_(0, m.tensor([0, 3, 6]), m.ones(3), "prod")):
            with pytest.raises(IndexError, match="^index out of range in self$"):
                write(m.zeros(5))


def test_indices_made_in_range_leave_nothing_to_check():
    """A backward pass reuses its forward's indices and a loss gathers at targets it checks itself: neither
    leaves a check waiting (which would compute the index apart, in a kernel of its own)."""
    from lazygrad import deferred_checks
    x = lg.randn(5, 3, requires_grad=True)
    target = lg.tensor([0, 2, 1, 1, 0]).realize()
    loss = lg.nn.functional.cross_entropy(x, target)
    picked = x.gather(1, target.reshape(5, 1))
    assert deferred_checks._reached([loss.lazy, picked.lazy]) == []
    (loss + picked.sum()).backward()
    assert deferred_checks._reached([x.grad.lazy]) == [] and x.grad.shape == (5, 3)


@pytest.mark.parametrize("shape, offset, dims", [((300, 400), 1, (0, 1)), ((4, 5, 6), -2, (2, 0)),
                                                 ((3, 4, 5), 0, (0, 2))])
def test_the_gradient_of_a_diagonal_is_a_scatter(shape, offset, dims):
    torch = torch_or_skip()
    x_np = np.random.default_rng(8).standard_normal(shape)
    grads = []
    for lib in (lg, torch):
        x = lib.tensor(x_np, requires_grad=True)
        d = x.diagonal(offset, *dims)
        (g,) = lib.autograd.grad((d * lib.arange(d.shape[-1], dtype=lib.float64)).sum(), x)
        grads.append(g)
    assert "scatter" in _kinds(grads[0])
    np.testing.assert_array_equal(grads[0].numpy(), grads[1].numpy())


def test_reading_storage_through_overlapping_strides_adds_up_gradients():
    """as_strided over a view whose layout is not dense: the gradient sums g at each storage position
    (a scatter-add), then reads it back at the base's positions (a gather)."""
    torch = torch_or_skip()
    x_np = np.random.default_rng(10).standard_normal(12)
    grads = []
    for lib in (lg, torch):
        base = lib.tensor(x_np, requires_grad=True)
        w = base[1::2].as_strided((3, 3), (2, 1), 1)
        (g,) = lib.autograd.grad((w * lib.arange(9.0, dtype=lib.float64).reshape(3, 3)).sum(), base)
        grads.append(g.numpy())
    np.testing.assert_array_equal(*grads)


def test_take_and_index_select_match_torch_with_their_gradients():
    torch = torch_or_skip()
    x_np = np.random.default_rng(12).standard_normal((4, 6))
    got = []
    for lib in (lg, torch):
        x = lib.tensor(x_np, requires_grad=True)
        taken = x.t().take(lib.tensor([[0, -1, 7], [7, 23, 5]]))  # row-major order of the transposed view
        picked = lib.index_select(x, 1, lib.tensor([5, 0, 5], dtype=lib.int32))
        loss = (taken * lib.arange(6.0, dtype=lib.float64).reshape(2, 3)).sum() + (picked ** 2).sum()
        (g,) = lib.autograd.grad(loss, x)
        got.append((taken.detach().numpy(), picked.detach().numpy(), g.numpy(),
                    type(taken.grad_fn).__name__, type(picked.grad_fn).__name__))
    for ours, theirs in zip(*got):
        np.testing.assert_array_equal(ours, theirs)


def test_take_and_index_select_errors_match_torch():
    torch = torch_or_skip()
    cases = [lambda m, x: x.take(m.tensor([12])), lambda m, x: x.take(m.tensor([-13])),
             lambda m, x: x.take(m.tensor([1.0])), lambda m, x: x.index_select(0, m.tensor([[0]])),
             lambda m, x: x.index_select(0, m.tensor([3])), lambda m, x: x.index_select(1, m.tensor([-1])),
             lambda m, x: x.t().index_select(1, m.tensor([4])), lambda m, x: x.index_select(-1, m.tensor([[1]]))]
    for case in cases:
        with pytest.raises(Exception) as want:
            case(torch, torch.zeros(3, 4))
        with pytest.raises(type(want.value), match=re.escape(str(want.value))):
            case(lg, lg.zeros(3, 4))


REDUCE = ["sum", "prod", "mean", "amax", "amin"]


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCE)
@pytest.mark.parametrize("dtype", ["float32", "int64", "int16"])
def test_scatter_reduce_matches_torch(backend, reduce, include_self, dtype):
    torch = torch_or_skip()
    rng = np.random.default_rng(13)
    x_np = rng.integers(-9, 10, (5, 4)).astype(dtype)
    index_np, src_np = rng.integers(0, 5, (6, 3)), rng.integers(-9, 10, (7, 3)).astype(dtype)  # src larger
    ours = lg.tensor(x_np).scatter_reduce(0, lg.tensor(index_np), lg.tensor(src_np), reduce, include_self=include_self)
    theirs = torch.tensor(x_np).scatter_reduce(0, torch.tensor(index_np), torch.tensor(src_np), reduce,
                                               include_self=include_self)
    assert "scatter" in _kinds(ours)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCE)
def test_scatter_reduce_gradients_match_torch_with_ties_and_zeros(reduce, include_self):
    torch = torch_or_skip()
    rng = np.random.default_rng(14)
    for trial in range(4):
        x_np = rng.integers(-2, 3, (4, 3)).astype(np.float64)  # small integers: ties and zeros
        src_np = rng.integers(-2, 3, (3, 3)).astype(np.float64)
        if trial % 2:
            x_np, src_np = x_np + rng.standard_normal((4, 3)), src_np + rng.standard_normal((3, 3))
        index_np, g_np = rng.integers(0, 4, (3, 3)), rng.standard_normal((4, 3))
        got = []
        for lib in (lg, torch):
            x, src = lib.tensor(x_np, requires_grad=True), lib.tensor(src_np, requires_grad=True)
            y = x.scatter_reduce(0, lib.tensor(index_np), src, reduce, include_self=include_self)
            grads = lib.autograd.grad((y * lib.tensor(g_np)).sum(), (x, src))
            got.append([type(y.grad_fn).__name__, y.detach().numpy(), *(g.numpy() for g in grads)])
        assert got[0][0] == got[1][0]
        for ours, theirs in zip(got[0][1:], got[1][1:]):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
def test_index_reduce_and_its_gradients_match_torch(reduce):
    torch = torch_or_skip()
    rng = np.random.default_rng(15)
    x_np, source_np = rng.standard_normal((3, 5)), rng.standard_normal((3, 4))
    index_np = np.array([4, 0, 4, 2])
    got = []
    for lib in (lg, torch):
        x, source = lib.tensor(x_np, requires_grad=True), lib.tensor(source_np, requires_grad=True)
        y = x.index_reduce(1, lib.tensor(index_np), source, reduce, include_self=reduce != "amin")
        grads = lib.autograd.grad((y ** 2).sum(), (x, source))
        got.append([y.detach().numpy(), *(g.numpy() for g in grads)])
    for ours, theirs in zip(*got):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_scatter_with_a_reduce_argument_matches_torch():
    torch = torch_or_skip()
    got = []
    for lib in (lg, torch):
        x = lib.ones(2, 3)
        added = x.scatter(1, lib.tensor([[0, 0], [2, 1]]), lib.tensor([[2.0, 3.0], [4.0, 5.0]]), reduce="add")
        multiplied = x.scatter(0, lib.tensor([[1, 1, 0]]), 3.0, reduce="multiply")
        got.append((added.numpy(), multiplied.numpy()))
    for ours, theirs in zip(*got):
        np.testing.assert_array_equal(ours, theirs)


def test_scatter_reduce_errors_match_torch():
    torch = torch_or_skip()
    cases = [lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0]), m.ones(1), "add"),
             lambda m: m.zeros(3).scatter(0, m.tensor([0]), m.ones(1), reduce="max"),
             lambda m: m.zeros(3, 2).index_reduce(0, m.tensor([0]), m.ones(1, 2), "sum"),
             lambda m: m.zeros(3, 2).index_reduce(0, m.tensor([0, 1]), m.ones(1, 2), "prod"),
             lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0]), m.ones(1, dtype=m.float64), "sum"),
             lambda m: m.zeros(3, requires_grad=True).scatter(0, m.tensor([0]), m.ones(1), reduce="add").sum()
             .backward()]
    for case in cases:
        with pytest.raises(Exception) as want:
            case(torch)
        with pytest.raises(type(want.value), match=re.escape(str(want.value))):
            case(lg)


def test_bincount_matches_torch(backend):
    torch = torch_or_skip()
    values = np.array([1, 1, 3, 0, 7, 1])
    cases = [lambda m: m.bincount(m.tensor(values)), lambda m: m.tensor(values).bincount(minlength=10),
             lambda m: m.bincount(m.tensor(values), weights=m.tensor(values * 0.5, dtype=m.float32)),
             lambda m: m.bincount(m.tensor(values, dtype=m.int32), weights=m.tensor(values)),
             lambda m: m.bincount(m.tensor([], dtype=m.int64), minlength=2)]
    for case in cases:
        ours, theirs = case(lg), case(torch)
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    errors = [lambda m: m.bincount(m.tensor([-1])), lambda m: m.bincount(m.tensor([[1]])),
              lambda m: m.bincount(m.tensor([1.0])), lambda m: m.bincount(m.tensor([1]), weights=m.ones(2)),
              lambda m: m.bincount(m.tensor([1]), minlength=-1),
              lambda m: m.bincount(m.tensor([1]), weights=m.ones(1, requires_grad=True)).sum().backward()]
    for case in errors:
        with pytest.raises(Exception) as want:
            case(torch)
        with pytest.raises(type(want.value), match=re.escape(str(want.value))):
            case(lg)


def test_index_copy_put_masked_scatter_and_take_along_dim_match_torch_with_gradients():
    torch = torch_or_skip()
    rng = np.random.default_rng(16)
    x_np, source_np, taken_np = rng.standard_normal((4, 3)), rng.standard_normal((4, 2)), rng.standard_normal(3)
    got = []
    for lib in (lg, torch):
        x, source = lib.tensor(x_np, requires_grad=True), lib.tensor(source_np, requires_grad=True)
        values = lib.tensor(taken_np, requires_grad=True)
        copied = x.index_copy(1, lib.tensor([2, 0]), source)
        put = x.put(lib.tensor([11, -1, 0]), values)
        added = x.put(lib.tensor([5, 5, 0]), values * 2, accumulate=True)
        along = lib.take_along_dim(x, lib.tensor([[2], [0], [1], [1]]), 1) + lib.take_along_dim(x, lib.tensor([7, 0]))
        # (fewer indices along dim than input has there, broadcast over the rows)
        picked = lib.take_along_dim(x, lib.tensor([[2, 0]]), 1)
        masked = x.masked_scatter(lib.tensor([True, False, True]), source.t() * 3)
        outs = [copied, put, added, masked, along, picked]
        loss = sum((o * lib.arange(o.numel(), dtype=lib.float64).reshape(o.shape)).sum() for o in outs)
        grads = lib.autograd.grad(loss, (x, source, values))
        got.append([o.detach().numpy() for o in outs] + [g.numpy() for g in grads]
                   + [type(o.grad_fn).__name__ for o in outs[:4]])
    for ours, theirs in zip(*got):
        if isinstance(ours, str):
            assert ours == theirs
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_index_copy_put_and_take_along_dim_errors_match_torch():
    torch = torch_or_skip()
    cases = [lambda m: m.zeros(3).index_copy(0, m.tensor([5]), m.ones(1)),
             lambda m: m.zeros(3).index_copy(0, m.tensor([0, 1]), m.ones(1)),
             lambda m: m.zeros(3).index_copy(0, m.tensor([0]), m.ones(1, dtype=m.float64)),
             lambda m: m.zeros(3).index_copy(0, m.tensor([0.0]), m.ones(1)),
             lambda m: m.zeros(3).put(m.tensor([3]), m.ones(1)),
             lambda m: m.zeros(3).put(m.tensor([0, 1]), m.ones(1)),
             lambda m: m.zeros(3).put(m.tensor([0]), m.ones(1, dtype=m.float64)),
             lambda m: m.zeros(3).put(m.tensor([0.0]), m.ones(1)),
             lambda m: m.take_along_dim(m.zeros(3, 2), m.tensor([[1]]), 2),
             lambda m: m.take_along_dim(m.zeros(3, 2), m.tensor([1]), 1),
             lambda m: m.take_along_dim(m.zeros(3, 4), m.tensor([[0, 1], [1, 0]]), 1),
             lambda m: m.zeros(3).masked_scatter(m.tensor([True, True, True]), m.ones(2)),
             lambda m: m.zeros(3).masked_scatter(m.tensor([1, 0, 1]), m.ones(3)),
             lambda m: m.zeros(3).masked_scatter(m.tensor([True, False, True]), m.ones(3, dtype=m.float64))]
    for case in cases:
        with pytest.raises(Exception) as want:
            case(torch)
        with pytest.raises(type(want.value), match=re.escape(str(want.value))):
            case(lg)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_a_scatter_into_rows_splits_its_columns_among_threads(threads):
    """index_add along dim 0: each row's place is clamped once and its columns run in vector lanes; wide rows
    are split among threads by columns (their places never meet), so the sums are those of the serial order
    to the bit; along dim 1 the index picks the column: no split, no lanes."""
    rng = np.random.default_rng(7)
    src_np = rng.standard_normal((300, 2100)).astype(np.float32)
    idx_np = rng.integers(0, 50, 300)
    before = lg.get_num_threads()
    lg.set_num_threads(threads)
    try:
        src, idx = lg.tensor(src_np).realize(), lg.tensor(idx_np).realize()
        rows = lg.zeros(50, 2100).index_add(0, idx, src * 2)
        narrow = lg.zeros(50, 40).index_add(0, idx, src[:, :40] * 2)
        cols = lg.zeros(2100, 50).index_add(1, idx, src.t() * 2)
        row_source, narrow_source, col_source = (lg.schedule(t)[-1].source for t in (rows, narrow, cols))
        assert "each thread takes a range of j1" in row_source and "each thread takes" not in col_source
        assert "each thread takes" not in narrow_source and "#pragma omp simd" in narrow_source
        assert "lg_clamp_index" not in row_source + narrow_source and "lg_clamp_index" in col_source
        want = np.zeros((50, 2100), np.float32)
        np.add.at(want, idx_np, src_np * 2)
        np.testing.assert_array_equal(rows.numpy(), want)
        np.testing.assert_array_equal(narrow.numpy(), want[:, :40])
        np.testing.assert_array_equal(cols.numpy(), want.T)
    finally:
        lg.set_num_threads(before)
