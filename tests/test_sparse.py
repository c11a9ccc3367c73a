"""Sparse COO tensors against torch (the oracle when installed) and numpy: construction, printing, errors,
coalescing, arithmetic, products, shape ops, autograd, sparse embedding gradients and the optimizers that
take them."""
import re

import numpy as np
import pytest

import lazygrad as lg

torch = pytest.importorskip("torch")

I = [[0, 1, 1, 0, 2], [2, 0, 2, 2, 1]]
V = [3.0, 4.0, 5.0, 1.0, -2.0]


def pair(indices=I, values=V, size=(3, 3), **kw):
    """The same sparse tensor in lazygrad and in torch."""
    vals = np.asarray(values, np.float32)
    return (lg.sparse_coo_tensor(lg.tensor(indices), lg.tensor(vals), size, **kw),
            torch.sparse_coo_tensor(torch.tensor(indices), torch.tensor(vals), size, **kw))


def same(ours, theirs, rtol=1e-5, atol=1e-6, flag=True):
    """Equal layout, size, coalesced flag (unless flag is False: torch leaves some results with a sorted
    pattern unflagged) and entries (the dense values for sparse tensors)."""
    assert ours.is_sparse == theirs.is_sparse and ours.is_sparse_csr == theirs.is_sparse_csr
    if theirs.is_sparse_csr:  # (the order of a row's entries may differ: torch's products leave them unsorted)
        np.testing.assert_array_equal(ours.crow_indices().numpy(), theirs.crow_indices().numpy())
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    if theirs.is_sparse_csr:
        ours, theirs = ours.to_dense(), theirs.to_dense()
    if theirs.is_sparse:
        assert ours.is_coalesced() == theirs.is_coalesced() or not flag
        assert ours.sparse_dim() == theirs.sparse_dim()
        if theirs.is_coalesced() and ours.is_coalesced():
            np.testing.assert_array_equal(ours._indices().numpy(), theirs._indices().numpy())
        ours, theirs = ours.to_dense(), theirs.to_dense()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)


def torch_repr(t) -> str:
    return repr(t).replace("torch.", "lazygrad.")


def test_printed_forms_match_torch():
    s, ts = pair()
    assert repr(s) == torch_repr(ts)
    assert repr(s.coalesce()) == torch_repr(ts.coalesce())
    d, td = pair(values=np.arange(10.0).reshape(5, 2), size=(3, 3, 2))
    assert repr(d) == torch_repr(td)
    e, te = pair(indices=np.zeros((2, 0), np.int64), values=np.zeros(0), size=(2, 3))
    assert repr(e) == torch_repr(te)
    r, tr = pair(requires_grad=True)
    assert repr(r) == torch_repr(tr)
    assert repr(r * 2) == torch_repr(tr * 2)
    h = lg.sparse_coo_tensor(lg.tensor(I), lg.tensor(V, dtype=lg.float64), (3, 3))
    th = torch.sparse_coo_tensor(torch.tensor(I), torch.tensor(V, dtype=torch.float64), (3, 3))
    assert repr(h) == torch_repr(th)


def test_attributes():
    s, ts = pair()
    assert s.layout is lg.sparse_coo and s.is_sparse and isinstance(s, lg.Tensor)
    assert (s.sparse_dim(), s.dense_dim(), s._nnz(), s.is_coalesced()) == (2, 0, 5, False)
    assert s.shape == (3, 3) and s.size(1) == 3 and s.dim() == 2 and s.numel() == 9 and len(s) == 3
    assert s.stride() == ts.stride() and s.is_contiguous() == ts.is_contiguous()
    assert not lg.ones(2).is_sparse and lg.ones(2).layout is lg.strided
    c = s.coalesce()
    assert c.is_coalesced() and c.coalesce() is c
    np.testing.assert_array_equal(c.indices().numpy(), ts.coalesce().indices().numpy())
    np.testing.assert_allclose(c.values().numpy(), ts.coalesce().values().numpy())


def test_size_is_inferred_and_values_may_be_lists():
    s = lg.sparse_coo_tensor(I, V)
    ts = torch.sparse_coo_tensor(I, V)
    same(s, ts)
    h = lg.sparse_coo_tensor(I, np.ones((5, 2), np.float32))
    assert h.shape == (3, 3, 2) and h.dense_dim() == 1


@pytest.mark.parametrize("call, error", [
    (lambda m: m.sparse_coo_tensor(m.tensor([0, 1]), m.tensor([1.0, 2.0])), RuntimeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V[:3])), RuntimeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 3, 4)), RuntimeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 2), check_invariants=True), RuntimeError),
    (lambda m: m.sparse_coo_tensor(-m.tensor(I), m.tensor(V), (3, 3), check_invariants=True), RuntimeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 3)).indices(), RuntimeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 3)).values(), RuntimeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 3)) + m.ones(3, 3), RuntimeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 3)).to_dense(dtype=m.float64), RuntimeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 3)).reshape(9), RuntimeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 3)).data_ptr(), RuntimeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 3)).numpy(), TypeError),
    (lambda m: m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 3)) + m.sparse_coo_tensor(
        m.tensor(I), m.tensor(V), (3, 4)), RuntimeError),
    (lambda m: m.mm(m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 3)), m.ones(2, 2)), RuntimeError),
])
def test_errors_match_torch(call, error):
    with pytest.raises(error) as ours:
        call(lg)
    with pytest.raises(error) as theirs:
        call(torch)
    assert str(ours.value) == str(theirs.value).split("\n")[0]


@pytest.mark.parametrize("op", ["exp", "cos", "max", "mean", "view"])
def test_dense_only_ops_refuse_sparse_tensors(op):
    s, ts = pair()
    with pytest.raises(NotImplementedError, match="SparseCPU"):
        getattr(s, op)(9) if op == "view" else getattr(s, op)()
    with pytest.raises(NotImplementedError):
        getattr(ts, op)(9) if op == "view" else getattr(ts, op)()


def test_invariant_checks_context():
    assert not lg.sparse.check_sparse_tensor_invariants.is_enabled()
    with lg.sparse.check_sparse_tensor_invariants():
        assert lg.sparse.check_sparse_tensor_invariants.is_enabled()
        with pytest.raises(RuntimeError, match="size is inconsistent with indices"):
            lg.sparse_coo_tensor(lg.tensor(I), lg.tensor(V), (2, 3))
    assert not lg.sparse.check_sparse_tensor_invariants.is_enabled()


