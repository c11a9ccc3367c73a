"""In-place writes stay lazy, update the existing buffer when realized, and keep update loops bounded."""
import gc
import tracemalloc

import numpy as np
import pytest

import lazygrad as lg
from lazygrad import inplace


def test_writes_run_no_kernel_until_read(backend):
    x = lg.zeros(4, 4)
    x.realize()
    lg.reset_stats()
    x += 1
    x[1:3, ::2] *= 5
    x.t()[0].fill_(-1)
    x.diagonal().zero_()
    assert lg.stats().kernels_run == 0
    want = np.ones((4, 4), np.float32)
    want[1:3, ::2] *= 5
    want.T[0] = -1
    np.fill_diagonal(want, 0)
    np.testing.assert_array_equal(x.numpy(), want)


def test_partial_write_keeps_the_buffer(backend):
    x = lg.arange(12.0).reshape(3, 4)
    before = x.data_ptr()
    x[1:, ::2] += 100
    x.t()[0] = -1
    x.realize()
    assert x.data_ptr() == before
    assert x.tolist() == [[-1, 1, 2, 3], [-1, 5, 106, 7], [-1, 9, 110, 11]]


def test_lazy_reader_keeps_the_old_values(backend):
    """A value computed from x before x was written still sees the old x, realized in any order: it is
    computed from the old contents first, and the update then goes into x's own buffer."""
    x = lg.arange(4.0)
    before = x.data_ptr()
    y = x * 2
    x += 10
    assert x.tolist() == [10, 11, 12, 13]
    assert y._storage.is_realized and x.data_ptr() == before
    assert y.tolist() == [0, 2, 4, 6]


def test_reader_realized_first_lets_the_update_stay_in_place(backend):
    x = lg.arange(4.0)
    before = x.data_ptr()
    y = x * 2
    y.realize()
    x += 10
    x.realize()
    assert x.data_ptr() == before and y.tolist() == [0, 2, 4, 6]


@pytest.mark.parametrize("copy", [lambda x: x.clone(), lambda x: x.detach().clone(), lambda x: x.contiguous() * 1])
@pytest.mark.parametrize("original_first", [True, False])
def test_a_copy_of_a_computed_tensor_keeps_its_values_when_the_tensor_is_written(backend, copy, original_first):
    """A clone of a computed tensor is a lazy value holding the tensor's buffer itself: the write that follows
    must not reach it, whichever of the two is read first."""
    x = lg.arange(4.0).realize()
    c = copy(x)
    x.mul_(3)
    x += 1
    if original_first:
        x.realize()
    assert c.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert x.tolist() == [1.0, 4.0, 7.0, 10.0]


def test_shifted_reads_are_not_done_in_place(backend):
    """An update reading its own storage at other positions must not overwrite values it still needs."""
    x = lg.arange(6.0)
    x.realize()
    x.copy_(x.flip(0) + x)
    assert x.tolist() == [5.0] * 6
    y = lg.arange(6.0)
    y.realize()
    y[:] = y.roll(1, 0) if hasattr(y, "roll") else y.flip(0)
    assert y.tolist() == (np.roll(np.arange(6.0), 1) if hasattr(y, "roll") else np.arange(6.0)[::-1]).tolist()


@pytest.mark.parametrize("update", ["x += 1", "p -= lr * g"])
def test_update_loop_is_bounded(backend, update):
    """10,000 updates: a constant number of compiled kernels, bounded memory, one buffer throughout."""
    x = lg.zeros(1000)
    p, g, lr = x, lg.ones(1000), 0.5
    x.realize()
    g.realize()
    ptr, buf = x.data_ptr(), x._storage.buffer
    lg.reset_stats()

    def step():
        if update == "x += 1":
            x.add_(1)
        else:
            p.sub_(lr * g)
    for _ in range(200):  # warm up: caches and pools reach their steady size
        step()
    gc.collect()
    tracemalloc.start()
    for _ in range(10_000):
        step()
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert held < 1_000_000  # what 10,000 updates leave allocated: no growth with their number
    assert lg.stats().kernels_compiled <= 2
    assert x.data_ptr() == ptr and x._storage.buffer is buf  # the very same buffer, not a recycled one
    expected = 10_200.0 if update == "x += 1" else -5_100.0
    assert x.tolist() == [expected] * 1000


def test_chain_limit_realizes_a_long_write_chain(backend):
    x = lg.zeros(8)
    x.realize()
    lg.reset_stats()
    buf = x._storage.buffer
    for _ in range(inplace.INPLACE_CHAIN_LIMIT):
        x += 1
    assert lg.stats().kernels_run == 0
    x += 1  # the chain is realized before this write, into the same buffer
    assert lg.stats().kernels_run == 1 and x._storage._own is buf
    assert x.tolist() == [float(inplace.INPLACE_CHAIN_LIMIT + 1)] * 8


