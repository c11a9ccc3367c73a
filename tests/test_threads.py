"""get_num_threads / set_num_threads: the count reaches the OpenMP runtime the kernels run in."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import lazygrad as lg
from lazygrad import threads


@pytest.fixture
def restore_threads():
    before = lg.get_num_threads()
    yield
    lg.set_num_threads(before)


def test_default_is_openmps_count():
    assert lg.get_num_threads() == threads._omp_threads(0) >= 1


def test_set_count_reaches_kernels_in_every_thread(restore_threads):
    if not lg.runtime.c_program.compiler().openmp:
        pytest.skip("the C compiler has no OpenMP: kernels run on one thread")
    lg.set_num_threads(5)
    assert lg.get_num_threads() == 5 and threads._omp_threads(0) == 5
    x = np.random.default_rng(0).random((64, 64), dtype=np.float32)
    seen, values = [], []

    def work():
        values.append((lg.from_numpy(x) @ lg.from_numpy(x)).numpy())  # runs kernels in this new thread
        seen.append(threads._omp_threads(0))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert seen == [5]
    np.testing.assert_allclose(values[0], x @ x, rtol=1e-5)
    lg.set_num_threads(1)
    assert lg.get_num_threads() == 1 and threads._omp_threads(0) == 1


@pytest.mark.parametrize("value, message", [
    (0, "set_num_threads expects a positive integer"),
    (-2, "set_num_threads expects a positive integer"),
    (1.5, "set_num_threads expects an int, but got float"),
    ("2", "set_num_threads expects an int, but got str"),
    (True, "set_num_threads expects an int, but got bool"),
])
def test_errors_are_torchs(value, message):
    with pytest.raises(RuntimeError, match=message):
        lg.set_num_threads(value)

