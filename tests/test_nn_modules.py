"""lazygrad.nn's modules against torch.nn: the registry (parameters, buffers, state_dict, hooks, modes, moves),
printed forms, errors, and every layer's output and gradients with torch's weights loaded into it."""
import copy
import io
import pickle

import numpy as np
import pytest

import lazygrad as lg
import lazygrad.nn as nn
from oracle import assert_like_torch, torch_or_skip


def to_lg(t):
    return lg.tensor(t.detach().numpy().copy())


def lg_state(torch_module) -> dict:
    return {k: to_lg(v) for k, v in torch_module.state_dict().items()}


class Net(nn.Module):
    """A model using most of the registry: submodules, a container, a buffer, a bare parameter."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
        self.norm = nn.BatchNorm1d(3)
        self.heads = nn.ModuleList([nn.Linear(3, 2), nn.Linear(3, 1, bias=False)])
        self.scale = nn.Parameter(lg.ones(1))
        self.register_buffer("offset", lg.ones(2) * 0.5)
        self.register_buffer("scratch", lg.ones(2), persistent=False)

    def forward(self, x):
        h = self.norm(self.body(x))
        return self.heads[0](h) * self.scale + self.offset, self.heads[1](h)


def _build_torch_net():
    """Net's twin in torch (built by attribute, as Net is)."""
    torch = torch_or_skip()
    m = torch.nn.Module()
    m.body = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    m.norm = torch.nn.BatchNorm1d(3)
    m.heads = torch.nn.ModuleList([torch.nn.Linear(3, 2), torch.nn.Linear(3, 1, bias=False)])
    m.scale = torch.nn.Parameter(torch.ones(1))
    m.register_buffer("offset", torch.ones(2) * 0.5)
    m.register_buffer("scratch", torch.ones(2), persistent=False)
    return m