def test_coalesce_to_dense_and_to_sparse():
    s, ts = pair()
    same(s.coalesce(), ts.coalesce())
    same(s.to_dense(), ts.to_dense())
    x = np.array([[0, 1.5, 0], [0, 0, 0], [2, 0, -1]], np.float32)
    same(lg.tensor(x).to_sparse(), torch.tensor(x).to_sparse())
    same(lg.tensor(x).to_sparse(1), torch.tensor(x).to_sparse(1))
    h, th = pair(values=np.arange(10.0).reshape(5, 2), size=(3, 3, 2))
    same(h.coalesce(), th.coalesce())
    same(h.to_dense(), th.to_dense())
    same(lg.ones(3, 3).sparse_mask(s.coalesce()), torch.ones(3, 3).sparse_mask(ts.coalesce()))
    same(s.sparse_mask(s.coalesce()), ts.sparse_mask(ts.coalesce()))  # (a sparse self: its values there)


def test_casts_clone_and_zero():
    s, ts = pair()
    for cast in ("double", "long", "half", "bool"):
        same(getattr(s, cast)(), getattr(ts, cast)())
    same(s.to(lg.float64), ts.to(torch.float64))
    c = s.clone()
    same(c, ts.clone())
    c.zero_()
    assert c._nnz() == 0 and c.to_dense().abs().sum().item() == 0 and s._nnz() == 5


@pytest.mark.parametrize("name", ["add", "sub", "mul_scalar", "div", "neg", "rsub_dense", "dense_add",
                                  "mul_dense", "dense_mul", "mul_sparse", "add_alpha", "add_coalesced"])
def test_arithmetic(name):
    s, ts = pair()
    o, to = pair(indices=[[2, 0, 1], [2, 0, 1]], values=[1.0, 2.0, 3.0])
    dense = np.arange(9.0, dtype=np.float32).reshape(3, 3)
    d, td = lg.tensor(dense), torch.tensor(dense)
    cases = {
        "add": lambda a, b, x, m: a + b, "sub": lambda a, b, x, m: a - b, "mul_scalar": lambda a, b, x, m: a * 2.5,
        "div": lambda a, b, x, m: a / 4, "neg": lambda a, b, x, m: -a, "rsub_dense": lambda a, b, x, m: x - a,
        "dense_add": lambda a, b, x, m: m.add(x, a, alpha=2), "mul_dense": lambda a, b, x, m: a * x,
        "dense_mul": lambda a, b, x, m: x * a, "mul_sparse": lambda a, b, x, m: a * b,
        "add_alpha": lambda a, b, x, m: a.add(b, alpha=-3),
        "add_coalesced": lambda a, b, x, m: a.coalesce() + b.coalesce(),
    }
    same(cases[name](s, o, d, lg), cases[name](ts, to, td, torch), flag=name != "mul_sparse")


@pytest.mark.parametrize("a_idx, b_idx", [
    ([[0, 0, 1]], [[1, 0]]),          # duplicates in a; b unsorted: only the 1s meet
    ([[0, 1]], [[2, 1]]),             # b's 1 comes after its 2: nothing meets
    ([[0, 0, 1]], [[0, 0, 1]]),       # entry by entry
    ([[1, 0, 2], [0, 2, 1]], [[0, 1, 1], [2, 0, 0]]),
])
def test_uncoalesced_sum_keeps_torchs_entries(a_idx, b_idx):
    """Adding uncoalesced tensors walks both entry lists once, as torch does: the stored indices and values
    (not only the dense sum) are torch's."""
    shape = (3,) * len(a_idx)
    a, ta = pair(a_idx, [1.0, 2.0, 3.0][:len(a_idx[0])], shape)
    b, tb = pair(b_idx, [10.0, 20.0, 30.0][:len(b_idx[0])], shape)
    ours, theirs = a.add(b, alpha=2), ta.add(tb, alpha=2)
    assert not ours.is_coalesced() and not theirs.is_coalesced()
    np.testing.assert_array_equal(ours._indices().numpy(), theirs._indices().numpy())
    np.testing.assert_allclose(ours._values().numpy(), theirs._values().numpy())


@pytest.mark.parametrize("op", ["abs", "sqrt", "sin", "tanh", "relu", "neg", "expm1", "log1p", "sign", "square",
                                "floor", "atan", "asinh"])
def test_zero_preserving_unary(op):
    s, ts = pair(values=[0.3, -0.4, 0.5, 0.1, 0.9])
    if op in ("sqrt", "log1p"):
        s, ts = s.abs(), ts.abs()
    same(getattr(s, op)(), getattr(ts, op)())
    same(getattr(lg, op)(s), getattr(torch, op)(ts))


def test_pow_and_norm():
    s, ts = pair()
    same(s.pow(3), ts.pow(3))
    same(s ** 2, ts ** 2)
    np.testing.assert_allclose(s.norm().item(), ts.norm().item(), rtol=1e-6)


@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 1)])
def test_sums(dim):
    s, ts = pair()
    same(lg.sparse.sum(s, dim) if dim is not None else lg.sparse.sum(s),
         torch.sparse.sum(ts, dim) if dim is not None else torch.sparse.sum(ts))
    same(s.sum(dim) if dim is not None else s.sum(), ts.sum(dim) if dim is not None else ts.sum())


def test_sum_over_a_dense_dim():
    h, th = pair(values=np.arange(10.0).reshape(5, 2), size=(3, 3, 2))
    same(lg.sparse.sum(h, 2), torch.sparse.sum(th, 2))
    same(lg.sparse.sum(h, (0, 2)), torch.sparse.sum(th, (0, 2)))


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dim", [0, 1])
def test_softmax_over_present_entries(log, dim):
    s, ts = pair()
    fn = "log_softmax" if log else "softmax"
    same(getattr(lg.sparse, fn)(s, dim), getattr(torch.sparse, fn)(ts, dim))
    r, tr = pair(requires_grad=True)
    w = np.random.default_rng(0).standard_normal((3, 3)).astype(np.float32)
    (getattr(lg.sparse, fn)(r, dim).to_dense() * lg.tensor(w)).sum().backward()
    (getattr(torch.sparse, fn)(tr, dim).to_dense() * torch.tensor(w)).sum().backward()
    same(r.grad, tr.grad, flag=False)


