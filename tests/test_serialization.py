"""lazygrad.save / lazygrad.load: torch's file format, read and written both ways (torch is the oracle)."""
from __future__ import annotations

import collections
import fractions
import io
import pickle
import struct
import warnings
import zipfile

import numpy as np
import pytest

import lazygrad as lg


def _roundtrip(obj, **load_args):
    buf = io.BytesIO()
    lg.save(obj, buf)
    buf.seek(0)
    return lg.load(buf, **load_args)


def _sample():
    a = lg.arange(12.0).reshape(3, 4)
    return {
        "a": a, "view": a[1:, ::2], "lazy": a * 2 + 1, "half": lg.tensor([0.5, -2.0], dtype=lg.float16),
        "long": lg.tensor(7), "bool": lg.tensor([True, False]), "int8": lg.tensor([-3, 4], dtype=lg.int8),
        "uint8": lg.arange(5, dtype=lg.uint8), "double": lg.tensor([1e-300, 3.0], dtype=lg.float64),
        "leaf": lg.tensor([1.0, 2.0], requires_grad=True), "dtype": lg.float64, "device": lg.device("cpu"),
        "size": lg.Size([2, 3]), "ordered": collections.OrderedDict(w=lg.zeros(2, dtype=lg.int32)),
        "plain": [1, "x", 2.5, None, (True, {3})],
    }


def _same_value(ours, expected: np.ndarray):
    assert ours.shape == expected.shape
    np.testing.assert_array_equal(ours.detach().numpy(), expected)


def test_roundtrip_keeps_values_types_and_views(tmp_path):
    saved = _sample()
    path = tmp_path / "checkpoint.pt"
    lg.save(saved, path)
    back = lg.load(path)
    assert set(back) == set(saved)
    for key, value in saved.items():
        if isinstance(value, lg.Tensor):
            assert back[key].dtype is value.dtype and back[key].requires_grad == value.requires_grad
            _same_value(back[key], value.detach().numpy())
        elif key == "ordered":
            assert type(back[key]) is collections.OrderedDict and back[key]["w"].tolist() == [0, 0]
        else:
            assert back[key] == value and type(back[key]) is type(value)
    assert back["leaf"].is_leaf and back["view"].stride() == (4, 2) and back["view"].storage_offset() == 4
    back["a"][1, 0] = 100.0  # the view came back as a view of the same storage
    assert back["view"][0, 0].item() == 100.0
    assert back["view"].untyped_storage().data_ptr() == back["a"].untyped_storage().data_ptr()


def test_a_non_leaf_comes_back_as_a_leaf_that_requires_grad():
    x = lg.ones(2, requires_grad=True)
    y = _roundtrip(x * 3)
    assert y.requires_grad and y.is_leaf and y.grad_fn is None and y.tolist() == [3.0, 3.0]


def test_storages_save_and_load_whole():
    a = lg.arange(6.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TypedStorage's deprecation notice
        st = a[2:].storage()
    back = _roundtrip({"storage": st, "tensor": a})
    assert back["storage"].tolist() == list(range(6)) and back["storage"].dtype is lg.float32
    assert back["storage"].data_ptr() == back["tensor"].data_ptr()
    back = _roundtrip({"bytes": a.untyped_storage()})["bytes"]  # comes back as torch brings it: typed, of bytes
    assert back.dtype is lg.uint8 and bytes(back.tolist()) == np.arange(6, dtype=np.float32).tobytes()
    with pytest.raises(RuntimeError, match="Cannot save multiple tensors or storages that view the same data as "
                                           "different types"):
        lg.save([a, a.untyped_storage()], io.BytesIO())


def test_storage_data_is_aligned_and_stored():
    buf = io.BytesIO()
    lg.save({"a": lg.arange(3.0), "b": lg.ones(5, dtype=lg.float16), "c": lg.tensor(True)}, buf)
    raw = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        data = [info for info in zf.infolist() if "/data/" in info.filename]
        assert len(data) == 3 and all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist())
        for info in data:
            name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
            start = info.header_offset + 30 + name_len + extra_len
            assert start % 64 == 0
            assert raw[start:start + info.file_size] == zf.read(info)
        assert zf.read("archive/byteorder") == b"little" and zf.read("archive/version") == b"3"