def test_registry_names_and_order_match_torch():
    net, ref = Net(), _build_torch_net()
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [n for n, _ in net.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert [n for n, _ in net.named_modules()] == [n for n, _ in ref.named_modules()]
    assert [n for n, _ in net.named_children()] == [n for n, _ in ref.named_children()]
    assert list(net.state_dict()) == list(ref.state_dict())
    assert all(isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf for p in net.parameters())
    assert len(list(net.parameters(recurse=False))) == 1
    assert net.get_parameter("heads.0.weight") is net.heads[0].weight
    assert net.get_submodule("body.2") is net.body[2]
    assert net.get_buffer("norm.running_var") is net.norm.running_var


def test_shared_modules_and_parameters_are_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4


def test_forward_backward_and_state_dict_round_trip_with_torch():
    torch = torch_or_skip()
    net, ref = Net(), _build_torch_net()
    ref.forward = Net.forward.__get__(ref)
    net.load_state_dict(lg_state(ref))
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    out, tout = net(lg.tensor(x)), ref(torch.tensor(x))
    for a, b in zip(out, tout):
        assert_like_torch(a.detach(), b.detach(), rtol=1e-5, atol=1e-6)
    (out[0].sum() + (out[1] ** 2).sum()).backward()
    (tout[0].sum() + (tout[1] ** 2).sum()).backward()
    for (name, p), (_, q) in zip(net.named_parameters(), ref.named_parameters()):
        assert_like_torch(p.grad, q.grad, rtol=1e-4, atol=1e-4)
    for (name, b), (_, c) in zip(net.named_buffers(), ref.named_buffers()):  # training mode updated the stats
        assert_like_torch(b, c, rtol=1e-5, atol=1e-6)
    buffer = io.BytesIO()
    lg.save(net.state_dict(), buffer)
    buffer.seek(0)
    ref.load_state_dict(torch.load(buffer))
    ref.eval()
    net.eval()
    assert_like_torch(net(lg.tensor(x))[0].detach(), ref(torch.tensor(x))[0].detach(), rtol=1e-5, atol=1e-6)


def test_load_state_dict_reports_what_torch_reports():
    torch = torch_or_skip()
    net, ref = Net(), _build_torch_net()
    bad = {k: v for k, v in lg_state(ref).items() if k != "heads.0.bias"}
    bad["body.0.weight"] = lg.zeros(2, 2)
    bad["extra"] = lg.zeros(1)
    tbad = {k: torch.from_numpy(v.numpy()) for k, v in bad.items()}
    with pytest.raises(RuntimeError) as want:
        ref.load_state_dict(tbad)
    with pytest.raises(RuntimeError) as got:
        net.load_state_dict(bad)
    assert str(got.value).replace("Net", "Module").replace("lazygrad", "torch") == str(want.value)
    del bad["body.0.weight"], tbad["body.0.weight"]  # (a size mismatch raises even when not strict)
    keys, tkeys = net.load_state_dict(bad, strict=False), ref.load_state_dict(tbad, strict=False)
    assert (keys.missing_keys, keys.unexpected_keys) == (tkeys.missing_keys, tkeys.unexpected_keys)
    assert repr(net.load_state_dict(net.state_dict())) == "<All keys matched successfully>"


def test_load_keeps_parameter_objects_and_assign_replaces_them():
    net = nn.Linear(2, 2)
    weight = net.weight
    net.load_state_dict({"weight": lg.ones(2, 2), "bias": lg.zeros(2)})
    assert net.weight is weight and net.weight.tolist() == [[1, 1], [1, 1]]
    net.load_state_dict({"weight": lg.full((2, 2), 3.0), "bias": lg.zeros(2)}, assign=True)
    assert net.weight is not weight and isinstance(net.weight, nn.Parameter) and net.weight.tolist()[0] == [3, 3]


def test_registration_errors_like_torch():
    torch = torch_or_skip()
    for make in (lambda m: m.register_parameter("x", 3), lambda m: m.register_parameter(3, None),
                 lambda m: m.register_parameter("a.b", None), lambda m: m.register_parameter("", None),
                 lambda m: m.register_buffer("b", 3), lambda m: m.add_module("c", 3)):
        for module, lib in ((torch.nn.Module(), "torch"), (nn.Module(), "lg")):
            with pytest.raises(Exception) as e:
                make(module)
            if lib == "torch":
                want = e
            else:
                assert type(e.value) is want.type and str(e.value) == str(want.value)
    m, t = nn.Module(), torch.nn.Module()
    for module, lib in ((t, torch), (m, lg)):
        module.w = lib.nn.Parameter(lib.ones(1))
        module.child = lib.nn.ReLU()
    for attr, value in (("w", 3), ("child", 3)):
        with pytest.raises(TypeError) as want:
            setattr(t, attr, value)
        with pytest.raises(TypeError) as got:
            setattr(m, attr, value)
        assert str(got.value) == str(want.value)
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        m.nope
    with pytest.raises(NotImplementedError, match='Module \\[Module\\] is missing the required "forward" function'):
        nn.Module()(1)
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes"):
        m.to(lg.int64)


def test_parameter_behaves_as_torch():
    torch = torch_or_skip()
    base = lg.ones(2)
    p = nn.Parameter(base)
    assert repr(p) == repr(torch.nn.Parameter(torch.ones(2))) and str(p) == repr(p)
    assert type(p * 2) is lg.Tensor and type(p.detach()) is lg.Tensor and p.is_leaf
    with lg.no_grad():
        p.add_(1)
    assert base.tolist() == [2, 2]  # the parameter shares its data's storage
    assert not nn.Parameter(lg.ones(1), requires_grad=False).requires_grad
    with pytest.raises(RuntimeError, match="^Only Tensors of floating point and complex dtype can require gradients$"):
        nn.Parameter(lg.arange(3))
    with pytest.raises(RuntimeError, match="^only Tensors of floating point dtype can require gradients$"):
        lg.arange(3).requires_grad_()
    clone = copy.deepcopy(p)
    assert type(clone) is nn.Parameter and clone.tolist() == [2, 2] and clone.data_ptr() != p.data_ptr()
    assert type(pickle.loads(pickle.dumps(p))) is nn.Parameter


def test_printed_forms_match_torch():
    torch = torch_or_skip()
    layers = [
        "Sequential(Linear(2, 3), ReLU(), Sequential(Linear(3, 1, bias=False)))",
        "ModuleList([ReLU(), ReLU(), Tanh(), Linear(2, 2), Linear(2, 2)])",
        "ModuleDict({'a': ReLU(), 'b': Sigmoid()})",
        "Conv2d(2, 4, (3, 5), padding='same', bias=False, padding_mode='reflect', groups=2, dilation=2)",
        "ConvTranspose2d(2, 4, 3, stride=2, output_padding=1)", "Conv1d(2, 4, 3)", "Conv3d(1, 1, 1)",
        "BatchNorm2d(8)", "BatchNorm1d(3, affine=False)", "GroupNorm(2, 4)", "InstanceNorm2d(3)",
        "LayerNorm([3, 4], bias=False)", "RMSNorm(4)", "LocalResponseNorm(2)",
        "Dropout(0.2)", "Dropout2d(0.3, True)", "AlphaDropout()", "Embedding(10, 3, padding_idx=0)",
        "Embedding(4, 2, max_norm=1.0)", "EmbeddingBag(4, 2)", "Unflatten(1, (2, 3))", "Flatten(0)", "PixelShuffle(2)",
        "Upsample(scale_factor=2)", "Upsample(size=3, mode='bilinear', align_corners=True)", "UpsamplingNearest2d(scale_factor=2)",
        "MaxPool1d(3)", "MaxPool2d(2, return_indices=True, ceil_mode=True)", "AvgPool2d(3, stride=1, padding=1)",
        "AvgPool1d(2)", "AdaptiveAvgPool2d((5, 7))", "AdaptiveMaxPool1d(4)", "LPPool2d(2, 3)", "MaxUnpool2d(2)",
        "ZeroPad2d(2)", "ConstantPad1d((1, 2), 3.5)", "ReflectionPad2d(1)", "ReplicationPad3d(1)", "CircularPad1d(2)",
        "Linear(3, 2)", "Bilinear(2, 3, 4)", "Identity()", "ReLU(inplace=True)", "ELU(alpha=2.)", "GELU('tanh')",
        "Softplus(beta=2, threshold=10)", "Hardtanh(-2, 2)", "LeakyReLU(0.2, True)", "PReLU(3)", "RReLU()",
        "Threshold(0.1, 20)", "GLU()", "Softmax()", "LogSoftmax(1)", "Softmin(0)", "Hardshrink()", "Softshrink(0.3)",
        "CrossEntropyLoss(label_smoothing=0.1)", "MSELoss()", "Fold(3, 2)", "Unfold(2)", "ChannelShuffle(2)",
        "CosineSimilarity()", "PairwiseDistance()",
    ]
    for text in layers:
        ours = eval(text, {**vars(nn)})
        theirs = eval(text, {**vars(torch.nn)})
        assert repr(ours) == repr(theirs), text
    params = [torch.nn.Parameter(torch.ones(2, 3)), torch.nn.Parameter(torch.ones(2).double())]
    assert repr(nn.ParameterList([lg.ones(2, 3), lg.ones(2).double()])) == repr(torch.nn.ParameterList(params))
    assert repr(nn.ParameterDict({"a": lg.ones(2, 3), "b": 3})) == \
        repr(torch.nn.ParameterDict({"a": torch.ones(2, 3), "b": 3}))


def test_containers_index_like_torch():
    seq = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
    assert isinstance(seq[1:], nn.Sequential) and len(seq[1:]) == 2 and isinstance(seq[-1], nn.Sigmoid)
    with pytest.raises(IndexError, match="index 5 is out of range"):
        seq[5]
    del seq[0]
    assert [type(m).__name__ for m in seq] == ["Tanh", "Sigmoid"] and list(seq._modules) == ["0", "1"]
    lst = nn.ModuleList([nn.ReLU()])
    lst.append(nn.Tanh()).extend([nn.Sigmoid()])
    lst.insert(0, nn.ELU())
    assert [type(m).__name__ for m in lst] == ["ELU", "ReLU", "Tanh", "Sigmoid"]
    d = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
    assert list(d.keys()) == ["b", "a"] and "a" in d
    plist = nn.ParameterList([lg.ones(2)])
    assert type(plist[0]) is nn.Parameter and len(list(nn.Sequential(nn.Linear(1, 1)).parameters())) == 2
    holder = nn.Module()
    holder.params = nn.ParameterDict({"w": lg.ones(3)})
    assert [n for n, _ in holder.named_parameters()] == ["params.w"]


def test_sequential_repeats_its_modules_like_torch():
    seq = nn.Sequential(nn.ReLU(), nn.Tanh())
    twice = seq * 2
    assert [type(m).__name__ for m in twice] == ["ReLU", "Tanh", "ReLU", "Tanh"] and twice[0] is twice[2]
    assert [type(m).__name__ for m in 3 * seq] == ["ReLU", "Tanh"] * 3 and len(seq) == 2
    same = seq
    seq *= 2
    assert seq is same and len(seq) == 4 and list(seq._modules) == ["0", "1", "2", "3"]
    with pytest.raises(ValueError, match="^Non-positive multiplication factor 0 for "):
        seq * 0
    with pytest.raises(TypeError, match="^unsupported operand type\\(s\\) for \\*: .* and <class 'float'>$"):
        seq * 2.0


def test_hooks_run_and_can_be_removed():
    layer = nn.Linear(2, 2)
    seen = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = layer.register_forward_hook(lambda m, args, out: seen.append(out.shape) or out + 1)
    out = layer(lg.ones(3, 2))
    assert seen == [lg.Size([3, 2])]
    np.testing.assert_allclose(out.detach().numpy(), (layer.bias.detach() + 1).expand(3, 2).numpy())
    pre.remove()
    post.remove()
    np.testing.assert_allclose(layer(lg.ones(1, 2)).detach().numpy(),
                               (lg.ones(1, 2) @ layer.weight.t() + layer.bias).detach().numpy(), rtol=1e-6)
    kwargs_seen = []
    layer.register_forward_hook(lambda m, args, kwargs, out: kwargs_seen.append(sorted(kwargs)), with_kwargs=True)
    nn.Module.__call__(layer, input=lg.ones(1, 2))
    assert kwargs_seen == [["input"]]


def test_train_eval_requires_grad_zero_grad_and_apply():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    assert model.training and model[1].training
    model.eval()
    assert not model[1].training
    x = lg.ones(4, 2)
    np.testing.assert_allclose(model(x).detach().numpy(), model[0](x).detach().numpy())
    model.train()
    assert model[1].training
    model(x).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad.tolist() == lg.zeros_like(p).tolist() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    names = []
    model.apply(lambda m: names.append(type(m).__name__))
    assert names == ["Linear", "Dropout", "Sequential"]


def test_to_and_casts_keep_parameter_objects():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    weight = model[0].weight
    model(lg.ones(3, 2)).sum().backward()
    model.double()
    assert model[0].weight is weight and weight.dtype is lg.float64 and weight.grad.dtype is lg.float64
    assert model[1].running_mean.dtype is lg.float64 and model[1].num_batches_tracked.dtype is lg.int64
    model.to(lg.float32)
    assert weight.dtype is lg.float32
    assert model(lg.ones(3, 2)).dtype is lg.float32
    model.half().float()
    assert weight.dtype is lg.float32 and model.to("cpu") is model


def test_batch_norm_running_statistics_follow_torch():
    torch = torch_or_skip()
    rng = np.random.default_rng(1)
    for momentum in (0.1, None):
        ours, ref = nn.BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3, momentum=momentum)
        for _ in range(3):
            x = rng.standard_normal((4, 3, 2, 2)).astype(np.float32)
            assert_like_torch(ours(lg.tensor(x)).detach(), ref(torch.tensor(x)).detach(), rtol=1e-5, atol=1e-5)
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            assert_like_torch(getattr(ours, name), getattr(ref, name), rtol=1e-5, atol=1e-6)
        ours.eval()
        ref.eval()
        assert_like_torch(ours(lg.tensor(x)).detach(), ref(torch.tensor(x)).detach(), rtol=1e-5, atol=1e-5)


