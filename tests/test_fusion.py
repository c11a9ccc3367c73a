"""Every fusion rule has a kernel count; the fused results are checked against numpy as well."""
from __future__ import annotations

import numpy as np

import lazygrad as lg


def _kernels(*tensors) -> int:
    return len(lg.schedule(*tensors))


def test_ten_op_elementwise_chain_is_one_kernel():
    x = lg.rand(33, 17).realize()
    y = x
    for k in range(5):
        y = (y * 1.01 + 0.5).tanh()
    assert _kernels(y) == 1
    ref = x.numpy().astype(np.float64)
    for k in range(5):
        ref = np.tanh(ref * np.float32(1.01) + 0.5)
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-5)


def test_elementwise_into_reduction_is_one_kernel():
    x = lg.rand(8, 100).realize()
    y = (x * 2 + 1).sum(1)
    assert _kernels(y) == 1
    np.testing.assert_allclose(y.numpy(), (x.numpy() * 2 + 1).sum(1), rtol=1e-5)


def test_epilogue_on_reduction_result_fuses():
    x = lg.rand(8, 100).realize()
    y = x.sum(1).sqrt() * 3  # the reshape dropping the reduced dim does not cut the kernel
    assert _kernels(y) == 1
    np.testing.assert_allclose(y.numpy(), np.sqrt(x.numpy().sum(1)) * 3, rtol=1e-5)


def test_mean_and_norm_are_one_kernel():
    x = lg.rand(6, 50).realize()
    assert _kernels(x.mean()) == 1
    assert _kernels(x.norm()) == 1


def test_row_softmax_is_at_most_three_kernels():
    x = lg.randn(16, 300).realize()
    e = (x - x.amax(1, keepdim=True)).exp()
    s = e / e.sum(1, keepdim=True)
    assert _kernels(s) <= 3
    xn = x.numpy().astype(np.float64)
    en = np.exp(xn - xn.max(1, keepdims=True))
    np.testing.assert_allclose(s.numpy(), en / en.sum(1, keepdims=True), rtol=1e-5, atol=1e-7)


def test_view_chain_before_elementwise_adds_no_kernel():
    x = lg.rand(4, 6, 5).realize()
    v = x.permute(2, 0, 1)[1:4, ::2].unsqueeze(0).expand(3, 3, 2, 6)
    y = v * 2 + 1
    assert _kernels(y) == 1
    ref = np.broadcast_to(x.numpy().transpose(2, 0, 1)[1:4, ::2][None], (3, 3, 2, 6)) * 2 + 1
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-6)


def test_flip_pad_cat_fuse_into_one_kernel():
    a, b = lg.rand(3, 4).realize(), lg.rand(2, 4).realize()
    y = lg.cat([a.flip(0), b * 2], 0) + 1
    assert _kernels(y) == 1
    ref = np.concatenate([a.numpy()[::-1], b.numpy() * 2], 0) + 1
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-6)


def test_shared_expensive_value_is_computed_once():
    x = lg.rand(50, 60).realize()
    e = (x * 3).exp().tanh()
    a, b = e.sum(0), e.sum(1)  # two reductions over different axes need two kernels; e is stored
    sched = lg.schedule(a, b)
    assert len(sched) == 3
    lg.realize(a, b)
    en = np.tanh(np.exp(x.numpy().astype(np.float64) * 3))
    np.testing.assert_allclose(a.numpy(), en.sum(0), rtol=1e-5)
    np.testing.assert_allclose(b.numpy(), en.sum(1), rtol=1e-5)


def test_cheap_shared_value_is_recomputed():
    x = lg.rand(50, 60).realize()
    c = x * 2
    assert len(lg.schedule(c.sum(0), c.sum(1))) == 2


def test_kernels_are_cached_by_structure():
    lg.reset_stats()
    for _ in range(3):
        x = lg.rand(20, 30).realize()
        (x * 2 + 1).exp().sum(1).realize()
    s = lg.stats()
    assert s.kernels_run == 6
    assert s.kernels_compiled <= 2  # only the first iteration may compile
    assert s.memory_cache_hits >= 4


def test_schedule_reports_source_and_ops():
    x = lg.rand(10).realize()
    (k,) = lg.schedule((x * 2).exp())
    assert k.device == "cpu"
    assert "lg_expf" in k.source and "void " + k.name in k.source
    assert k.ops == ["mul", "exp"]