def test_weights_only_refuses_other_globals():
    buf = io.BytesIO()
    lg.save({"f": fractions.Fraction(1, 3)}, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match=r"(?s)Weights only load failed.*GLOBAL fractions.Fraction was not an "
                                                     r"allowed global by default. Please use `lazygrad.serialization."
                                                     r"add_safe_globals\(\[fractions.Fraction\]\)`"):
        lg.load(buf)
    buf.seek(0)
    assert lg.load(buf, weights_only=False) == {"f": fractions.Fraction(1, 3)}


def test_weights_only_loads_what_torchs_does():
    """Counters, bytes and bytearrays load (torch allows them); a frozenset is refused, as torch refuses it."""
    buf = io.BytesIO()
    plain = {"c": collections.Counter("aab"), "b": b"\x00abc", "a": bytearray(b"xy"), "s": {1, 2}, "z": 1 + 2j}
    lg.save(plain, buf)
    buf.seek(0)
    assert lg.load(buf) == plain
    buf = io.BytesIO()
    lg.save(frozenset([1]), buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        lg.load(buf)


class Checkpointed:
    """A user's class inside a checkpoint."""

    def __init__(self, weight):
        self.weight = weight


def test_safe_globals_allow_a_class_in_weights_only_loads():
    """add_safe_globals, safe_globals (a context manager), get/clear_safe_globals and
    get_unsafe_globals_in_checkpoint, as torch.serialization's; a file torch wrote loads alike."""
    serialization = lg.serialization
    buf = io.BytesIO()
    lg.save({"layer": Checkpointed(lg.ones(2)), "step": 3}, buf)
    name = f"{__name__}.Checkpointed"
    buf.seek(0)
    assert serialization.get_unsafe_globals_in_checkpoint(buf) == [name]
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {name} was not an allowed global"):
        lg.load(buf)
    try:
        serialization.add_safe_globals([Checkpointed])
        assert serialization.get_safe_globals() == [Checkpointed]
        buf.seek(0)
        assert serialization.get_unsafe_globals_in_checkpoint(buf) == []
        buf.seek(0)
        assert lg.load(buf)["layer"].weight.tolist() == [1.0, 1.0]
    finally:
        serialization.clear_safe_globals()
    assert serialization.get_safe_globals() == []
    with serialization.safe_globals([(Checkpointed, name)]):
        buf.seek(0)
        assert lg.load(buf)["step"] == 3 and serialization.get_safe_globals() == [(Checkpointed, name)]
    assert serialization.get_safe_globals() == []
    torch = pytest.importorskip("torch")
    theirs = io.BytesIO()
    torch.save({"layer": Checkpointed(torch.arange(3.0))}, theirs)
    theirs.seek(0)
    with serialization.safe_globals([Checkpointed]):
        assert lg.load(theirs)["layer"].weight.tolist() == [0.0, 1.0, 2.0]


def test_map_location_forms():
    saved = {"x": lg.arange(4.0)}
    seen = []

    def keep_on_cpu(storage, location):
        seen.append((location, storage.dtype))
        return storage
    assert _roundtrip(saved, map_location=keep_on_cpu)["x"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert seen == [("cpu", lg.float32)]
    assert _roundtrip(saved, map_location=lambda storage, location: None)["x"].device == lg.device("cpu")
    assert _roundtrip(saved, map_location="cpu")["x"].device == lg.device("cpu")
    assert _roundtrip(saved, map_location=lg.device("cpu"))["x"].device == lg.device("cpu")
    assert _roundtrip(saved, map_location={"cuda:0": "cpu"})["x"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_errors():
    """A file in neither format is read as a legacy one, as torch reads it: its errors are torch's."""
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        lg.load(io.BytesIO(b"not a checkpoint"))
    with pytest.raises(pickle.UnpicklingError):
        lg.load(io.BytesIO(b"not a checkpoint"), weights_only=False)
    with pytest.raises(EOFError):
        lg.load(io.BytesIO(b""))
    with pytest.raises(RuntimeError, match="^Invalid magic number; corrupt file\\?$"):
        lg.load(io.BytesIO(pickle.dumps([1, 2], protocol=2)))
    if not lg.cuda.is_available():
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
            _roundtrip(lg.ones(2), map_location="cuda")


# ---- torch, both ways ---------------------------------------------------------------------------------


def test_legacy_format_roundtrip_keeps_values_types_and_views(tmp_path):
    saved = _sample()
    path = tmp_path / "legacy.pt"
    lg.save(saved, path, _use_new_zipfile_serialization=False)
    with open(path, "rb") as f:
        assert not zipfile.is_zipfile(f)
    back = lg.load(path)
    for key, value in saved.items():
        if isinstance(value, lg.Tensor):
            assert back[key].dtype is value.dtype and back[key].requires_grad == value.requires_grad
            _same_value(back[key], value.detach().numpy())
            assert back[key]._version == 0
    assert back["leaf"].is_leaf and back["view"].stride() == (4, 2) and back["view"].storage_offset() == 4
    back["a"][1, 0] = 100.0
    assert back["view"][0, 0].item() == 100.0
    assert back["plain"] == saved["plain"] and back["size"] == saved["size"]


def test_legacy_format_both_ways_with_torch():
    torch = pytest.importorskip("torch")
    x = torch.arange(12.0).reshape(3, 4)
    theirs = {"x": x, "view": x[1:, ::2], "param": torch.nn.Parameter(torch.ones(2)),
              "ints": torch.tensor([[1, -2]], dtype=torch.int16), "bytes": torch.arange(5, dtype=torch.uint8)}
    buf = io.BytesIO()
    torch.save(theirs, buf, _use_new_zipfile_serialization=False)
    got = lg.load(io.BytesIO(buf.getvalue()))
    for key, value in theirs.items():
        assert str(got[key].dtype).split(".")[1] == str(value.dtype).split(".")[1]
        _same_value(got[key], value.detach().numpy())
    assert got["param"].requires_grad and isinstance(got["param"], lg.nn.Parameter)
    got["x"][1, 0] = -1.0
    assert got["view"][0, 0].item() == -1.0
    ours = io.BytesIO()
    lg.save(got, ours, _use_new_zipfile_serialization=False)
    back = torch.load(io.BytesIO(ours.getvalue()))
    for key, value in got.items():
        np.testing.assert_array_equal(back[key].detach().numpy(), value.detach().numpy())
    assert back["view"].untyped_storage().data_ptr() == back["x"].untyped_storage().data_ptr()
    assert back["param"].requires_grad and isinstance(back["param"], torch.nn.Parameter)


def test_torch_loads_what_lazygrad_saves(tmp_path):
    torch = pytest.importorskip("torch")
    saved = _sample()
    path = tmp_path / "from_lazygrad.pt"
    lg.save(saved, path)
    for mmap in (False, True):  # a memory map needs the data aligned
        got = torch.load(path, mmap=mmap)
        for key, value in saved.items():
            if isinstance(value, lg.Tensor):
                assert str(got[key].dtype) == str(value.dtype).replace("lazygrad", "torch")
                assert got[key].requires_grad == value.requires_grad
                np.testing.assert_array_equal(got[key].detach().numpy(), value.detach().numpy())
        assert got["dtype"] is torch.float64 and got["device"] == torch.device("cpu")
        assert got["size"] == torch.Size([2, 3]) and got["plain"] == saved["plain"]
        assert got["view"].untyped_storage().data_ptr() == got["a"].untyped_storage().data_ptr()
        assert got["view"].stride() == (4, 2) and got["view"].storage_offset() == 4


def test_lazygrad_loads_what_torch_saves():
    torch = pytest.importorskip("torch")
    x = torch.arange(12.0).reshape(3, 4)
    layer = torch.nn.Linear(3, 2)
    saved = {"x": x, "view": x[1:, ::2], "half": torch.tensor([0.5, 2.0], dtype=torch.float16),
             "param": torch.nn.Parameter(torch.ones(2)), "state": layer.state_dict(), "dtype": torch.int16,
             "size": torch.Size([4]), "device": torch.device("cpu"), "set": {1, 2}, "complex": 1 + 2j}
    buf = io.BytesIO()
    torch.save(saved, buf)
    buf.seek(0)
    got = lg.load(buf)
    _same_value(got["x"], x.numpy())
    _same_value(got["view"], x[1:, ::2].numpy())
    assert got["half"].dtype is lg.float16 and got["half"].tolist() == [0.5, 2.0]
    assert got["param"].requires_grad and got["param"].is_leaf and got["param"].tolist() == [1.0, 1.0]
    assert list(got["state"]) == ["weight", "bias"]
    _same_value(got["state"]["weight"], layer.weight.detach().numpy())
    assert got["dtype"] is lg.int16 and got["size"] == lg.Size([4]) and got["device"] == lg.device("cpu")
    assert got["set"] == {1, 2} and got["complex"] == 1 + 2j
    got["x"][1, 0] = -1.0
    assert got["view"][0, 0].item() == -1.0


def test_a_torch_dtype_lazygrad_lacks_is_named():
    """A checkpoint whose storage type lazygrad lacks (complex32's, written into a complex64 file)."""
    import zipfile
    torch = pytest.importorskip("torch")
    buf = io.BytesIO()
    torch.save(torch.ones(2, dtype=torch.complex64), buf)
    buf.seek(0)
    edited = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(edited, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data.replace(b"ComplexFloatStorage", b"ComplexHalfStorage")
                         if item.filename.endswith("data.pkl") else data)
    edited.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="torch.ComplexHalfStorage"):
        lg.load(edited)


def test_bfloat16_files_both_ways():
    torch = pytest.importorskip("torch")
    buf = io.BytesIO()
    torch.save(torch.tensor([1.1, -2.5, 3e38]).bfloat16(), buf)
    buf.seek(0)
    loaded = lg.load(buf)
    assert loaded.dtype is lg.bfloat16 and loaded.tolist() == torch.tensor([1.1, -2.5, 3e38]).bfloat16().tolist()
    buf = io.BytesIO()
    lg.save(lg.tensor([1.1, -2.5]).bfloat16(), buf)
    buf.seek(0)
    back = torch.load(buf)
    assert back.dtype is torch.bfloat16 and back.tolist() == [1.1015625, -2.5]


# ---- pickle and deepcopy ----------------------------------------------------------------------------------


def test_pickle_keeps_values_views_and_requires_grad():
    base = lg.arange(6.0)
    computed = (base * 2).realize()  # realized from a graph: its buffer remembers the node (not picklable)
    x = lg.ones(3, requires_grad=True)
    back = pickle.loads(pickle.dumps({"base": base, "tail": base[2:], "computed": computed, "lazy": base + 1,
                                      "leaf": x, "non_leaf": x * 3, "max": lg.tensor([[1.0, 5.0]]).max(1)}))
    assert back["computed"].tolist() == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0] and back["lazy"].tolist()[0] == 1.0
    back["base"][3] = -1.0
    assert back["tail"].tolist() == [2.0, -1.0, 4.0, 5.0]  # views of one storage still share it
    assert back["leaf"].requires_grad and back["leaf"].is_leaf
    assert back["non_leaf"].requires_grad and back["non_leaf"].is_leaf and back["non_leaf"].tolist() == [3.0] * 3
    assert type(back["max"]) is lg.return_types.max and back["max"].indices.tolist() == [1]
    assert pickle.loads(pickle.dumps(base.untyped_storage())).nbytes() == 24


def test_deepcopy_as_torch_does():
    import copy
    base = lg.arange(6.0, requires_grad=True)
    base.grad = lg.full((6,), 0.5)
    copied = copy.deepcopy({"a": base, "b": base.detach()[1:]})
    assert copied["a"].requires_grad and copied["a"].grad.tolist() == [0.5] * 6
    assert copied["a"].data_ptr() != base.data_ptr()
    copied["b"][0] = 100.0  # the two copies still share one storage
    assert copied["a"].tolist()[1] == 100.0 and base.tolist()[1] == 1.0
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(base * 2)
