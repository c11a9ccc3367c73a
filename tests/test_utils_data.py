"""lazygrad.utils.data against numpy and torch.utils.data: batches hold the right rows, shuffling is a
repeatable permutation, splits and samplers have torch's sizes and lists, collation torch's structure and
dtypes; and a DataLoader feeds a small training loop."""
from __future__ import annotations

import collections
import warnings
from collections import Counter

import numpy as np
import pytest

import lazygrad as lg
from lazygrad import nn, optim
from lazygrad.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler,
                                 SequentialSampler, StackDataset, Subset, SubsetRandomSampler, TensorDataset,
                                 WeightedRandomSampler, default_collate, default_convert, random_split)

Point = collections.namedtuple("Point", "x y")


def torch_or_skip():
    return pytest.importorskip("torch", reason="torch is the oracle for this test")


def _data(n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64) * 10
    return x, y


def _epoch_order(loader) -> list[int]:
    return [int(v) for _, yb in loader for v in (yb // 10).tolist()]


@pytest.mark.parametrize("batch_size,drop_last", [(3, False), (3, True), (5, False), (1, True)])
def test_batches_stack_rows_in_order(batch_size, drop_last):
    x, y = _data()
    loader = DataLoader(TensorDataset(lg.tensor(x), lg.tensor(y)), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    full, rest = divmod(len(x), batch_size)
    assert len(loader) == len(batches) == len(iter(loader)) == full + (rest > 0 and not drop_last)
    for i, (xb, yb) in enumerate(batches):
        rows = slice(i * batch_size, (i + 1) * batch_size)
        np.testing.assert_array_equal(xb.numpy(), x[rows])
        np.testing.assert_array_equal(yb.numpy(), y[rows])
        assert xb.dtype is lg.float32 and yb.dtype is lg.int64


def test_shuffle_is_a_repeatable_permutation():
    x, y = _data(20)
    loader = DataLoader(TensorDataset(lg.tensor(x), lg.tensor(y)), batch_size=6, shuffle=True)
    lg.manual_seed(7)
    first, second = _epoch_order(loader), _epoch_order(loader)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second
    lg.manual_seed(7)
    assert _epoch_order(loader) == first
    for xb, yb in loader:
        np.testing.assert_array_equal(xb.numpy(), x[(yb // 10).numpy()])


def test_shuffle_with_an_explicit_generator():
    x, y = _data(16)
    dataset = TensorDataset(lg.tensor(x), lg.tensor(y))
    orders = []
    for _ in range(2):
        g = lg.Generator().manual_seed(3)
        orders.append(_epoch_order(DataLoader(dataset, batch_size=4, shuffle=True, generator=g)))
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(16))


def test_random_sampler_replacement_and_num_samples():
    g = lg.Generator().manual_seed(0)
    drawn = list(RandomSampler(range(5), replacement=True, num_samples=50, generator=g))
    assert len(drawn) == 50 and set(drawn) <= set(range(5)) and all(type(i) is int for i in drawn)
    longer = list(RandomSampler(range(4), num_samples=10, generator=g))
    assert sorted(longer[:4]) == sorted(longer[4:8]) == list(range(4)) and len(set(longer[8:])) == 2
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(3), replacement=1)


@pytest.mark.parametrize("lengths", [[0.5, 0.5], [0.3, 0.3, 0.4], [0.1, 0.2, 0.7], [0.33, 0.33, 0.34],
                                     [0.25] * 4, [0.6, 0.4]])
@pytest.mark.parametrize("n", [7, 10, 13])
def test_random_split_fraction_sizes_match_torch(n, lengths):
    torch = torch_or_skip()
    with warnings.catch_warnings():  # zero-length splits warn in both libraries; the sizes are compared here
        warnings.simplefilter("ignore")
        ours = random_split(range(n), lengths)
        theirs = torch.utils.data.random_split(range(n), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    items = [i for s in ours for i in s]
    assert sorted(items) == list(range(n))


def test_random_split_ints_disjoint_and_seeded():
    dataset = TensorDataset(lg.arange(12))
    lg.manual_seed(1)
    parts = random_split(dataset, [5, 4, 3])
    assert [len(p) for p in parts] == [5, 4, 3]
    values = [p[i][0].item() for p in parts for i in range(len(p))]
    assert sorted(values) == list(range(12))
    again = random_split(dataset, [5, 4, 3], generator=lg.Generator().manual_seed(2))
    same = random_split(dataset, [5, 4, 3], generator=lg.Generator().manual_seed(2))
    assert [p.indices for p in again] == [p.indices for p in same]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(dataset, [5, 5])


def test_sequential_and_batch_samplers_match_torch():
    torch = torch_or_skip()
    tud = torch.utils.data
    assert list(SequentialSampler(range(7))) == list(tud.SequentialSampler(range(7)))
    for size, drop_last in [(3, False), (3, True), (7, False), (10, True), (10, False)]:
        ours = BatchSampler(SequentialSampler(range(7)), size, drop_last)
        theirs = tud.BatchSampler(tud.SequentialSampler(range(7)), size, drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(range(3), 0, False)


def test_subset_random_sampler_permutes_its_indices():
    indices = [2, 5, 7, 11]
    drawn = list(SubsetRandomSampler(indices, generator=lg.Generator().manual_seed(4)))
    assert sorted(drawn) == indices


def test_weighted_random_sampler_follows_weights():
    weights = [0.1, 0.0, 0.3, 0.6]
    sampler = WeightedRandomSampler(weights, 4000, generator=lg.Generator().manual_seed(5))
    counts = Counter(sampler)
    assert len(sampler) == 4000 and counts[1] == 0
    for i, w in enumerate(weights):
        assert abs(counts[i] / 4000 - w) < 0.04
    assert sorted(WeightedRandomSampler([1, 2, 3], 3, replacement=False)) == [0, 1, 2]
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 2)


def _structure(value):
    """Nested containers with each tensor as (dtype name, shape), comparable across the two libraries."""
    if hasattr(value, "dtype") and hasattr(value, "shape") and not isinstance(value, np.ndarray):
        return ("tensor", str(value.dtype).split(".")[-1], tuple(value.shape))
    if isinstance(value, dict):
        return {k: _structure(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_structure(v) for v in value])
    return value


SAMPLES = [
    [1, 2, 3],
    [1.5, 2.5],
    [True, False],
    [np.float32(1.0), np.float32(2.0)],
    [np.arange(6, dtype=np.int32).reshape(2, 3), np.ones((2, 3), dtype=np.int32)],
    [np.array(1.0), np.array(2.0)],
    ["a", "b"],
    [(1, 2.0, "x"), (3, 4.0, "y")],
    [[1, np.zeros(2, np.float32)], [2, np.ones(2, np.float32)]],
    [{"a": 1, "b": {"c": 2.0, "d": (np.zeros(3, np.uint8), 4)}},
     {"a": 5, "b": {"c": 6.0, "d": (np.ones(3, np.uint8), 7)}}],
    [Point(1, 2.0), Point(3, 4.0)],
]


@pytest.mark.parametrize("batch", SAMPLES, ids=range(len(SAMPLES)))
def test_default_collate_structure_and_dtypes_match_torch(batch):
    torch = torch_or_skip()
    ours, theirs = default_collate(batch), torch.utils.data.default_collate(batch)
    assert _structure(ours) == _structure(theirs)


def test_default_collate_values_and_tensors():
    batch = default_collate([{"x": lg.tensor([1.0, 2.0]), "n": 3}, {"x": lg.tensor([3.0, 4.0]), "n": 4}])
    np.testing.assert_array_equal(batch["x"].numpy(), [[1.0, 2.0], [3.0, 4.0]])
    assert batch["n"].tolist() == [3, 4] and batch["n"].dtype is lg.int64
    assert default_collate([1.0, 2.0]).dtype is lg.float64
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object()])
    with pytest.raises(TypeError, match="expected Tensor as element 1 in argument 0, but got numpy.ndarray"):
        default_collate([lg.ones(2), np.ones(2)])


@pytest.mark.parametrize("data", [np.arange(3, dtype=np.int16), (np.float64(2.0), 3), {"a": [np.ones(2)]},
                                  Point(np.int32(1), "s"), "text"])
def test_default_convert_matches_torch(data):
    torch = torch_or_skip()
    assert _structure(default_convert(data)) == _structure(torch.utils.data.default_convert(data))


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(lg.zeros(3, 2), lg.zeros(4))


def test_subset_concat_and_stack_datasets():
    a, b = TensorDataset(lg.arange(3)), TensorDataset(lg.arange(10, 14))
    both = a + b
    assert isinstance(both, ConcatDataset) and len(both) == 7
    assert [both[i][0].item() for i in range(-7, 7)] == [0, 1, 2, 10, 11, 12, 13] * 2
    sub = Subset(both, [6, 0, 3])
    assert [sub[i][0].item() for i in range(3)] == [13, 0, 10]
    assert [xb[0].tolist() for xb in DataLoader(sub, batch_size=2)] == [[13, 0], [10]]
    stacked = StackDataset(x=a, y=TensorDataset(lg.arange(3) * 2))
    batch = next(iter(DataLoader(stacked, batch_size=3)))
    assert batch["x"][0].tolist() == [0, 1, 2] and batch["y"][0].tolist() == [0, 2, 4]
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(a, b)


class _Squares(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(float(i * i) for i in range(self.n))

    def __len__(self):
        return self.n


def test_iterable_dataset_batches():
    loader = DataLoader(_Squares(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0.0, 1.0, 4.0], [9.0, 16.0, 25.0], [36.0]] and len(loader) == 3
    dropped = DataLoader(_Squares(7), batch_size=3, drop_last=True)
    assert len(list(dropped)) == len(dropped) == 2
    assert list(DataLoader(_Squares(3), batch_size=None)) == [0.0, 1.0, 4.0]
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(_Squares(3), shuffle=True)


def test_loader_option_errors_and_frozen_attributes():
    dataset = TensorDataset(lg.zeros(4))
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(dataset, sampler=SequentialSampler(dataset), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(dataset, batch_sampler=[[0, 1]], batch_size=2)
    loader = DataLoader(dataset, batch_sampler=[[0, 1], [3]], num_workers=2, pin_memory=True)
    assert [b[0].shape[0] for b in loader] == [2, 1] and len(loader) == 2
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 3


class _Pairs(Dataset):
    def __getitem__(self, i):
        return np.full(2, i, dtype=np.float32), i

    def __len__(self):
        return 5


def test_plain_dataset_without_batching_converts():
    items = list(DataLoader(_Pairs(), batch_size=None))
    assert len(items) == 5 and isinstance(items[2], list) and items[2][0].dtype is lg.float32
    assert items[2][0].tolist() == [2.0, 2.0] and items[2][1] == 2


def test_training_loop_decreases_loss():
    lg.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    loader = DataLoader(TensorDataset(lg.tensor(x), lg.tensor(y)), batch_size=16, shuffle=True)
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = ((model(xb) - yb) ** 2).mean()
            loss.backward()
            opt.step()
            total += loss.item()
        losses.append(total)
    assert losses[-1] < 0.2 * losses[0]


def test_pinned_memory_without_a_gpu_warns_and_refuses_like_torch():
    torch = torch_or_skip()
    if lg.cuda.is_available():
        pytest.skip("with a GPU, pinning is possible")
    for lib in (lg, torch):
        loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(lib.arange(6.0)), batch_size=4, pin_memory=True)
        with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
            assert [b[0].tolist() for b in loader] == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0]]
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available."):
            lib.ones(2).pin_memory()


def test_distributed_sampler_deals_torchs_shares():
    """Each rank's indices as torch deals them (padded by wrapping, or trimmed with drop_last); shuffled, the
    ranks cover the dataset between them, in an order fixed by seed + epoch."""
    torch = pytest.importorskip("torch")
    data = list(range(10))
    for drop_last in (False, True):
        for replicas in (3, 4):
            for rank in range(replicas):
                mine = lg.utils.data.DistributedSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
                theirs = torch.utils.data.DistributedSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
                assert list(mine) == list(theirs) and len(mine) == len(theirs)
    shares = [lg.utils.data.DistributedSampler(data, num_replicas=2, rank=r, seed=3) for r in range(2)]
    first = [list(s) for s in shares]
    assert sorted(first[0] + first[1]) == data and [list(s) for s in shares] == first
    for s in shares:
        s.set_epoch(1)
    assert [list(s) for s in shares] != first
    for bad, kind in ((lambda: lg.utils.data.DistributedSampler(data), RuntimeError),
                      (lambda: lg.utils.data.DistributedSampler(data, num_replicas=2, rank=2), ValueError)):
        with pytest.raises(kind, match="Requires distributed package|Invalid rank 2, rank should be in the interval"):
            bad()