def test_reduction_of_a_reduction_is_two_kernels():
    x = lg.rand(30, 40).realize()
    y = x.sum(1).exp().sum(0)
    assert _kernels(y) == 2
    np.testing.assert_allclose(y.numpy(), np.exp(x.numpy().astype(np.float64).sum(1)).sum(), rtol=1e-5)


def test_a_reduction_stored_below_lets_the_work_above_fuse():
    """softmax's sum over a product's rows: the product is stored (its max and its sum both read it),
    after which exp(h - max) has no reduction left inside it and fuses into the sum."""
    x, w = lg.rand(64, 10).realize(), lg.rand(10, 10).realize()
    h = x @ w
    y = (h - h.amax(1, keepdim=True)).exp().sum(1)
    assert _kernels(y) == 3
    h64 = x.numpy().astype(np.float64) @ w.numpy().astype(np.float64)
    np.testing.assert_allclose(y.numpy(), np.exp(h64 - h64.max(1, keepdims=True)).sum(1), rtol=1e-5)


def test_reductions_of_different_loop_shapes_get_their_own_kernels():
    a, b = lg.rand(10, 20).realize(), lg.rand(10, 7).realize()
    y = a.sum(1) + b.amax(1)
    assert _kernels(y) == 2
    np.testing.assert_allclose(y.numpy(), a.numpy().sum(1) + b.numpy().max(1), rtol=1e-5)


def test_two_reductions_of_one_loop_shape_share_a_kernel():
    x = lg.rand(10, 20).realize()
    y = x.sum(1) + (x * x).sum(1)
    assert _kernels(y) == 1
    np.testing.assert_allclose(y.numpy(), x.numpy().sum(1) + (x.numpy() ** 2).sum(1), rtol=1e-5)


def test_scan_fuses_its_elementwise_input():
    x = lg.rand(6, 50).realize()
    y = (x * 2).exp().cumsum(1)
    assert _kernels(y) == 1
    np.testing.assert_allclose(y.numpy(), np.cumsum(np.exp(x.numpy() * 2), 1), rtol=1e-5)


def test_expensive_value_read_through_an_expanding_view_is_stored():
    x, y = lg.rand(400).realize(), lg.rand(500).realize()
    z = x.exp()[:, None] * y[None, :]
    assert _kernels(z) == 2  # exp runs 400 times, not 200000
    np.testing.assert_allclose(z.numpy(), np.exp(x.numpy())[:, None] * y.numpy()[None, :], rtol=1e-6)


def test_expanding_a_small_expensive_value_recomputes_it():
    """exp over a 40x50 broadcast costs less than a kernel launch: it stays in the one kernel."""
    x, y = lg.rand(40).realize(), lg.rand(50).realize()
    z = x.exp()[:, None] * y[None, :]
    assert _kernels(z) == 1
    np.testing.assert_allclose(z.numpy(), np.exp(x.numpy())[:, None] * y.numpy()[None, :], rtol=1e-6)


def test_targets_of_one_shape_share_a_kernel(backend):
    x = lg.rand(40, 30).realize()
    a, b = (x * 2).exp(), (x * 2).exp() + x
    assert _kernels(a, b) == 1
    lg.realize(a, b)
    e = np.exp(x.numpy().astype(np.float64) * 2)
    np.testing.assert_allclose(a.numpy(), e, rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), e + x.numpy(), rtol=1e-6)


def test_outputs_shaped_like_a_reduction_input_are_stored_from_its_loop(backend):
    x = lg.rand(50, 60).realize()
    t = (x * 3).tanh()
    rows, full, same = t.sum(1), t.amax(), t * x
    sched = lg.schedule(rows, same)
    assert len(sched) == 1 and sched[0].kind == "reduce"
    assert _kernels(full, same) == 1
    lg.realize(rows, full, same)
    tn = np.tanh(x.numpy().astype(np.float64) * 3)
    np.testing.assert_allclose(rows.numpy(), tn.sum(1), rtol=1e-5)
    np.testing.assert_allclose(full.numpy(), tn.max(), rtol=1e-6)
    np.testing.assert_allclose(same.numpy(), tn * x.numpy(), rtol=1e-5)


def test_dependent_targets_are_not_merged(backend):
    x = lg.rand(20, 30).realize()
    m = x.sum(1, keepdim=True)
    y = x / m  # needs m: its own kernel after m's
    assert _kernels(m, y) == 2
    lg.realize(y, m)
    np.testing.assert_allclose(y.numpy(), x.numpy() / x.numpy().sum(1, keepdims=True), rtol=1e-6)