# (constructor source, input shapes, float64?) — each layer gets torch's weights and is compared with it
LAYERS = [
    ("Linear(4, 3)", [(5, 4)]), ("Linear(4, 3, bias=False)", [(2, 5, 4)]), ("Bilinear(3, 2, 4)", [(5, 3), (5, 2)]),
    ("Conv1d(2, 4, 3, stride=2, padding=1)", [(2, 2, 9)]),
    ("Conv2d(4, 6, 3, padding='same', groups=2, padding_mode='circular')", [(2, 4, 6, 5)]),
    ("Conv2d(3, 2, (2, 3), dilation=(2, 1), padding_mode='reflect', padding=1)", [(1, 3, 7, 6)]),
    ("Conv3d(2, 2, 2, padding_mode='replicate', padding=1)", [(1, 2, 3, 4, 3)]),
    ("ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1)", [(2, 2, 4, 3)]),
    ("ConvTranspose1d(4, 2, 2, groups=2)", [(2, 4, 5)]),
    ("BatchNorm1d(3)", [(6, 3)]), ("InstanceNorm1d(3, affine=True)", [(2, 3, 5)]),
    ("GroupNorm(2, 4)", [(3, 4, 5)]), ("LayerNorm([3, 4])", [(2, 3, 4)]), ("RMSNorm(4)", [(3, 4)]),
    ("LocalResponseNorm(2)", [(2, 4, 3)]), ("PReLU(3)", [(2, 3, 4)]),
    ("MaxPool2d(2, ceil_mode=True)", [(1, 2, 5, 5)]), ("AvgPool2d(3, stride=2, padding=1)", [(2, 2, 6, 5)]),
    ("AdaptiveAvgPool2d((2, 3))", [(1, 2, 5, 7)]), ("AdaptiveMaxPool1d(3)", [(2, 2, 7)]), ("LPPool1d(2, 2)", [(1, 2, 6)]),
    ("ReflectionPad2d((1, 0, 2, 1))", [(1, 2, 4, 4)]), ("CircularPad1d(2)", [(2, 3, 4)]),
    ("ConstantPad2d(1, -1.5)", [(2, 3, 3)]), ("PixelShuffle(2)", [(1, 8, 2, 3)]),
    ("Upsample(scale_factor=2, mode='bilinear')", [(1, 2, 3, 3)]), ("Flatten()", [(2, 3, 4)]),
    ("Softmax2d()", [(2, 3, 2, 2)]), ("GELU('tanh')", [(3, 4)]), ("Softplus(beta=2)", [(3, 4)]), ("SiLU()", [(5,)]),
    ("CosineSimilarity()", [(3, 4), (3, 4)]), ("PairwiseDistance(p=1.0)", [(3, 4), (3, 4)]),
]