def test_numpy_shared_write_goes_through_at_once(backend):
    a = np.zeros(6, np.float32)
    t = lg.from_numpy(a)
    y = t * 2  # lazy, reads the old content
    t[1:4] += 5
    assert a.tolist() == [0, 5, 5, 5, 0, 0]  # NumPy sees the write before anything else is called
    assert y.tolist() == [0.0] * 6  # the lazy reader was computed before the memory changed
    assert np.shares_memory(a, t.numpy())


def test_numpy_write_is_seen_by_views(backend):
    t = lg.arange(6.0).reshape(2, 3)
    a = t.numpy()
    col = t[:, 1]
    a[:, 1] = [-1, -2]
    assert col.tolist() == [-1.0, -2.0]
    col += 10
    assert a[:, 1].tolist() == [9.0, 8.0]


def _numpy_reads_cases(lg):
    return {"clone": lambda t: t.clone(), "product": lambda t: t * 2, "sum": lambda t: t.sum(),
            "gather": lambda t: t[lg.tensor([2, 0])], "copy_": lambda t: lg.zeros(3, dtype=t.dtype).copy_(t),
            "matmul": lambda t: t @ lg.ones(3, dtype=t.dtype), "cast": lambda t: t.float()}


@pytest.mark.parametrize("name", list(_numpy_reads_cases(lg)))
def test_values_read_from_numpy_memory_are_read_at_the_op(backend, name):
    """NumPy may write memory it shares at any moment, unseen: as torch, a value is computed from what the memory
    held at the op (a view still sees the memory itself)."""
    torch = pytest.importorskip("torch")
    got, want = [], []
    for m, out in ((lg, got), (torch, want)):
        a = np.array([1.0, 2.0, 3.0])
        t = m.from_numpy(a)
        value, view = _numpy_reads_cases(m)[name](t), t[1:]
        a[:] = [7.0, 8.0, 9.0]
        out.append((np.asarray(value.tolist()), view.tolist()))
    np.testing.assert_array_equal(got[0][0], want[0][0])
    assert got[0][1] == want[0][1] == [8.0, 9.0]


def test_small_numpy_inputs_are_copied_and_fuse_large_ones_are_read_at_once():
    """An op copies a small NumPy-shared tensor's values as it takes them (its readers stay lazy and fuse); what
    reads a large one is computed at once (no copy of the whole array)."""
    from lazygrad import numpy_reads
    small = np.arange(6.0, dtype=np.float32)
    large = np.ones(numpy_reads.SNAPSHOT_LIMIT + 1, np.float32)
    s, big = lg.from_numpy(small), lg.from_numpy(large)
    runs = lg.stats().kernels_run
    y = (s * 2 + 1).exp()
    assert lg.stats().kernels_run == runs
    total = big.sum()
    assert lg.stats().kernels_run == runs + 1 and total._storage.is_realized
    small[:] = 0
    large[:] = 2
    np.testing.assert_allclose(y.numpy(), np.exp(np.arange(6.0) * 2 + 1), rtol=1e-6)
    assert lg.stats().kernels_run == runs + 2 and total.item() == numpy_reads.SNAPSHOT_LIMIT + 1
    assert (s + 1).tolist() == [1.0] * 6 and big[:2].tolist() == [2.0, 2.0]


def test_a_running_sum_of_a_reused_numpy_buffer_adds_each_content():
    buf = np.zeros(3)
    t, total = lg.from_numpy(buf), lg.zeros(())
    for i in range(1, 4):
        buf[:] = i
        total += t.sum()
    assert total.item() == 18.0


def test_lazy_values_read_memory_as_it_was_when_numpy_gets_it():
    """numpy() hands the memory to NumPy: values made from it before (a clone of it, a product, one reading it
    through a long chain) are computed first."""
    x = lg.arange(3.0).realize()
    c, y, bad = x.clone(), x * 2, x[lg.tensor([1]) * 9]  # (a reader that cannot be computed stays as it was)
    deep = x
    for _ in range(3000):
        deep = deep + 1
    a = x.numpy()
    a[:] = -1
    assert c.tolist() == [0.0, 1.0, 2.0] and y.tolist() == [0.0, 2.0, 4.0]
    assert deep.tolist() == [3000.0, 3001.0, 3002.0]
    with pytest.raises(IndexError, match="index 9 is out of bounds"):
        bad.tolist()
    after = x + 0
    a[:] = 5
    assert after.tolist() == [-1.0, -1.0, -1.0]


