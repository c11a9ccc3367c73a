"""Every example runs to the end and prints what it promises."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = {
    "quickstart.py": "Stats(",
    "inplace_and_views.py": "same buffer: True",
    "cuda_kernels.py": "max |grad|",
    "mlp_training.py": "accuracy on",
    "embeddings.py": "accuracy on",
    "gaussian_process.py": "fitted lengthscale",
    "conv_classifier.py": "accuracy on",
    "per_sample_gradients.py": "accuracy on the training points",
    "spectral_denoising.py": "learned passbands at [12, 31, 57]",
    "graph_convolution.py": "accuracy on 570 unlabelled nodes",
}


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "examples").glob("*.py")))
def test_example_runs(name):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(ROOT / "examples" / name)], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert EXPECTED[name] in result.stdout