@pytest.mark.parametrize("source,shapes", LAYERS, ids=[s for s, _ in LAYERS])
def test_layer_output_and_gradients_match_torch(source, shapes):
    torch = torch_or_skip()
    ref = eval(source, vars(torch.nn))
    ours = eval(source, vars(nn))
    ours.load_state_dict(lg_state(ref))
    rng = np.random.default_rng(len(source))
    arrays = [rng.standard_normal(s) for s in shapes]
    dtype = np.float32
    lg_in = [lg.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out, want = ours(*lg_in), ref(*t_in)
    assert_like_torch(out.detach(), want.detach(), rtol=1e-4, atol=1e-5)
    upstream = rng.standard_normal(tuple(want.shape)).astype(dtype)
    (out * lg.tensor(upstream)).sum().backward()
    (want * torch.tensor(upstream)).sum().backward()
    for a, b in zip(lg_in, t_in):
        assert_like_torch(a.grad, b.grad, rtol=1e-4, atol=1e-4)
    for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        assert_like_torch(p.grad, q.grad, rtol=1e-4, atol=1e-4)


def test_embedding_layers_match_torch():
    torch = torch_or_skip()
    ref, ours = torch.nn.Embedding(6, 3, padding_idx=1), nn.Embedding(6, 3, padding_idx=1)
    assert ours.weight[1].tolist() == [0, 0, 0]
    ours.load_state_dict(lg_state(ref))
    idx = [[1, 2, 2], [5, 0, 1]]
    out, want = ours(lg.tensor(idx)), ref(torch.tensor(idx))
    assert_like_torch(out.detach(), want.detach())
    (out ** 2).sum().backward()
    (want ** 2).sum().backward()
    assert_like_torch(ours.weight.grad, ref.weight.grad, rtol=1e-5, atol=1e-6)
    frozen = nn.Embedding.from_pretrained(lg.eye(3))
    assert not frozen.weight.requires_grad and frozen(lg.tensor([2])).tolist() == [[0, 0, 1]]
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=5)
    bag_ref, bag = torch.nn.EmbeddingBag(6, 2, mode="sum"), nn.EmbeddingBag(6, 2, mode="sum")
    bag.load_state_dict(lg_state(bag_ref))
    assert_like_torch(bag(lg.tensor([1, 2, 4, 5]), lg.tensor([0, 2])).detach(),
                      bag_ref(torch.tensor([1, 2, 4, 5]), torch.tensor([0, 2])).detach(), rtol=1e-5, atol=1e-6)