def test_reductions_over_one_loop_share_a_kernel_as_mean_and_variance_do(backend):
    x = lg.randn(8, 500).realize()
    s1, s2 = x.sum(1), (x * x).sum(1)
    assert _kernels(s1, s2) == 1
    lg.realize(s1, s2)
    np.testing.assert_allclose(s1.numpy(), x.numpy().sum(1), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(s2.numpy(), (x.numpy() ** 2).sum(1), rtol=1e-5)


def test_a_chain_built_in_a_loop_is_cut_into_kernels_of_bounded_depth(backend):
    """An exponential moving average over 600 steps is one expression 1200 ops deep: rule 7 stores it every
    MAX_FUSED_DEPTH ops, so lowering (and the interpreter) walk bounded depths, and values are numpy's."""
    from lazygrad.schedule import MAX_FUSED_DEPTH
    rng = np.random.default_rng(3)
    steps = [rng.standard_normal(5).astype(np.float32) for _ in range(600)]
    ema, want = lg.zeros(5), np.zeros(5, np.float32)
    for x in steps:
        ema = ema * 0.9 + lg.tensor(x) * 0.1
        want = want * np.float32(0.9) + x * np.float32(0.1)
    kernels = lg.schedule(ema)
    assert len(kernels) >= 2 * 600 // MAX_FUSED_DEPTH  # (two ops a step on the longest path)
    np.testing.assert_allclose(ema.numpy(), want, rtol=1e-5, atol=1e-6)


def test_targets_grouped_on_a_reduction_that_moves_out_are_split(backend):
    """y = s / 2 and z = expand(s * 3) share the loops of s's reduction only while s is in their kernel: once
    s is stored by a kernel of its own, y runs over s's shape and z over the input's, in two kernels."""
    a = np.arange(6.0).reshape(2, 3)
    x = lg.tensor(a)
    s = x.sum(1)
    y, z = s / 2, (s * 3).unsqueeze(1).expand(2, 3) + 0
    lg.realize(y, z)
    np.testing.assert_array_equal(y.numpy(), a.sum(1) / 2)
    np.testing.assert_array_equal(z.numpy(), np.repeat((a.sum(1) * 3)[:, None], 3, 1))


def test_a_target_read_through_another_kernel_gets_a_kernel_of_its_own(backend):
    """e = exp(x) and e / sum(e) grouped in one kernel would need sum(e), computed by a kernel reading e,
    both before and after theirs: they are split, and each kernel runs once its inputs exist."""
    a = np.arange(6.0).reshape(2, 3) / 6
    x = lg.tensor(a)
    e = x.exp()
    ratio, scaled = e / e.sum(1, keepdim=True), e * e.sum()
    lg.realize(ratio, e, scaled)
    np.testing.assert_allclose(ratio.numpy(), np.exp(a) / np.exp(a).sum(1, keepdims=True))
    np.testing.assert_allclose(scaled.numpy(), np.exp(a) * np.exp(a).sum())
    np.testing.assert_allclose(e.numpy(), np.exp(a))


def test_a_padded_view_reads_its_source_without_divisions():
    """Inside the padding's bounds the row and column cannot wrap, so the source's index is affine
    (without that knowledge it divides and takes remainders by 4, 16 and 48 for every element)."""
    x = lg.randn(4, 48).realize()
    y = lg.nn.functional.pad(x.reshape(4, 3, 4, 4) * 2, (1, 1, 1, 1))
    (kernel,) = lg.schedule(y)
    load = next(line for line in kernel.source.splitlines() if "in0[" in line)
    assert "/" not in load and "%" not in load, load
    np.testing.assert_array_equal(y.numpy(), np.pad(x.numpy().reshape(4, 3, 4, 4) * 2, ((0, 0), (0, 0), (1, 1), (1, 1))))


def test_a_column_reduction_keeps_as_many_accumulators_as_the_row_is_wide():
    """Sums over the outer axis of (4096, 18): 18 accumulators per row tile, not a fixed 2048 initialized
    and combined for every 18 outputs."""
    x = lg.randn(4096, 18).realize()
    y = x.sum(0)
    (kernel,) = lg.schedule(y)
    assert "_lanes[18]" in kernel.source and "_lanes[2048]" not in kernel.source
    np.testing.assert_allclose(y.numpy(), x.numpy().astype(np.float64).sum(0), rtol=1e-4, atol=1e-3)


def test_a_short_reduction_runs_along_its_outputs():
    """A 2x2 max pool reduces 4 values per output: its accumulators run along the 64 outputs of a channel
    (vector lanes), not one scalar per window; values and NaN as torch gives them."""
    x_np = np.random.default_rng(0).standard_normal((2, 3, 8, 32)).astype(np.float32)
    x_np[0, 1, 2, 5] = np.nan
    x = lg.tensor(x_np).realize()
    y = lg.nn.functional.max_pool2d(x, 2)
    (kernel,) = [k for k in lg.schedule(y) if k.name.startswith("r_max")]
    assert "_lanes[64]" in kernel.source and "_lanes[1]" not in kernel.source
    windows = x_np.reshape(2, 3, 4, 2, 16, 2)
    expected = np.where(np.isnan(windows).any((3, 5)), np.nan, np.nanmax(windows, (3, 5)))
    np.testing.assert_array_equal(y.numpy(), expected)


def test_a_copy_is_stored_by_a_kernel_of_its_own_and_read_from_memory(backend):
    """graph.barrier (a COPY node) is always materialized: its consumers load it; both back ends agree."""
    from lazygrad import graph
    x = lg.rand(30, 40).realize()
    kept = lg.Tensor._from_node(graph.barrier((x * 2 + 1).lazy), "cpu")
    y = kept.t() * 3
    kernels = lg.schedule(y)
    assert len(kernels) == 2 and kernels[0].name.startswith("e_copy")
    np.testing.assert_allclose(y.numpy(), (x.numpy() * 2 + 1).T * 3, rtol=1e-6)


def test_a_linear_layers_weight_gradient_comes_out_in_the_weights_layout():
    """F.linear multiplies by W.t(): W's gradient is the product taken the other way round, stored in
    W's own order (torch's mm_mat2_backward does the same), so no transposing copy follows it."""
    x = lg.randn(64, 30).realize()
    w = lg.randn(20, 30).requires_grad_()
    lg.nn.functional.linear(x, w).relu().sum().backward()
    kernels = lg.schedule(w.grad)
    assert not any(k.name.startswith("e_copy") for k in kernels), [k.name for k in kernels]
    h = x.numpy() @ w.detach().numpy().T
    np.testing.assert_allclose(w.grad.numpy(), (h > 0).astype(np.float32).T @ x.numpy(), rtol=1e-5, atol=1e-5)


def test_groups_that_would_wait_on_each_other_are_split(backend):
    """t1 and t3 (scalars) could share a kernel, and t2 and r (over the same 4x2 loop) another; but t2 reads
    t1 and t3 reads r, so the two kernels would each wait for the other: the grouping gives way (the
    kernel reading t1 ran before t1 existed, and the realization crashed)."""
    values = np.arange(8.0).reshape(4, 2)
    x = lg.tensor(values).realize()
    s = x.sum()
    t1 = s * 3
    t2 = t1.expand(4, 2) + 1
    r = (x * x).sum()
    t3 = r * 2 + s * 5
    lg.realize(t1, t2, r, t3)
    total, squares = values.sum(), (values * values).sum()
    assert (t1.item(), t2.tolist(), r.item(), t3.item()) == (
        total * 3, np.full((4, 2), total * 3 + 1).tolist(), squares, squares * 2 + total * 5)


def test_a_group_with_a_reduction_keeps_its_loops(backend):
    """c (a max over v's 4 elements) and d = x.sum() + c share a kernel; x.sum() reduces over 3x4 loops the
    kernel does not walk, so it goes to a kernel of its own (rule 6 reads the group's reduction first: the
    fused source indexed a loop variable it never declared, and the C compiler refused it)."""
    xv, vv = np.arange(12.0).reshape(3, 4) / 7, np.array([0.5, -1.0, 2.0, 0.25])
    x, v = lg.tensor(xv).realize(), lg.tensor(vv).realize()
    squares = x * x
    b = squares.sum().expand(4) + v
    c = v.amax(0, keepdim=True)
    d = x.sum().reshape(1) + c
    lg.realize(squares, b, c, d)
    np.testing.assert_allclose(b.numpy(), (xv * xv).sum() + vv)
    assert c.tolist() == [2.0] and np.isclose(d.item(), xv.sum() + 2.0)
