"""Recurrent layers, attention and the Transformer against torch: each torch layer's state_dict is loaded into
the lazygrad layer, then outputs, final states and gradients (inputs and every parameter) must agree."""
import warnings

import numpy as np
import pytest

import lazygrad as lg
import lazygrad.nn as nn
import lazygrad.nn.functional as F
from lazygrad.nn.utils import rnn as rnn_utils
from oracle import assert_like_torch, same_error, torch_or_skip

TOL = {"rtol": 1e-4, "atol": 1e-5}


def to_lg(t, requires_grad: bool = False):
    return lg.tensor(t.detach().numpy().copy(), requires_grad=requires_grad)


def twins(build):
    """build(torch.nn) and build(lazygrad.nn), the second holding the first's weights."""
    torch = torch_or_skip()
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, mine = build(torch.nn), build(nn)
    result = mine.load_state_dict({k: to_lg(v) for k, v in ref.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    return ref, mine


def flat(out):
    """The tensors of a (nested) output, in order, skipping None."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat(o)]
    return [] if out is None else [out]


def compare(ref, mine, ref_inputs, call):
    """call(module, *inputs) on both; outputs, then gradients of a weighted sum of them wrt the float inputs
    and every parameter, must match."""
    torch = torch_or_skip()
    leaves = [x.detach().clone().requires_grad_(x.is_floating_point()) if isinstance(x, torch.Tensor) else x
              for x in ref_inputs]
    mine_leaves = [to_lg(x, x.requires_grad) if isinstance(x, torch.Tensor) else x for x in leaves]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want, got = flat(call(ref, *leaves)), flat(call(mine, *mine_leaves))
    assert len(want) == len(got)
    for g, w in zip(got, want):
        assert_like_torch(g.detach(), w.detach(), **TOL)
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(tuple(w.shape)).astype(np.float32) for w in want]
    sum(((w * torch.from_numpy(c)).sum() for w, c in zip(want, weights)), torch.zeros(())).backward()
    sum(((g * lg.tensor(c)).sum() for g, c in zip(got, weights)), lg.zeros(())).backward()
    for x, y in zip(leaves, mine_leaves):
        if isinstance(x, torch.Tensor) and x.requires_grad:
            assert_like_torch(y.grad, x.grad, **TOL)
    for (name, p), q in zip(ref.named_parameters(), mine.parameters()):
        assert q.grad is not None, name
        assert_like_torch(q.grad, p.grad, **TOL)


def randn(*shape):
    torch = torch_or_skip()
    return torch.from_numpy(np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32))


# ---- recurrent layers -------------------------------------------------------------------------------------------

RNN_CASES = {
    "lstm": (lambda M: M.LSTM(3, 4), False, False),
    "lstm-2layer-bidir-batch_first-h0": (lambda M: M.LSTM(3, 4, 2, batch_first=True, bidirectional=True), True,
                                         False),
    "lstm-proj-bidir-unbatched": (lambda M: M.LSTM(3, 4, proj_size=2, bidirectional=True), True, True),
    "gru-2layer-h0": (lambda M: M.GRU(3, 4, num_layers=2), True, False),
    "gru-bidir-unbatched": (lambda M: M.GRU(3, 4, bidirectional=True), False, True),
    "rnn-relu-nobias": (lambda M: M.RNN(3, 4, nonlinearity="relu", bias=False), False, False),
    "rnn-tanh-bidir-unbatched-h0": (lambda M: M.RNN(3, 4, 1, "tanh", bidirectional=True), True, True),
}


@pytest.mark.parametrize("case", RNN_CASES)
def test_recurrent_layer_matches_torch(case):
    build, with_state, unbatched = RNN_CASES[case]
    ref, mine = twins(build)
    seq, batch = 3, 2
    shape = (seq, 3) if unbatched else ((batch, seq, 3) if ref.batch_first else (seq, batch, 3))
    inputs = [randn(*shape)]
    if with_state:
        layers = ref.num_layers * (2 if ref.bidirectional else 1)
        lead = (layers,) if unbatched else (layers, batch)
        h = randn(*lead, ref.proj_size or ref.hidden_size)
        inputs.append((h, randn(*lead, ref.hidden_size)) if ref.mode == "LSTM"
                      else h)
    if len(inputs) == 2 and isinstance(inputs[1], tuple):
        compare(ref, mine, [inputs[0], *inputs[1]], lambda m, x, h, c: m(x, (h, c)))
    else:
        compare(ref, mine, inputs, lambda m, *args: m(*args))


def test_recurrent_dropout_between_layers_in_training():
    """dropout=1 zeroes what the second layer sees, deterministically; eval mode turns it off."""
    ref, mine = twins(lambda M: M.GRU(3, 4, num_layers=2, dropout=1.0))
    x = randn(3, 2, 3)
    compare(ref, mine, [x], lambda m, x: m(x))
    ref.eval(), mine.eval()
    assert_like_torch(mine(to_lg(x))[0].detach(), ref(x)[0].detach(), **TOL)


def test_recurrent_parameters_repr_and_init():
    torch = torch_or_skip()
    for build in (lambda M: M.LSTM(10, 20, num_layers=2, batch_first=True),
                  lambda M: M.LSTM(3, 5, proj_size=2, bidirectional=True, dropout=0.5, num_layers=2),
                  lambda M: M.RNN(3, 4, 2, "relu", False), lambda M: M.GRU(3, 4, bias=False),
                  lambda M: M.RNNCell(3, 4, False, "relu"), lambda M: M.LSTMCell(3, 4), lambda M: M.GRUCell(3, 4)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref, mine = build(torch.nn), build(nn)
        assert repr(mine) == repr(ref)
        assert [(n, tuple(p.shape)) for n, p in mine.named_parameters()] == \
               [(n, tuple(p.shape)) for n, p in ref.named_parameters()]
        bound = 1 / np.sqrt(ref.hidden_size)
        values = np.concatenate([p.detach().numpy().ravel() for p in mine.parameters()])
        assert np.abs(values).max() <= bound and values.std() > bound / 3
    lstm = nn.LSTM(3, 4, bidirectional=True)
    assert [[tuple(w.shape) for w in ws] for ws in lstm.all_weights] == [[(16, 3), (16, 4), (16,), (16,)]] * 2
    assert lstm.all_weights[1][0] is lstm.weight_ih_l0_reverse
    assert lstm.flatten_parameters() is None


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("unbatched", [False, True])
def test_cells_match_torch(kind, unbatched):
    ref, mine = twins(lambda M: getattr(M, kind)(3, 4))
    lead = () if unbatched else (2,)
    x, h = randn(*lead, 3), randn(*lead, 4)
    if kind == "LSTMCell":
        compare(ref, mine, [x, h, randn(*lead, 4) + 1], lambda m, x, h, c: m(x, (h, c)))
    else:
        compare(ref, mine, [x, h], lambda m, x, h: m(x, h))
    first = (lambda out: out[0]) if kind == "LSTMCell" else (lambda out: out)
    assert_like_torch(first(mine(to_lg(x))).detach(), first(ref(x)).detach(), **TOL)


RNN_ERRORS = [
    (lambda M, t: M.LSTM(3, 4)(t.zeros(5, 2, 3), (t.zeros(1, 3, 4), t.zeros(1, 2, 4))), RuntimeError),
    (lambda M, t: M.LSTM(3, 4)(t.zeros(5, 2, 3), (t.zeros(1, 2, 4), t.zeros(1, 3, 4))), RuntimeError),
    (lambda M, t: M.LSTM(3, 4)(t.zeros(5, 2, 3), (t.zeros(2, 4), t.zeros(2, 4))), RuntimeError),
    (lambda M, t: M.GRU(3, 4)(t.zeros(5, 2, 5)), RuntimeError),
    (lambda M, t: M.GRU(3, 4, 2)(t.zeros(5, 2, 3), t.zeros(1, 2, 4)), RuntimeError),
    (lambda M, t: M.RNN(3, 4)(t.zeros(5, 3), t.zeros(1, 1, 4)), RuntimeError),
    (lambda M, t: M.RNN(3, 4)(t.zeros(2, 5, 2, 3)), ValueError),
    (lambda M, t: M.LSTM(3, 4)(t.zeros(3)), ValueError),
    (lambda M, t: M.RNN(3, 4)(t.zeros(5, 2, 3, dtype=t.float64)), ValueError),
    (lambda M, t: M.RNNCell(3, 4)(t.zeros(2, 3), t.zeros(3, 4)), RuntimeError),
    (lambda M, t: M.GRUCell(3, 4)(t.zeros(2, 5)), RuntimeError),
    (lambda M, t: M.LSTMCell(3, 4)(t.zeros(2, 3), (t.zeros(2, 4), t.zeros(2, 5))), RuntimeError),
    (lambda M, t: M.GRUCell(3, 4)(t.zeros(1, 2, 3)), ValueError),
    (lambda M, t: M.RNN(3, 4, nonlinearity="gelu"), ValueError),
    (lambda M, t: M.GRU(3, 4, proj_size=2), ValueError),
    (lambda M, t: M.LSTM(3, 4, proj_size=4), ValueError),
    (lambda M, t: M.LSTM(3, 4, dropout=1.5), ValueError),
    (lambda M, t: M.LSTM(3, 0), ValueError),
    (lambda M, t: M.LSTM(3, 4.0), TypeError),
]


@pytest.mark.parametrize("index", range(len(RNN_ERRORS)))
def test_recurrent_errors_like_torch(index):
    torch = torch_or_skip()
    fn, exc = RNN_ERRORS[index]
    same_error(lambda: fn(nn, lg), lambda: fn(torch.nn, torch), exc)


# ---- packed sequences -------------------------------------------------------------------------------------------

def test_pack_and_pad_round_trip_like_torch():
    torch = torch_or_skip()
    tu = torch.nn.utils.rnn
    x, lengths = randn(4, 3, 2), [2, 4, 1]
    want = tu.pack_padded_sequence(x, lengths, enforce_sorted=False)
    got = rnn_utils.pack_padded_sequence(to_lg(x), lengths, enforce_sorted=False)
    assert isinstance(got, rnn_utils.PackedSequence)
    for g, w in zip(got, want):
        assert_like_torch(g, w, exact=True)
    padded, lens = rnn_utils.pad_packed_sequence(got, batch_first=True, total_length=5)
    want_padded, want_lens = tu.pad_packed_sequence(want, batch_first=True, total_length=5)
    assert_like_torch(padded, want_padded, exact=True)
    assert_like_torch(lens, want_lens, exact=True)
    seqs = [randn(3, 2), randn(2, 2)]
    packed = rnn_utils.pack_sequence([to_lg(s) for s in seqs])
    assert_like_torch(packed.data, tu.pack_sequence(seqs).data, exact=True)
    for g, w in zip(rnn_utils.unpack_sequence(packed), seqs):
        assert_like_torch(g, w, exact=True)
    same_error(lambda: rnn_utils.pack_padded_sequence(to_lg(x), lengths),
               lambda: tu.pack_padded_sequence(x, lengths), RuntimeError)


@pytest.mark.parametrize("call", [
    lambda m: m.nn.utils.rnn.pad_sequence([m.ones(2, 2), m.ones(3, 1, dtype=m.float64) * 2], padding_side="left"),
    lambda m: m.nn.utils.rnn.pad_sequence([m.ones(2, dtype=m.int64), m.ones(3) * 2.5], True, 7.5),
    lambda m: m.nn.utils.rnn.pad_sequence(m.ones(2, 3)),
])
def test_pad_sequence_writes_into_the_first_sequences_layout_like_torch(call):
    """The first sequence decides the dtype and the trailing dims; the others are cast and broadcast to them."""
    torch = torch_or_skip()
    assert_like_torch(call(lg), call(torch), exact=True)


@pytest.mark.parametrize("call", [
    lambda m: m.nn.utils.rnn.pad_sequence([]),
    lambda m: m.nn.utils.rnn.pad_sequence([m.tensor(1.0), m.tensor(2.0)]),
    lambda m: m.nn.utils.rnn.pad_sequence([m.ones(2, 1), m.ones(3, 2)]),
    lambda m: m.nn.utils.rnn.pad_sequence([m.ones(2, 1)], padding_side="middle"),
    lambda m: m.nn.utils.rnn.pack_padded_sequence(m.zeros(3, 2, 1), [1, 2, 3]),
    lambda m: m.nn.utils.rnn.pack_padded_sequence(m.zeros(3, 2, 1), [2, 0]),
    lambda m: m.nn.utils.rnn.pack_padded_sequence(m.zeros(3, 2, 1), [0, 2]),
    lambda m: m.nn.utils.rnn.pack_padded_sequence(m.zeros(0, 2), [1, 1]),
    lambda m: m.nn.utils.rnn.pack_padded_sequence(m.zeros(3, 2, 1), m.tensor([[1, 2]])),
])
def test_packing_errors_like_torch(call):
    torch = torch_or_skip()
    same_error(lambda: call(lg), lambda: call(torch), RuntimeError)


@pytest.mark.parametrize("batch_first", [False, True])
def test_unpad_sequence_like_torch(batch_first):
    """A time-major batch is transposed in place (torch's side effect, kept); a leaf requiring grad is refused."""
    torch = torch_or_skip()
    seqs = [randn(3, 2), randn(1, 2), randn(2, 2)]
    results = []
    for mod in (lg, torch):
        padded = mod.nn.utils.rnn.pad_sequence([mod.tensor(s.numpy()) for s in seqs], batch_first=batch_first)
        pieces = mod.nn.utils.rnn.unpad_sequence(padded, mod.tensor([3, 1, 2]), batch_first=batch_first)
        results.append([padded, *pieces])
    for got, want in zip(*results):
        assert_like_torch(got, want, exact=True)
    leaf = lambda mod: mod.zeros(3, 2, 1, requires_grad=True)  # noqa: E731
    if not batch_first:
        same_error(lambda: rnn_utils.unpad_sequence(leaf(lg), lg.tensor([3, 1])),
                   lambda: torch.nn.utils.rnn.unpad_sequence(leaf(torch), torch.tensor([3, 1])), RuntimeError)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_recurrent_layer_on_packed_input(kind):
    torch = torch_or_skip()
    ref, mine = twins(lambda M: getattr(M, kind)(3, 4, bidirectional=True))
    lengths = [2, 3, 1]

    def call(m, x):
        utils = torch.nn.utils.rnn if isinstance(m, torch.nn.Module) else rnn_utils
        out, state = m(utils.pack_padded_sequence(x, lengths, enforce_sorted=False))
        return utils.pad_packed_sequence(out)[0], state

    compare(ref, mine, [randn(3, 3, 3)], call)


# ---- attention --------------------------------------------------------------------------------------------------

def _sdpa_call(**kwargs):
    def call(m, q, k, v, *mask):
        f = m.nn.functional.scaled_dot_product_attention if hasattr(m, "nn") else F.scaled_dot_product_attention
        return f(q, k, v, *mask, **kwargs)
    return call


class _Namespace:
    """Stands for a module with no parameters in compare()."""

    def __init__(self, lib):
        self.nn = lib.nn

    def named_parameters(self):
        return iter(())

    def parameters(self):
        return iter(())


def _mask(kind: str, torch, shape):
    rng = np.random.default_rng(3)
    if kind == "bool":
        keep = rng.random(shape) > 0.4
        keep[..., 0] = True
        keep[..., 1, :] = False  # one query with no key left: zeros, as torch
        return torch.from_numpy(keep)
    return torch.from_numpy(rng.standard_normal(shape).astype(np.float32))


@pytest.mark.parametrize("options", [{}, {"is_causal": True}, {"scale": 0.3}, {"mask": "bool"}, {"mask": "float"},
                                     {"gqa": True, "is_causal": True}, {"mask": "bool", "is_causal": True},
                                     {"mask": "float", "is_causal": True}])
def test_scaled_dot_product_attention_matches_torch(options):
    torch = torch_or_skip()
    options = dict(options)
    kv_heads = 1 if options.pop("gqa", False) else 2
    q, k, v = randn(2, 2, 4, 3), randn(2, kv_heads, 5, 3), randn(2, kv_heads, 5, 3 if "mask" in options else 2)
    mask = options.pop("mask", None)
    causal_mask = mask and options.get("is_causal")  # (torch's fused kernel takes both, and no mask gradient)
    inputs = [q, k, v] + ([_mask(mask, torch, (2, 1, 4, 5))] if mask and not causal_mask else [])
    call = _sdpa_call(enable_gqa=kv_heads == 1, **options)
    if causal_mask:
        fixed = _mask(mask, torch, (2, 1, 4, 5))
        plain = call
        call = lambda m, *qkv: plain(m, *qkv, fixed if m.nn is torch.nn else to_lg(fixed))  # noqa: E731
    compare(_Namespace(torch), _Namespace(lg), inputs, call)


SDPA_ERRORS = [  # (a mask with is_causal: refused where torch's math kernel would run: 3-D, head sizes, dropout)
    lambda m, t: m.scaled_dot_product_attention(t.zeros(2, 3, 4), t.zeros(2, 5, 4), t.zeros(2, 5, 4),
                                                attn_mask=t.ones(3, 5, dtype=t.bool), is_causal=True),
    lambda m, t: m.scaled_dot_product_attention(t.zeros(1, 2, 3, 4), t.zeros(1, 2, 5, 4), t.zeros(1, 2, 5, 2),
                                                attn_mask=t.ones(3, 5, dtype=t.bool), is_causal=True),
    lambda m, t: m.scaled_dot_product_attention(t.zeros(1, 2, 3, 4), t.zeros(1, 2, 5, 4), t.zeros(1, 2, 5, 4),
                                                attn_mask=t.ones(3, 5, dtype=t.bool), is_causal=True, dropout_p=0.5),
    lambda m, t: m.scaled_dot_product_attention(t.zeros(1, 2, 3, 4), t.zeros(1, 2, 5, 4), t.zeros(1, 2, 5, 4),
                                                attn_mask=t.ones(3, 5, requires_grad=True), is_causal=True),
    lambda m, t: m.scaled_dot_product_attention(t.zeros(2, 3, 4), t.zeros(2, 5, 4, dtype=t.float64),
                                                t.zeros(2, 5, 4)),
    lambda m, t: m.scaled_dot_product_attention(t.zeros(2, 3, 4), t.zeros(2, 5, 4), t.zeros(2, 5, 4),
                                                attn_mask=t.ones(3, 5, dtype=t.int64)),
    lambda m, t: m.scaled_dot_product_attention(t.zeros(4), t.zeros(4), t.zeros(4)),
    *(lambda m, t, dtype=dtype: m.scaled_dot_product_attention(t.zeros(2, 3, 4), t.zeros(2, 5, 4), t.zeros(2, 5, 4),
                                                               attn_mask=t.ones(3, 5, dtype=getattr(t, dtype)))
      for dtype in ("float64", "float16")),  # (a float mask must be float32 or the query's dtype)
    lambda m, t: m.scaled_dot_product_attention(t.zeros(1, 4, 3, 4), t.zeros(1, 3, 5, 4), t.zeros(1, 3, 5, 4),
                                                enable_gqa=True),
]


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_sdpa_takes_a_float32_mask_beside_any_query_dtype(dtype):
    torch = torch_or_skip()
    qkv = [np.random.default_rng(i).standard_normal(shape) for i, shape in enumerate([(2, 3, 4), (2, 5, 4), (2, 5, 2)])]
    mask = np.random.default_rng(4).standard_normal((3, 5)).astype(np.float32)
    ours, theirs = (lib.nn.functional.scaled_dot_product_attention(
        *(lib.tensor(a).to(getattr(lib, dtype)) for a in qkv), attn_mask=lib.tensor(mask)) for lib in (lg, torch))
    assert ours.dtype is getattr(lg, dtype)
    assert_like_torch(ours.float(), theirs.float(), rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize("index", range(len(SDPA_ERRORS)))
def test_sdpa_errors_like_torch(index):
    torch = torch_or_skip()
    same_error(lambda: SDPA_ERRORS[index](F, lg), lambda: SDPA_ERRORS[index](torch.nn.functional, torch),
               RuntimeError)


MHA_CASES = {
    "weights-averaged-padding": ({}, {"need_weights": True, "padding": True}),
    "per-head-weights-float-mask": ({}, {"need_weights": True, "average_attn_weights": False, "mask": "float"}),
    "no-weights-bool-mask-padding": ({}, {"need_weights": False, "mask": "bool", "padding": True}),
    "kdim-vdim": ({"kdim": 3, "vdim": 5}, {"need_weights": True}),
    "bias_kv-zero_attn-batch_first": ({"add_bias_kv": True, "add_zero_attn": True, "batch_first": True},
                                      {"need_weights": False, "padding": True}),
    "no-bias-unbatched": ({"bias": False}, {"need_weights": True, "unbatched": True}),
}


@pytest.mark.parametrize("case", MHA_CASES)
def test_multihead_attention_matches_torch(case):
    torch = torch_or_skip()
    kwargs, options = MHA_CASES[case]
    ref, mine = twins(lambda M: M.MultiheadAttention(6, 2, **kwargs))
    self_attention = not kwargs
    tgt, src, batch = 3, 3 if self_attention else 4, 2
    unbatched = options.get("unbatched", False)

    def shaped(length, width):
        if unbatched:
            return randn(length, width)
        return randn(batch, length, width) if kwargs.get("batch_first") else randn(length, batch, width)

    q, k, v = shaped(tgt, 6), shaped(src, kwargs.get("kdim", 6)), shaped(src, kwargs.get("vdim", 6))
    extra = {}
    if options.get("padding"):
        pad = np.zeros((batch, src), dtype=bool)
        pad[0, -1] = True
        extra["key_padding_mask"] = torch.from_numpy(pad)
    if "mask" in options:
        extra["attn_mask"] = _mask(options["mask"], torch, (tgt, src))
        if options["mask"] == "bool":
            extra["attn_mask"][1, :] = False
            extra["attn_mask"] = ~extra["attn_mask"]  # True = not allowed, in MultiheadAttention
            extra["attn_mask"][1, 0] = False
    flags = {k: options[k] for k in ("need_weights", "average_attn_weights") if k in options}
    inputs = [q] if self_attention else [q, k, v]

    def call(m, *qkv):
        lib = lg if isinstance(m, nn.Module) else torch
        masks = {name: (lib.tensor(t.numpy()) if lib is lg else t) for name, t in extra.items()}
        qkv = qkv * 3 if len(qkv) == 1 else qkv
        return m(*qkv, **masks, **flags)

    compare(ref, mine, inputs, call)


def test_multihead_attention_parameters_and_errors():
    torch = torch_or_skip()
    for kwargs in ({}, {"kdim": 3, "vdim": 5, "add_bias_kv": True}, {"bias": False}):
        ref, mine = torch.nn.MultiheadAttention(6, 2, **kwargs), nn.MultiheadAttention(6, 2, **kwargs)
        assert list(mine.state_dict()) == list(ref.state_dict())
        assert repr(mine) == repr(ref)
    same_error(lambda: nn.MultiheadAttention(6, 4), lambda: torch.nn.MultiheadAttention(6, 4), AssertionError)
    same_error(lambda: nn.MultiheadAttention(0, 2), lambda: torch.nn.MultiheadAttention(0, 2), ValueError)
    for bad in (lambda m, t: m(t.zeros(3, 2, 6), t.zeros(4, 2, 6), t.zeros(4, 2, 6), attn_mask=t.zeros(3, 5)),
                lambda m, t: m(t.zeros(3, 2, 6), t.zeros(4, 6), t.zeros(4, 6)),
                lambda m, t: m(t.zeros(3, 2, 6), t.zeros(4, 2, 6), t.zeros(4, 2, 6),
                               key_padding_mask=t.zeros(2, 4, dtype=t.int64)),
                lambda m, t: m(t.zeros(3, 2, 8), t.zeros(4, 2, 8), t.zeros(4, 2, 8))):
        ref, mine = torch.nn.MultiheadAttention(6, 2), nn.MultiheadAttention(6, 2)
        same_error(lambda: bad(mine, lg), lambda: bad(ref, torch), Exception)


# ---- transformer ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_layer_matches_torch(norm_first):
    ref, mine = twins(lambda M: M.TransformerEncoderLayer(6, 2, 8, norm_first=norm_first, batch_first=True,
                                                          activation="gelu" if norm_first else "relu").eval())
    torch = torch_or_skip()
    causal = torch.nn.Transformer.generate_square_subsequent_mask(3)
    compare(ref, mine, [randn(2, 3, 6)], lambda m, x: m(x, src_mask=causal if isinstance(m, torch.nn.Module)
                                                       else to_lg(causal), is_causal=True))


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_decoder_layer_matches_torch(norm_first):
    torch = torch_or_skip()
    ref, mine = twins(lambda M: M.TransformerDecoderLayer(6, 2, 8, norm_first=norm_first).eval())
    pad = torch.tensor([[False, False, False, True], [False] * 4])
    compare(ref, mine, [randn(3, 2, 6), randn(4, 2, 6)],
            lambda m, x, mem: m(x, mem, memory_key_padding_mask=pad if isinstance(m, torch.nn.Module)
                                else to_lg(pad)))


def test_transformer_matches_torch_and_loads_its_state_dict():
    torch = torch_or_skip()
    ref, mine = twins(lambda M: M.Transformer(6, 2, 2, 1, 8).eval())
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in ref.named_parameters()]
    src, tgt = randn(4, 2, 6), randn(3, 2, 6)
    causal = ref.generate_square_subsequent_mask(3)
    assert_like_torch(nn.Transformer.generate_square_subsequent_mask(3), causal, exact=True)
    pad = torch.tensor([[False, False, True, True], [False] * 4])
    want = ref(src, tgt, tgt_mask=causal, src_key_padding_mask=pad, memory_key_padding_mask=pad)
    got = mine(to_lg(src), to_lg(tgt), tgt_mask=to_lg(causal), src_key_padding_mask=to_lg(pad),
               memory_key_padding_mask=to_lg(pad))
    assert_like_torch(got.detach(), want.detach(), **TOL)
    same_error(lambda: mine(lg.zeros(4, 2, 6), lg.zeros(3, 3, 6)), lambda: ref(torch.zeros(4, 2, 6),
                                                                              torch.zeros(3, 3, 6)), RuntimeError)
    same_error(lambda: mine(lg.zeros(4, 2, 5), lg.zeros(3, 2, 5)), lambda: ref(torch.zeros(4, 2, 5),
                                                                              torch.zeros(3, 2, 5)), RuntimeError)
    same_error(lambda: nn.TransformerEncoderLayer(6, 2, activation="tanh"),
               lambda: torch.nn.TransformerEncoderLayer(6, 2, activation="tanh"), RuntimeError)


@pytest.mark.parametrize("variant", ["causal_upper_left", "causal_lower_right"])
@pytest.mark.parametrize("lengths", [(3, 5), (4, 4), (5, 3)])
def test_sdpa_with_a_causal_bias_matches_torch(variant, lengths):
    torch = torch_or_skip()
    import torch.nn.attention.bias as torch_bias
    from lazygrad.nn.attention import bias
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal((2, 2, n, 4)) for n in (lengths[0], lengths[1], lengths[1])]
    results = []
    for mod, masks in ((lg, bias), (torch, torch_bias)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mask = getattr(masks, variant)(*lengths)
        q, k, v = (mod.tensor(a, requires_grad=True) for a in arrays)
        out = mod.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        grads = mod.autograd.grad((out * out).sum(), [q, k, v])
        results.append((out.detach(), *grads, mask.shape, repr(mask), [str(w.message) for w in caught]))
    for got, want in zip(results[0][:4], results[1][:4]):
        assert_like_torch(got, want, rtol=1e-10, atol=1e-12)
    assert tuple(results[0][4]) == tuple(results[1][4])
    assert results[0][5] == results[1][5] and results[0][6] == results[1][6]


@pytest.mark.parametrize("call", [
    lambda m, b: m.nn.functional.scaled_dot_product_attention(m.ones(1, 3, 4), m.ones(1, 5, 4), m.ones(1, 5, 4),
                                                              attn_mask=b.causal_lower_right(3, 5), is_causal=True),
    lambda m, b: m.nn.functional.scaled_dot_product_attention(m.ones(1, 3, 4), m.ones(1, 5, 4).double(),
                                                              m.ones(1, 5, 4), attn_mask=b.causal_lower_right(3, 5)),
    lambda m, b: b.causal_upper_left(3),
    lambda m, b: b.CausalBias(1, 2, 3),
])
def test_causal_bias_errors_like_torch(call):
    torch = torch_or_skip()
    import torch.nn.attention.bias as torch_bias
    from lazygrad.nn.attention import bias
    same_error(lambda: call(lg, bias), lambda: call(torch, torch_bias))