LOSSES = [
    ("CrossEntropyLoss()", "classes"), ("CrossEntropyLoss(label_smoothing=0.1, reduction='sum')", "classes"),
    ("NLLLoss(ignore_index=2)", "classes"), ("MSELoss()", "same"), ("L1Loss(reduction='none')", "same"),
    ("SmoothL1Loss(beta=0.5)", "same"), ("HuberLoss(delta=0.7)", "same"), ("BCEWithLogitsLoss()", "binary"),
    ("KLDivLoss(reduction='batchmean', log_target=True)", "same"), ("SoftMarginLoss()", "signs"),
]


@pytest.mark.parametrize("source,target", LOSSES, ids=[s for s, _ in LOSSES])
def test_loss_layers_match_torch(source, target):
    torch = torch_or_skip()
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    y = {"classes": rng.integers(0, 3, 4), "same": rng.standard_normal((4, 3)).astype(np.float32),
         "binary": rng.integers(0, 2, (4, 3)).astype(np.float32),
         "signs": np.sign(rng.standard_normal((4, 3))).astype(np.float32)}[target]
    ours, ref = eval(source, vars(nn)), eval(source, vars(torch.nn))
    lx, tx = lg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, want = ours(lx, lg.tensor(y)), ref(tx, torch.tensor(y))
    assert_like_torch(out.detach(), want.detach(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    want.sum().backward()
    assert_like_torch(lx.grad, tx.grad, rtol=1e-5, atol=1e-6)


def test_weighted_losses_hold_their_weights_as_buffers():
    torch = torch_or_skip()
    ours = nn.CrossEntropyLoss(weight=lg.tensor([1.0, 2.0, 0.5]))
    ref = torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5]))
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in ref.named_buffers()] == ["weight"]
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    t = np.array([0, 1, 2, 1, 0])
    assert_like_torch(ours(lg.tensor(x), lg.tensor(t)), ref(torch.tensor(x), torch.tensor(t)), rtol=1e-5, atol=1e-6)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert nn.MSELoss(size_average=False).reduction == "sum"