def test_products():
    s, ts = pair()
    rng = np.random.default_rng(1)
    b = rng.standard_normal((3, 4)).astype(np.float32)
    v = rng.standard_normal(3).astype(np.float32)
    same(lg.sparse.mm(s, lg.tensor(b)), torch.sparse.mm(ts, torch.tensor(b)))
    same(lg.mm(s, lg.tensor(b)), torch.mm(ts, torch.tensor(b)))
    same(s @ lg.tensor(v), ts @ torch.tensor(v))
    same(lg.tensor(b.T) @ s, torch.tensor(b.T) @ ts)
    same(lg.tensor(v) @ s, torch.tensor(v) @ ts)
    same(s @ s.t(), ts @ ts.t())
    same(lg.mm(s, s), torch.mm(ts, ts))
    c = rng.standard_normal((3, 4)).astype(np.float32)
    same(lg.sparse.addmm(lg.tensor(c), s, lg.tensor(b), beta=2, alpha=3),
         torch.sparse.addmm(torch.tensor(c), ts, torch.tensor(b), beta=2, alpha=3))
    same(lg.addmm(lg.tensor(c), s, lg.tensor(b)), torch.addmm(torch.tensor(c), ts, torch.tensor(b)))


def test_product_of_a_larger_random_matrix_against_numpy():
    rng = np.random.default_rng(2)
    dense = rng.standard_normal((50, 40)) * (rng.random((50, 40)) < 0.1)
    b = rng.standard_normal((40, 7))
    s = lg.tensor(dense).to_sparse()
    np.testing.assert_allclose((s @ lg.tensor(b)).numpy(), dense @ b, rtol=1e-10)
    np.testing.assert_allclose((s @ s.t()).to_dense().numpy(), dense @ dense.T, rtol=1e-10, atol=1e-12)


def test_gradients_of_products_and_sums():
    rng = np.random.default_rng(3)
    b = rng.standard_normal((3, 2)).astype(np.float32)
    s, ts = pair(requires_grad=True)
    lb, tb = lg.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, tout = lg.sparse.mm(s, lb), torch.sparse.mm(ts, tb)
    assert type(out.grad_fn).__name__ == type(tout.grad_fn).__name__ == "SparseAddmmBackward0"
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    same(s.grad, ts.grad, flag=False)
    same(lb.grad, tb.grad)
    s.grad, ts.grad = None, None
    (s * 3).to_dense().pow(2).sum().backward()
    (ts * 3).to_dense().pow(2).sum().backward()
    same(s.grad, ts.grad, flag=False)
    s.grad = None
    lg.sparse.sum(s.abs().sqrt(), 1).to_dense().sum().backward()  # (torch cannot differentiate sqrt here)
    dense = s.detach().to_dense().numpy()
    expected = np.where(dense != 0, np.sign(dense) / (2 * np.sqrt(np.abs(dense)) + (dense == 0)), 0)
    np.testing.assert_allclose(s.grad.to_dense().numpy(), expected, rtol=1e-6)


def test_gradient_flows_to_the_values_given():
    rng = np.random.default_rng(4)
    v = rng.standard_normal(5).astype(np.float32)
    lv, tv = lg.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    s = lg.sparse_coo_tensor(lg.tensor(I), lv, (3, 3))
    ts = torch.sparse_coo_tensor(torch.tensor(I), tv, (3, 3))
    assert type(s.grad_fn).__name__ == type(ts.grad_fn).__name__
    assert not s.is_leaf
    w = rng.standard_normal((3, 3)).astype(np.float32)
    (s.to_dense() * lg.tensor(w)).sum().backward()
    (ts.to_dense() * torch.tensor(w)).sum().backward()
    same(lv.grad, tv.grad)


def test_second_derivative_through_a_sparse_product():
    s = lg.sparse_coo_tensor(lg.tensor(I), lg.tensor(V), (3, 3))
    x = lg.tensor([0.5, -1.0, 2.0], dtype=lg.float32, requires_grad=True)
    y = ((s @ x) ** 3).sum()
    (g,) = lg.autograd.grad(y, x, create_graph=True)
    g.sum().backward()
    a = s.to_dense().numpy()
    u = a @ x.detach().numpy()
    np.testing.assert_allclose(g.detach().numpy(), a.T @ (3 * u ** 2), rtol=1e-5)
    np.testing.assert_allclose(x.grad.numpy(), a.T @ (6 * u * (a @ np.ones(3))), rtol=1e-5)


@pytest.mark.parametrize("name", ["t", "transpose", "permute", "unsqueeze0", "unsqueeze2", "index_select0",
                                  "index_select1", "getitem", "select1"])
def test_shape_ops(name):
    s, ts = pair()
    cases = {
        "t": lambda a, m: a.t(), "transpose": lambda a, m: m.transpose(a, 1, 0),
        "permute": lambda a, m: a.permute(1, 0), "unsqueeze0": lambda a, m: a.unsqueeze(0),
        "unsqueeze2": lambda a, m: a.unsqueeze(2),
        "index_select0": lambda a, m: a.index_select(0, m.tensor([2, 0, 2])),
        "index_select1": lambda a, m: a.index_select(1, m.tensor([1])), "getitem": lambda a, m: a[1],
        "select1": lambda a, m: a.select(1, 2),
    }
    same(cases[name](s, lg), cases[name](ts, torch))


def test_embedding_sparse_gradient_matches_torch():
    torch.manual_seed(0)
    w = torch.randn(6, 3)
    te = torch.nn.Embedding(6, 3, sparse=True, padding_idx=1)
    le = lg.nn.Embedding(6, 3, sparse=True, padding_idx=1)
    te.weight.data.copy_(w)
    le.weight.data.copy_(lg.tensor(w.numpy()))
    ids = [[0, 1, 0], [3, 4, 3]]
    out, tout = le(lg.tensor(ids)), te(torch.tensor(ids))
    assert type(out.grad_fn).__name__ == "EmbeddingBackward0"
    out.pow(2).sum().backward()
    tout.pow(2).sum().backward()
    same(le.weight.grad, te.weight.grad)
    assert le.weight.grad._nnz() == te.weight.grad._nnz() == 5  # the padding rows are left out
    np.testing.assert_array_equal(le.weight.grad._indices().numpy(), te.weight.grad._indices().numpy())
    le(lg.tensor([[2, 5]])).sum().backward()  # a second backward adds another sparse gradient
    te(torch.tensor([[2, 5]])).sum().backward()
    same(le.weight.grad, te.weight.grad)