def test_an_expression_equal_to_one_whose_memory_numpy_holds_is_computed_anew():
    """Equal expressions share a graph node, which keeps the buffer it was computed into: once NumPy holds that
    buffer (and may write it), the node no longer stands for it."""
    t, mask, zeros = lg.arange(6.0) * 3, lg.arange(4) < 2, lg.zeros(3)  # (kept: their nodes stay alive)
    a = t.numpy()
    a[:] = -1
    assert (lg.arange(6.0) * 3).tolist() == [0.0, 3.0, 6.0, 9.0, 12.0, 15.0]
    assert (lg.arange(6.0) * 3 + 1).tolist() == [1.0, 4.0, 7.0, 10.0, 13.0, 16.0]
    m = mask.numpy()
    m[:] = False
    assert (lg.arange(4) < 2).tolist() == [True, True, False, False]
    z = zeros.numpy()
    z[0] = 1
    assert lg.zeros(3).tolist() == [0.0, 0.0, 0.0] and a.tolist() == [-1.0] * 6


@pytest.mark.parametrize("address", [lambda t: t.data_ptr(), lambda t: t.untyped_storage().data_ptr()])
def test_an_expression_equal_to_one_written_through_its_address_is_computed_anew(address):
    import ctypes
    t = lg.arange(4.0) * 9
    ctypes.c_float.from_address(address(t)).value = 42.0
    assert t.tolist() == [42.0, 9.0, 18.0, 27.0]
    assert (lg.arange(4.0) * 9).tolist() == [0.0, 9.0, 18.0, 27.0]


def test_values_not_reading_numpy_memory_stay_lazy():
    """Only values reading shared memory are computed at once; a deep graph is looked at from its sources up."""
    t = lg.from_numpy(np.ones(3))
    other, z = lg.arange(3.0).realize(), lg.arange(2.0).realize()
    runs = lg.stats().kernels_run
    y = (other * 2).exp() + 1
    deep = lg.arange(3.0)
    for _ in range(3000):
        deep = deep + 1
    z.numpy()  # (memory shared anew: what was looked at is looked at again)
    deep = deep * 2
    assert lg.stats().kernels_run == runs
    np.testing.assert_allclose(y.numpy(), np.exp(np.arange(3.0) * 2) + 1, rtol=1e-6)
    assert deep.tolist() == [6000.0, 6002.0, 6004.0] and t.sum().item() == 3.0


def test_in_place_update_writes_into_the_buffer_kernel_reads(backend):
    """The realized update is computed into the storage's own buffer (no copy, same address)."""
    x = lg.ones(64)
    x.realize()
    ptr = x.data_ptr()
    x.mul_(3).add_(x)  # reads x at its own positions only
    x.realize()
    assert x.data_ptr() == ptr and x.tolist() == [6.0] * 64


READS_AFTER_THE_WRITE = {
    "as_it_is": lambda t: t,
    "slice": lambda t: t[1:],
    "flipped": lambda t: t.flip(0),
    "gathered": lambda t: t[lg.tensor([1, 0])],
    "negated_twice": lambda t: -(-t),
    "reshaped": lambda t: t.reshape(1, 2),
    "written_through_a_view": lambda t: (lambda c: (c[1:].mul_(2), c)[1])(t.clone()),
}


@pytest.mark.parametrize("read", READS_AFTER_THE_WRITE)
def test_a_value_computed_for_a_gradient_is_kept_when_its_input_is_written(backend, read):
    """x = b.sum(0) is computed while realizing a gradient that needs it; b is then realized in place into
    its buffer. x must still be b's sum before the write: a node computed already is read as it is, never
    recomputed from the buffer written since (reading x flipped, gathered... gave sums of the new b)."""
    a = lg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = lg.tensor([[0.5, 0.25], [1.0, 2.0]])
    b.addcmul_(a, a)
    x = b.sum(0)
    b.mul_(x.sum() + lg.ones_like(b))
    (b.sum() + x.sum()).backward()
    a.grad.numpy()  # (computes x's node along the way)
    b.tolist()  # (b's update goes into the buffer x's old inputs lived in)
    x_before = np.array([[0.5, 0.25], [1.0, 2.0]]).sum(0) + np.array([[1.0, 4.0], [9.0, 16.0]]).sum(0)
    expected = READS_AFTER_THE_WRITE[read](lg.tensor(x_before)).tolist()
    assert READS_AFTER_THE_WRITE[read](x).tolist() == expected