def test_init_schemes():
    torch = torch_or_skip()
    for name in ("linear", "conv2d", "conv_transpose3d", "sigmoid", "tanh", "relu", "selu"):
        assert repr(nn.init.calculate_gain(name)) == repr(torch.nn.init.calculate_gain(name))
    with pytest.raises(ValueError, match="Unsupported nonlinearity identity"):
        nn.init.calculate_gain("identity")
    assert nn.init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu", 0.2)
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        nn.init.calculate_gain("foo")
    lg.manual_seed(0)
    w = lg.empty(300, 200)
    values = nn.init.xavier_uniform_(w).numpy()
    bound = np.sqrt(6 / 500)
    assert values.min() >= -bound and values.max() <= bound and abs(values.std() - bound / np.sqrt(3)) < 0.005
    values = nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu").numpy()
    assert abs(values.std() - np.sqrt(2 / 300)) < 0.002
    values = nn.init.trunc_normal_(w, mean=0.5, std=1.0, a=0.0, b=1.0).numpy()
    assert values.min() >= 0 and values.max() <= 1 and abs(values.mean() - 0.5) < 0.01
    q = nn.init.orthogonal_(lg.empty(3, 5), gain=2).numpy()
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-5)
    assert nn.init.eye_(lg.empty(2, 3)).tolist() == [[1, 0, 0], [0, 1, 0]]
    for old, shape in (("eye", (2, 3)), ("dirac", (2, 2, 3)), ("uniform", (4,))):
        with pytest.warns(FutureWarning, match=f"`nn.init.{old}` is now deprecated in favor of `nn.init.{old}_`"):
            getattr(nn.init, old)(lg.empty(*shape))
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    nn.init.dirac_(conv.weight)
    x = lg.randn(1, 3, 4, 4)
    np.testing.assert_allclose(conv(x).detach().numpy(), x.numpy(), atol=1e-6)
    assert nn.init.constant_(lg.empty(2), 0.25).tolist() == [0.25, 0.25]
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        nn.init.xavier_uniform_(lg.empty(3))
    p = nn.Parameter(lg.zeros(2, 2))
    nn.init.normal_(p)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_clip_grad_and_vector_utilities_match_torch():
    torch = torch_or_skip()
    rng = np.random.default_rng(2)
    grads = [rng.standard_normal(s).astype(np.float32) for s in ((3, 4), (5,))]
    for norm_type in (2.0, 1.0, float("inf")):
        ours = [nn.Parameter(lg.zeros(*g.shape)) for g in grads]
        ref = [torch.nn.Parameter(torch.zeros(*g.shape)) for g in grads]
        for p, q, g in zip(ours, ref, grads):
            p.grad, q.grad = lg.tensor(g), torch.tensor(g)
        total = nn.utils.clip_grad_norm_(ours, 1.5, norm_type)
        assert_like_torch(total, torch.nn.utils.clip_grad_norm_(ref, 1.5, norm_type), rtol=1e-5, atol=1e-6)
        for p, q in zip(ours, ref):
            assert_like_torch(p.grad, q.grad, rtol=1e-5, atol=1e-6)
    nn.utils.clip_grad_value_(ours, 0.1)
    assert max(abs(v) for p in ours for v in p.grad.reshape(-1).tolist()) <= 0.1 + 1e-7
    bad = nn.Parameter(lg.zeros(2))
    bad.grad = lg.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        nn.utils.clip_grad_norm_([bad], 1.0, error_if_nonfinite=True)
    vec = nn.utils.parameters_to_vector(ours)
    assert vec.shape == (17,)
    nn.utils.vector_to_parameters(lg.arange(17.0), ours)
    assert ours[1].tolist() == [12, 13, 14, 15, 16]
    seqs = [np.ones((n, 2), np.float32) * n for n in (3, 1, 2)]
    for kwargs in ({}, {"batch_first": True, "padding_value": -1.0}, {"padding_side": "left"}):
        assert_like_torch(nn.utils.rnn.pad_sequence([lg.tensor(s) for s in seqs], **kwargs),
                          torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], **kwargs))