def test_sparse_and_dense_gradients_of_one_weight_add_up():
    w = np.random.default_rng(5).standard_normal((4, 2)).astype(np.float32)
    lw, tw = lg.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    for m, weight in ((lg, lw), (torch, tw)):
        rows = m.nn.functional.embedding(m.tensor([1, 3, 1]), weight, sparse=True)
        (rows.sum() + (weight * weight).sum()).backward()
    assert not lw.grad.is_sparse
    same(lw.grad, tw.grad)


@pytest.mark.parametrize("name, kwargs", [("SparseAdam", {}), ("SparseAdam", {"maximize": True}),
                                          ("SGD", {}), ("SGD", {"momentum": 0.9}),
                                          ("SGD", {"momentum": 0.9, "nesterov": True}), ("Adagrad", {})])
def test_optimizers_taking_sparse_gradients(name, kwargs):
    torch.manual_seed(1)
    w = torch.randn(6, 3)
    te, le = torch.nn.Embedding(6, 3, sparse=True), lg.nn.Embedding(6, 3, sparse=True)
    te.weight.data.copy_(w)
    le.weight.data.copy_(lg.tensor(w.numpy()))
    topt = getattr(torch.optim, name)(te.parameters(), lr=0.1, **kwargs)
    lopt = getattr(lg.optim, name)(le.parameters(), lr=0.1, **kwargs)
    for ids in ([[0, 1, 0], [3, 4, 3]], [[2, 5]], [[0, 0, 0]]):
        topt.zero_grad()
        lopt.zero_grad()
        te(torch.tensor(ids)).pow(2).sum().backward()
        le(lg.tensor(ids)).pow(2).sum().backward()
        topt.step()
        lopt.step()
    np.testing.assert_allclose(le.weight.detach().numpy(), te.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_lbfgs_reads_a_sparse_gradient_densely():
    le = lg.nn.Embedding(4, 2, sparse=True)
    start = le.weight.detach().numpy().copy()
    opt = lg.optim.LBFGS(le.parameters(), lr=0.5, max_iter=3)

    def closure():
        opt.zero_grad()
        loss = (le(lg.tensor([0, 2])) - 1).pow(2).sum()
        loss.backward()
        return loss
    opt.step(closure)
    moved = le.weight.detach().numpy()
    np.testing.assert_array_equal(moved[[1, 3]], start[[1, 3]])
    assert np.abs(moved[[0, 2]] - 1).max() < np.abs(start[[0, 2]] - 1).max()


@pytest.mark.parametrize("name, kwargs", [("Adam", {}), ("AdamW", {}), ("RMSprop", {}), ("Adamax", {}),
                                          ("NAdam", {}), ("Adagrad", {"weight_decay": 0.1}),
                                          ("SGD", {"weight_decay": 0.1})])
def test_optimizers_refusing_sparse_gradients(name, kwargs):
    messages = []
    for m in (lg, torch):
        emb = m.nn.Embedding(5, 2, sparse=True)
        before = emb.weight.detach().clone()
        emb(m.tensor([0, 3])).sum().backward()
        with pytest.raises(RuntimeError) as info:
            getattr(m.optim, name)(emb.parameters(), lr=0.1, **kwargs).step()
        messages.append(str(info.value))
        if m is lg:
            np.testing.assert_array_equal(emb.weight.detach().numpy(), before.numpy())
    assert messages[0] == messages[1]


def test_sparse_adam_checks():
    w = lg.zeros(3, 2, requires_grad=True)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0: 1.0"):
        lg.optim.SparseAdam([w], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="Invalid epsilon value: 0"):
        lg.optim.SparseAdam([w], eps=0)
    with pytest.raises(ValueError, match=r"Sparse params at indices \[\[0, 0\]\]"):
        lg.optim.SparseAdam([lg.ones(2, 2).to_sparse().requires_grad_()])
    w.grad = lg.ones(3, 2)
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
        lg.optim.SparseAdam([w]).step()
    assert repr(lg.optim.SparseAdam([w])) == repr(torch.optim.SparseAdam([torch.zeros(3, 2)]))


def test_sparse_embedding_gradient_refuses_frequency_scaling():
    for m in (lg, torch):
        emb = m.nn.Embedding(4, 2, sparse=True, scale_grad_by_freq=True)
        with pytest.raises(RuntimeError, match="scale_grad_by_freq not supported with sparse gradients"):
            emb(m.tensor([0, 0, 1])).sum().backward()



@pytest.mark.parametrize("mode", ["sum", "mean"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_sparse_gradient_matches_torch(mode, padding_idx):
    torch.manual_seed(2)
    w = torch.randn(6, 3)
    tb = torch.nn.EmbeddingBag(6, 3, mode=mode, sparse=True, padding_idx=padding_idx)
    lb = lg.nn.EmbeddingBag(6, 3, mode=mode, sparse=True, padding_idx=padding_idx)
    tb.weight.data.copy_(w)
    lb.weight.data.copy_(lg.tensor(w.numpy()))
    ids, offsets = [0, 2, 3, 3, 5, 2, 1], [0, 3, 5]
    tb(torch.tensor(ids), torch.tensor(offsets)).pow(2).sum().backward()
    lb(lg.tensor(ids), lg.tensor(offsets)).pow(2).sum().backward()
    same(lb.weight.grad, tb.weight.grad)
    np.testing.assert_array_equal(lb.weight.grad._indices().numpy(), tb.weight.grad._indices().numpy())
    with pytest.raises(ValueError, match="max mode does not support sparse weights"):
        lg.nn.EmbeddingBag(6, 3, mode="max", sparse=True)(lg.tensor(ids), lg.tensor(offsets))


def test_save_load_pickle_and_deepcopy(tmp_path):
    import copy
    import pickle
    s, ts = pair()
    lg.save({"s": s, "c": s.coalesce()}, tmp_path / "ours.pt")
    back = lg.load(tmp_path / "ours.pt")
    same(back["s"], ts)
    same(back["c"], ts.coalesce())
    same(torch.load(tmp_path / "ours.pt")["s"], ts)  # torch reads lazygrad's file
    torch.save({"t": ts}, tmp_path / "theirs.pt")
    same(lg.load(tmp_path / "theirs.pt")["t"], ts)  # and lazygrad torch's
    torch.save(ts.to_dense().to_sparse_csr(), tmp_path / "csr.pt")
    same(lg.load(tmp_path / "csr.pt"), ts.to_dense().to_sparse_csr())
    lg.save(s.to_dense().to_sparse_csr(), tmp_path / "ours_csr.pt")
    same(torch.load(tmp_path / "ours_csr.pt"), ts.to_dense().to_sparse_csr())
    torch.save(ts.to_dense().to_sparse_csc(), tmp_path / "csc.pt")
    assert str(lg.load(tmp_path / "csc.pt")) == str(ts.to_dense().to_sparse_csc()).replace("torch", "lazygrad")
    torch.save(ts.to_dense().to_sparse_bsr((1, 1)), tmp_path / "bsr.pt")
    with pytest.raises(pickle.UnpicklingError, match="layout torch.sparse_bsr"):
        lg.load(tmp_path / "bsr.pt")
    r = lg.sparse_coo_tensor(lg.tensor(I), lg.tensor(V), (3, 3), requires_grad=True)
    for copied in (pickle.loads(pickle.dumps(r)), copy.deepcopy(r)):
        assert copied.requires_grad and copied.is_leaf
        same(copied, ts)


@pytest.mark.parametrize("convert", [lambda x: x.to_sparse(), lambda x: x.to_sparse(1), lambda x: x.to_sparse_coo()])
def test_to_sparse_gradient_is_masked_to_the_pattern(convert):
    x = np.array([[0.0, 1.0], [2.0, 0.0]], np.float32)
    w = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    lx, tx = lg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ls, ts = convert(lx), convert(tx)
    assert type(ls.grad_fn).__name__ == type(ts.grad_fn).__name__
    (ls.to_dense() * lg.tensor(w)).sum().backward()
    (ts.to_dense() * torch.tensor(w)).sum().backward()
    same(lx.grad, tx.grad)


@pytest.mark.parametrize("join", [lambda m, a, b: m.cat([a, b]), lambda m, a, b: m.cat([a, b, a], 1),
                                  lambda m, a, b: m.stack([a, b]), lambda m, a, b: m.stack([a, b], 2)])
def test_cat_and_stack(join):
    s, ts = pair()
    o, to = pair(indices=[[2, 0, 1], [2, 0, 1]], values=[1.0, 2.0, 3.0])
    same(join(lg, s, o), join(torch, ts, to))


@pytest.mark.parametrize("call", [
    lambda m, a, b: m.cat([a, m.ones(3, 3)]),
    lambda m, a, b: m.cat([a, m.sparse_coo_tensor(m.tensor(I), m.tensor(V), (3, 4))]),
    lambda m, a, b: m.cat([a, m.sparse_coo_tensor(m.tensor([[0]]), m.ones(1, 3), (3, 3))]),
    lambda m, a, b: m.sparse.spdiags(m.ones(2, 3), m.tensor([0, 0]), (3, 3)),
])
def test_join_errors_match_torch(call):
    s, ts = pair()
    with pytest.raises(RuntimeError) as ours:
        call(lg, s, None)
    with pytest.raises(RuntimeError) as theirs:
        call(torch, ts, None)
    assert str(ours.value) == str(theirs.value).split("\n")[0]


@pytest.mark.parametrize("offsets, shape", [([0, -1, 2], (3, 4)), ([1], (4, 3)), ([0], (3, 3))])
def test_spdiags(offsets, shape):
    diagonals = np.arange(1.0, 13.0, dtype=np.float32).reshape(3, 4)[:len(offsets)]
    same(lg.sparse.spdiags(lg.tensor(diagonals), lg.tensor(offsets), shape),
         torch.sparse.spdiags(torch.tensor(diagonals), torch.tensor(offsets), shape))


def test_legacy_sparse_types():
    s = lg.sparse.FloatTensor(lg.tensor(I), lg.tensor(V), lg.Size([3, 3]))
    ts = torch.sparse.FloatTensor(torch.tensor(I), torch.tensor(V), torch.Size([3, 3]))
    same(s, ts)
    assert s.type() == ts.type() == "torch.sparse.FloatTensor"
    assert isinstance(s, lg.sparse.FloatTensor) and not isinstance(s, lg.FloatTensor)
    assert not isinstance(lg.ones(2), lg.sparse.FloatTensor)
    same(lg.sparse.DoubleTensor(2, 3), torch.sparse.DoubleTensor(2, 3))
    same(s.type(lg.float64), ts.type(torch.float64))
    same(s.type("torch.sparse.DoubleTensor"), ts.type("torch.sparse.DoubleTensor"))


# ---- CSR ------------------------------------------------------------------------------------------------

CROW, COL, CSR_VALUES = [0, 2, 2, 5], [0, 3, 1, 2, 3], [1.0, -2.0, 3.0, 4.5, 5.0]


def csr_pair(**kw):
    return (lg.sparse_csr_tensor(lg.tensor(CROW), lg.tensor(COL), lg.tensor(CSR_VALUES), (3, 4), **kw),
            torch.sparse_csr_tensor(torch.tensor(CROW), torch.tensor(COL), torch.tensor(CSR_VALUES), (3, 4), **kw))


def test_csr_printed_forms_and_attributes():
    c, tc = csr_pair()
    assert repr(c) == torch_repr(tc)
    assert repr(c.double()) == torch_repr(tc.double())
    r, tr = csr_pair(requires_grad=True)
    assert repr(r) == torch_repr(tr)
    assert repr(lg.zeros(3, 4).to_sparse_csr()) == torch_repr(torch.zeros(3, 4).to_sparse_csr())
    wide = np.arange(40.0, dtype=np.float32).reshape(2, 20) % 3
    assert repr(lg.tensor(wide).to_sparse_csr()) == torch_repr(torch.tensor(wide).to_sparse_csr())
    assert c.layout is lg.sparse_csr and c.is_sparse_csr and not c.is_sparse and isinstance(c, lg.Tensor)
    assert (c._nnz(), c.sparse_dim(), c.dense_dim(), c.shape) == (5, 2, 0, (3, 4))
    with pytest.raises(RuntimeError, match="Sparse CSR tensors do not have strides"):
        c.stride()


def test_csr_conversions():
    c, tc = csr_pair()
    same(c.to_dense(), tc.to_dense())
    same(c.to_sparse(), tc.to_sparse())
    same(c.to_dense().to_sparse_csr(), tc.to_dense().to_sparse_csr())
    s, ts = pair()
    same(s.to_sparse_csr(), ts.to_sparse_csr())  # (an uncoalesced COO tensor is summed first)
    same(lg.sparse_csr_tensor(CROW, COL, CSR_VALUES), torch.sparse_csr_tensor(CROW, COL, CSR_VALUES))
    same(c.to(lg.float64), tc.to(torch.float64))


@pytest.mark.parametrize("name", ["add", "scale", "neg", "sqrt", "mul_dense", "dense_add", "sum", "mm",
                                  "matmul_vector", "dense_matmul", "addmm", "csr_mm"])
def test_csr_math(name):
    c, tc = csr_pair()
    d = np.arange(12.0, dtype=np.float32).reshape(3, 4) - 5
    b = np.arange(8.0, dtype=np.float32).reshape(4, 2) / 3
    cases = {
        "add": lambda a, m: a + a, "scale": lambda a, m: a * 2.5, "neg": lambda a, m: -a,
        "sqrt": lambda a, m: a.abs().sqrt(), "mul_dense": lambda a, m: a * m.tensor(d),
        "dense_add": lambda a, m: m.tensor(d) + a, "sum": lambda a, m: a.sum(),
        "mm": lambda a, m: m.mm(a, m.tensor(b)), "matmul_vector": lambda a, m: a @ m.tensor(b[:, 0]),
        "dense_matmul": lambda a, m: m.tensor(d.T) @ a,
        "addmm": lambda a, m: m.addmm(m.ones(3, 2), a, m.tensor(b), beta=0.5, alpha=2),
        "csr_mm": lambda a, m: m.mm(a, a.to_dense().t().to_sparse_csr()),
    }
    same(cases[name](c, lg), cases[name](tc, torch))


def test_csr_gradients():
    c, tc = csr_pair(requires_grad=True)
    w = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    (c.to_dense() * lg.tensor(w)).sum().backward()
    (tc.to_dense() * torch.tensor(w)).sum().backward()
    same(c.grad, tc.grad)
    v = np.asarray(CSR_VALUES, np.float32)
    lv, tv = lg.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    lc = lg.sparse_csr_tensor(lg.tensor(CROW), lg.tensor(COL), lv, (3, 4))
    tcv = torch.sparse_csr_tensor(torch.tensor(CROW), torch.tensor(COL), tv, (3, 4))
    assert type(lc.grad_fn).__name__ == type(tcv.grad_fn).__name__
    b = np.arange(8.0, dtype=np.float32).reshape(4, 2)
    (lc @ lg.tensor(b)).pow(2).sum().backward()
    (tcv @ torch.tensor(b)).pow(2).sum().backward()
    same(lv.grad, tv.grad)


@pytest.mark.parametrize("crow, col, size", [([1, 2, 2, 5], COL, (3, 4)), ([0, 2, 2, 4], COL, (3, 4)),
                                             ([0, 2, 2, 5], [0, 3, 1, 2, 7], (3, 4))])
def test_csr_invariant_errors_match_torch(crow, col, size):
    with pytest.raises(RuntimeError) as ours:
        lg.sparse_csr_tensor(lg.tensor(crow), lg.tensor(col), lg.tensor(CSR_VALUES), size, check_invariants=True)
    with pytest.raises(RuntimeError) as theirs:
        torch.sparse_csr_tensor(torch.tensor(crow), torch.tensor(col), torch.tensor(CSR_VALUES), size,
                                check_invariants=True)
    assert str(ours.value) == str(theirs.value).split("\n")[0]



@pytest.mark.parametrize("layout", ["coo", "csr"])
def test_hooks_and_assigned_gradients_of_sparse_leaves(layout):
    s, ts = pair(requires_grad=True) if layout == "coo" else csr_pair(requires_grad=True)
    seen = []
    for x in (s, ts):
        x.register_hook(lambda g, seen=seen: (seen.append(g), g * 3)[1])
        (x.to_dense() * 2).sum().backward()
    same(seen[0], seen[1], flag=False)
    same(s.grad, ts.grad, flag=False)
    s.grad = s.grad * 0.5
    ts.grad = ts.grad * 0.5
    same(s.grad, ts.grad, flag=False)


def test_autograd_grad_and_backward_inputs_take_sparse_tensors():
    s, ts = pair(requires_grad=True)
    b = np.arange(6.0, dtype=np.float32).reshape(3, 2)
    lb, tb = lg.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
    ours = lg.autograd.grad((lg.sparse.mm(s, lb) ** 2).sum(), (s, lb))
    theirs = torch.autograd.grad((torch.sparse.mm(ts, tb) ** 2).sum(), (ts, tb))
    same(ours[0], theirs[0], flag=False)
    same(ours[1], theirs[1])
    (lg.sparse.mm(s, lb) ** 2).sum().backward(inputs=[s])
    (torch.sparse.mm(ts, tb) ** 2).sum().backward(inputs=[ts])
    same(s.grad, ts.grad, flag=False)
    assert lb.grad is None


@pytest.mark.parametrize("call", [lambda m, x: x.T, lambda m, x: x.mT, lambda m, x: m.zeros_like(x),
                                  lambda m, x: x.to_sparse(layout=m.sparse_csr), lambda m, x: x.new_zeros(2, 5),
                                  lambda m, x: x.to_dense().to_sparse(layout=m.sparse_csr)])
def test_more_coo_forms(call):
    s, ts = pair()
    same(call(lg, s), call(torch, ts))


def test_more_csr_forms_and_nbytes():
    c, tc = csr_pair()
    same(lg.zeros_like(c), torch.zeros_like(tc))
    same(c.to_sparse(layout=lg.sparse_csr), tc.to_sparse(layout=torch.sparse_csr))
    s, ts = pair()
    with pytest.raises(RuntimeError) as ours:
        s.nbytes
    with pytest.raises(RuntimeError) as theirs:
        ts.nbytes
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("other", [lambda m, s: s.coalesce(), lambda m, s: s.to_dense(), lambda m, s: s * 1.1,
                                   lambda m, s: m.sparse_coo_tensor([[0, 1], [1, 1]], [1.0, 2.0], (2, 2)),
                                   lambda m, s: s.to_dense().to_sparse_csr() * 1.1])
def test_assert_close_compares_sparse_tensors_as_torch_does(other):
    messages = []
    for m in (lg, torch):
        s = m.sparse_coo_tensor([[0, 1], [1, 0]], [1.0, 2.0], (2, 2))
        first = s.to_dense().to_sparse_csr() if "csr" in str(other.__code__.co_names) else s
        try:
            m.testing.assert_close(first, other(m, s))
            messages.append(None)
        except AssertionError as error:
            messages.append(str(error).replace("torch.", "lazygrad."))
    assert messages[0] == messages[1]


def test_a_sparse_product_is_one_fused_kernel():
    """The gather of the dense rows, the scaling by the entries (and elementwise work on them) and the
    scatter-add into the output rows run as one kernel, whose loop over a row's columns runs in vector
    lanes (each row's position clamped once)."""
    rng = np.random.default_rng(8)
    dense = (rng.standard_normal((300, 200)) * (rng.random((300, 200)) < 0.05)).astype(np.float32)
    s = lg.tensor(dense).to_sparse()
    s._indices().realize()
    s._values().realize()
    b = lg.tensor(rng.standard_normal((200, 64)).astype(np.float32)).realize()
    out = lg.sparse.mm(s * 2, b)
    kernels = lg.schedule(out)
    assert len(kernels) == 1 and kernels[0].kind == "scatter"
    source = kernels[0].source
    assert "#pragma omp simd\n    for (int64_t j1 = 0; j1 < 64; j1++)" in source
    assert "out0[place] +=" in source and re.search(r"in\d\[ld\d+_at\]", source)  # (clamped per row)
    np.testing.assert_allclose(out.numpy(), 2 * dense @ b.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("op, second", [
    (lambda s, b: s.to_dense(), False), (lambda s, b: lg.sparse.mm(s, b), True),
    (lambda s, b: lg.sparse.softmax(s, 1).to_dense(), True), (lambda s, b: (s * b[:, :3]).pow(3).to_dense(), False),
    (lambda s, b: lg.sparse.sum(s.coalesce().tanh(), 0).to_dense(), False),
    (lambda s, b: (s @ s.t()).to_dense(), False), (lambda s, b: s.to_sparse_csr() @ b, False)])
def test_gradcheck_through_the_values(op, second):
    """Derivatives by finite differences (float64), with respect to the values and the dense operand (second
    derivatives too for the product and the softmax)."""
    rng = np.random.default_rng(9)
    v = lg.tensor(rng.uniform(0.5, 1.5, 5), requires_grad=True)
    b = lg.tensor(rng.standard_normal((3, 4)), requires_grad=True)

    def f(values, dense):
        return op(lg.sparse_coo_tensor(lg.tensor(I), values, (3, 3)), dense)
    assert lg.autograd.gradcheck(f, (v, b))
    assert not second or lg.autograd.gradgradcheck(f, (v, b))


RANDOM_OPS = {
    "coalesce": lambda m, a, b: a.coalesce(), "add": lambda m, a, b: a + b, "sub": lambda m, a, b: a - b * 2,
    "mul": lambda m, a, b: a * b, "sum0": lambda m, a, b: m.sparse.sum(a, 0),
    "sum_last": lambda m, a, b: m.sparse.sum(a, a.dim() - 1), "abs": lambda m, a, b: a.abs(),
    "transpose": lambda m, a, b: a.transpose(0, -1), "unsqueeze": lambda m, a, b: a.unsqueeze(1),
    "index_select": lambda m, a, b: a.index_select(0, m.tensor([0, a.shape[0] - 1, 0])),
    "softmax": lambda m, a, b: m.sparse.softmax(a, 0), "dense_add": lambda m, a, b: a.to_dense() + b,
    "mask": lambda m, a, b: a.to_dense().sparse_mask(b.coalesce()), "select": lambda m, a, b: a.select(0, 0),
    "cat": lambda m, a, b: m.cat([a, b], 0), "to_sparse": lambda m, a, b: a.to_dense().to_sparse(a.sparse_dim()),
}


@pytest.mark.parametrize("seed", range(10))
def test_random_sparse_programs_match_torch(seed):
    """Random shapes (hybrid ones too), entry counts (none, one, repeats) and ops: the same dense values as
    torch's, or an error of the same class."""
    rng = np.random.default_rng(seed)
    ndim = int(rng.integers(1, 4))
    shape = tuple(int(x) for x in rng.integers(1, 5, ndim))
    sparse_dim, counts = int(rng.integers(1, ndim + 1)), [int(x) for x in rng.integers(0, 8, 2)]
    entries = [(np.stack([rng.integers(0, shape[d], n) for d in range(sparse_dim)]).reshape(sparse_dim, n),
                rng.standard_normal((n,) + shape[sparse_dim:]).astype(np.float32)) for n in counts]
    for name, op in RANDOM_OPS.items():
        results = []
        for m in (lg, torch):
            a, b = (m.sparse_coo_tensor(m.tensor(i, dtype=m.int64), m.tensor(v), shape) for i, v in entries)
            try:
                out = op(m, a, b)
                results.append((out.to_dense() if out.is_sparse else out).numpy())
            except (RuntimeError, IndexError, NotImplementedError) as error:
                results.append(type(error))
        assert type(results[0]) is type(results[1]), (name, results)
        if isinstance(results[1], np.ndarray):
            np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6, err_msg=name)
        else:
            assert results[0] is results[1], (name, results)


@pytest.mark.parametrize("call", [lambda m, s, d: m.dsmm(s, d), lambda m, s, d: m.hspmm(s, d),
                                  lambda m, s, d: m.smm(s, d), lambda m, s, d: s.smm(d),
                                  lambda m, s, d: m.sparse.sampled_addmm(
                                      s.to_dense().to_sparse_csr(), d, d.t() + 1, beta=0.5, alpha=2)])
def test_the_other_sparse_products(call):
    s, ts = pair()
    d = np.arange(6.0, dtype=np.float32).reshape(3, 2) - 2
    same(call(lg, s, lg.tensor(d)), call(torch, ts, torch.tensor(d)))


@pytest.mark.parametrize("layout", ["strided", "coo", "csr"])
def test_layout_methods_on_the_wrong_layout_raise_like_torch(layout):
    """indices/values/coalesce/crow_indices... of a layout that has none raise torch's error naming it;
    sparse_dim and dense_dim of a dense tensor are 0 and its ndim."""
    names = ["crow_indices", "col_indices", "ccol_indices", "row_indices", "indices", "values", "coalesce",
             "is_coalesced", "sparse_dim", "dense_dim"]
    results = []
    for m in (torch, lg):
        t = {"strided": lambda: m.ones(2, 3), "coo": lambda: m.ones(2, 3).to_sparse(),
             "csr": lambda: m.ones(2, 3).to_sparse_csr()}[layout]()
        got = []
        for name in names:
            try:
                value = getattr(t, name)()
                got.append((name, value if isinstance(value, (int, bool)) else "tensor"))
            except RuntimeError as e:
                got.append((name, str(e)))
        results.append(got)
    assert results[0] == results[1]


# ---- CSC ------------------------------------------------------------------------------------------------

CSC_DENSE = [[1.0, 0.0, 2.0, 0.0], [0.0, 3.0, 0.0, 0.0], [4.0, 0.0, 0.0, 5.0]]


def _csc_pair():
    return [m.tensor(CSC_DENSE).to_sparse_csc() for m in (torch, lg)]


def test_csc_tensors_print_and_convert_like_torch():
    """Made from dense, COO and CSR tensors and by sparse_csc_tensor (with and without a size); printed,
    converted back (COO entries in column order) and densified as torch does."""
    ours_of = {m: m for m in (torch, lg)}
    results = []
    for m in ours_of:
        c = m.tensor(CSC_DENSE).to_sparse_csc()
        made = m.sparse_csc_tensor([0, 2, 3, 4, 5], [0, 2, 1, 0, 2], [1.0, 4, 3, 2, 5], requires_grad=True)
        results.append([str(c), str(made), str(c.to_sparse_csr()), str(c.to_sparse()), str(c.to_dense()),
                        str(m.tensor(CSC_DENSE).to_sparse().to_sparse_csc()), str(c.to_sparse_csr().to_sparse_csc()),
                        str(m.tensor(CSC_DENSE).to_sparse(layout=m.sparse_csc)), c.layout is m.sparse_csc,
                        c.is_sparse, c.is_sparse_csr, c.sparse_dim(), c.dense_dim(), c._nnz(),
                        str(c.t()), str(c.to_sparse_csr().t()), str(c * 2), str(c + c), str(c.sum())])
    assert [str(r).replace("torch", "lazygrad") for r in results[0]] == [str(r) for r in results[1]]


def test_csc_products_and_gradients():
    """A CSC matrix times a dense one (and a vector); the gradient of the values (on the pattern) and of the
    dense operand, checked against the dense product."""
    rng = np.random.default_rng(2)
    b_np = rng.standard_normal((4, 3))
    dense = np.array(CSC_DENSE)
    c = lg.tensor(dense).to_sparse_csc()
    values = c.values().detach().requires_grad_()
    a = lg.sparse_csc_tensor(c.ccol_indices(), c.row_indices(), values, c.shape)
    b = lg.tensor(b_np, requires_grad=True)
    y = a @ b
    np.testing.assert_allclose(y.detach().numpy(), dense @ b_np, rtol=1e-12)
    np.testing.assert_allclose((a @ lg.tensor(b_np[:, 0])).detach().numpy(), dense @ b_np[:, 0], rtol=1e-12)
    (y * y).sum().backward()
    g = 2 * (dense @ b_np)
    np.testing.assert_allclose(b.grad.numpy(), dense.T @ g, rtol=1e-12)
    full = g @ b_np.T  # d/dA of the dense product, read at the stored entries in CSC order
    rows, cols = c.row_indices().numpy(), np.repeat(np.arange(4), np.diff(c.ccol_indices().numpy()))
    np.testing.assert_allclose(values.grad.numpy(), full[rows, cols], rtol=1e-12)


def test_csc_save_load_and_errors_like_torch(tmp_path):
    """torch's file of a CSC tensor loads here and ours in torch; torch's invariant checks and errors."""
    theirs, ours = _csc_pair()
    torch.save(theirs, tmp_path / "theirs.pt")
    lg.save(ours, tmp_path / "ours.pt")
    assert str(lg.load(tmp_path / "theirs.pt")) == str(ours)
    assert str(torch.load(tmp_path / "ours.pt")) == str(theirs)
    cases = [lambda m: m.sparse_csc_tensor([1, 1, 2, 3], [0, 1, 0], [1.0, 3, 2], (2, 3), check_invariants=True),
             lambda m: m.sparse_csc_tensor([0, 1, 2, 2], [0, 1, 0], [1.0, 3, 2], (2, 3), check_invariants=True),
             lambda m: m.sparse_csc_tensor([0, 2, 1, 3], [0, 1, 0], [1.0, 3, 2], (2, 3), check_invariants=True),
             lambda m: m.sparse_csc_tensor([0, 1, 2, 3], [0, 5, 0], [1.0, 3, 2], (2, 3), check_invariants=True),
             lambda m: m.tensor(CSC_DENSE).to_sparse_csc().stride(),
             lambda m: m.tensor(CSC_DENSE).to_sparse_csc().crow_indices(),
             lambda m: m.tensor(CSC_DENSE).to_sparse_csc().indices()]
    for case in cases:
        with pytest.raises(RuntimeError) as want:
            case(torch)
        with pytest.raises(RuntimeError) as got:
            case(lg)
        assert str(got.value) == str(want.value)


def test_spmm_sspaddmm_and_their_aliases_like_torch():
    """spmm (dense operands too), sspaddmm (input's entries then the product's rows, uncoalesced) and the
    older saddmm and hsmm spellings, with torch's printed results and errors."""
    results = []
    for m in (torch, lg):
        s, d = m.tensor([[1.0, 0], [0, 2]]).to_sparse(), m.tensor([[1.0, 2], [3, 4]])
        out = [str(m.spmm(s, d)), str(m.spmm(d, d)), str(m.sspaddmm(s, s, d, beta=2, alpha=3)),
               str(m.saddmm(s, s, d)), str(m.hsmm(s, d)), str(s.sspaddmm(s, d).to_dense())]
        for bad in (lambda: m.sspaddmm(s, d, d), lambda: m.sspaddmm(s, s, m.ones(3, 2)),
                    lambda: m.sspaddmm(m.ones(3, 3).to_sparse(), s, d)):
            with pytest.raises(RuntimeError) as caught:
                bad()
            out.append(str(caught.value))
        results.append([o.replace("torch", "lazygrad") for o in out])
    assert results[0] == results[1]