def test_a_module_pickled_before_backward_hooks_existed_loads_and_runs():
    """State saved without the registries added since (backward and load-state-dict hooks) gets them."""
    layer = nn.Linear(2, 3)
    state = {k: v for k, v in layer.__dict__.items()
             if k not in ("_backward_hooks", "_backward_pre_hooks", "_is_full_backward_hook", "_load_state_dict_pre_hooks")}
    old = nn.Linear.__new__(nn.Linear)
    old.__setstate__(state)
    x = lg.ones(1, 2, requires_grad=True)
    old(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), layer.weight.detach().numpy().sum(0, keepdims=True), rtol=1e-6)
    old.load_state_dict(layer.state_dict())


def _state_dict_hooks_program(t):
    nn_ = t.nn
    model = nn_.Sequential(nn_.Linear(2, 2), nn_.BatchNorm1d(2))
    seen = []
    model[0].register_state_dict_pre_hook(lambda m, prefix, keep: seen.append(("pre", type(m).__name__, prefix, keep)))

    def post(m, state, prefix, metadata):
        seen.append(("post", prefix, sorted(state), dict(metadata)))
        state[prefix + "extra"] = t.ones(1)

    handle = model[1].register_state_dict_post_hook(post)
    state = model.state_dict()
    seen.append((sorted(state), dict(state._metadata)))
    handle.remove()
    seen.append(sorted(model.state_dict()))

    def replaces(m, state, prefix, metadata):
        return {"only": 1}

    model.register_state_dict_post_hook(replaces)
    for call in (model.state_dict, lambda: model._register_state_dict_hook(replaces)):
        try:
            call()
        except RuntimeError as e:
            seen.append(str(e))
    plain = nn_.Linear(2, 2)
    plain._register_state_dict_hook(lambda m, state, prefix, metadata: {"only": 1})  # the older hook may replace
    seen.append(plain.state_dict())
    return seen


def test_state_dict_hooks_match_torch():
    torch = torch_or_skip()
    assert _state_dict_hooks_program(lg) == _state_dict_hooks_program(torch)


def test_batch_norm_state_without_num_batches_tracked_loads_as_torchs_does():
    """A state_dict from before num_batches_tracked (no metadata, or version 1) loads; a current one must
    have it."""
    torch = torch_or_skip()
    for mod in (lg, torch):
        bn = mod.nn.BatchNorm1d(3)
        old = {k: v for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
        assert not any(bn.load_state_dict(old))
        current = bn.state_dict()
        del current["num_batches_tracked"]
        with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "num_batches_tracked"'):
            bn.load_state_dict(current)


def test_nll_loss_2d_is_nll_loss_under_its_deprecated_name():
    torch = torch_or_skip()
    scores = np.random.default_rng(2).standard_normal((2, 3, 4, 4)).astype(np.float32)
    target = np.random.default_rng(3).integers(0, 3, (2, 4, 4))
    for lib in (lg, torch):
        with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
            loss = lib.nn.NLLLoss2d(reduction="sum")
        assert isinstance(loss, lib.nn.NLLLoss) and repr(loss) == "NLLLoss2d()"
    value = lg.nn.NLLLoss2d(reduction="sum")(lg.tensor(scores).log_softmax(1), lg.tensor(target))
    expected = torch.nn.NLLLoss(reduction="sum")(torch.tensor(scores).log_softmax(1), torch.tensor(target))
    assert value.item() == pytest.approx(expected.item(), rel=1e-5)



def test_data_parallel_without_a_gpu_is_the_module():
    """torch.nn.DataParallel on a machine without GPUs: the module itself behind a `module.` prefix (its
    state_dict's keys, its printed form); DistributedDataParallel and data_parallel fail as torch's do there."""
    torch = torch_or_skip()
    got = {}
    for lib in (lg, torch):
        lib.manual_seed(0)
        inner = lib.nn.Linear(2, 3)
        inner.load_state_dict({"weight": lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), "bias": lib.ones(3)})
        model = lib.nn.DataParallel(inner)
        x = lib.tensor([[1.0, -1.0], [0.5, 2.0]])
        model(x).pow(2).sum().backward()
        errors = []
        for make in (lambda: lib.nn.parallel.DistributedDataParallel(inner), lambda: lib.nn.parallel.data_parallel(inner, x)):
            with pytest.raises(Exception) as caught:
                make()
            errors.append((type(caught.value).__name__, str(caught.value)))
        got[lib] = (repr(model), list(model.state_dict()), model.device_ids, model.module is inner,
                    model(x).tolist(), inner.weight.grad.tolist(), errors)
    assert got[lg] == got[torch]
    assert lg.distributed.is_available() is False


def test_extra_state_set_submodule_and_generator_extras_like_torch():
    """get/set_extra_state ride in the state dict as `_extra_state` (missing or unexpected as torch says);
    set_submodule replaces or adds a submodule by dotted path with torch's errors; Generator.device,
    clone_state and the CPU generator's refusal of offsets."""
    torch = torch_or_skip()

    def session(m):
        class Counter(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin, self.steps = m.nn.Linear(2, 2), 0

            def get_extra_state(self):
                return {"steps": self.steps}

            def set_extra_state(self, state):
                self.steps = state["steps"]

        out, a, b = [], Counter(), Counter()
        a.steps = 7
        sd = a.state_dict()
        b.load_state_dict(sd)
        out += [list(sd), b.steps, str(b.load_state_dict({k: sd[k] for k in sd if k != "_extra_state"}, strict=False))]
        plain = m.nn.Linear(2, 2)
        seq = m.nn.Sequential(m.nn.Linear(2, 2), m.nn.Sequential(m.nn.ReLU()))
        seq.set_submodule("1.0", m.nn.Tanh())
        seq.set_submodule("1.7", m.nn.ReLU())
        out.append(str(seq))
        for bad in (lambda: plain.load_state_dict({**plain.state_dict(), "_extra_state": 1}),
                    lambda: seq.set_submodule("", m.nn.ReLU()), lambda: seq.set_submodule("2.x", m.nn.ReLU()),
                    lambda: seq.set_submodule("1.5", m.nn.ReLU(), strict=True),
                    lambda: seq.set_submodule("0.weight", m.nn.ReLU()), lambda: seq.set_submodule("1.0", 3),
                    lambda: m.Generator().get_offset()):
            with pytest.raises(Exception) as caught:
                bad()
            out.append((type(caught.value).__name__, str(caught.value)))
        g = m.Generator().manual_seed(5)
        twin = g.clone_state()
        out += [repr(g.device), m.rand(3, generator=twin).tolist() == m.rand(3, generator=g).tolist()]
        return [str(o).replace("torch", "lazygrad") for o in out]

    assert session(lg) == session(torch)
