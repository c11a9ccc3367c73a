"""Grad modes as decorators (bare, with parentheses, on generator functions) and inference tensors: which
tensors are ones and what torch refuses of them outside inference mode. torch is the oracle when installed."""
import numpy as np
import pytest

import lazygrad as lg
from oracle import torch_or_skip

MODES = [("no_grad", (False, False)), ("enable_grad", (True, False)), ("inference_mode", (False, True))]


@pytest.mark.parametrize("name, seen", MODES)
def test_bare_decorator_runs_the_function_in_the_mode(name, seen):
    @getattr(lg, name)
    def probe(a, b=1):
        """probe's own docstring"""
        return lg.is_grad_enabled(), lg.is_inference_mode_enabled(), a + b

    with lg.set_grad_enabled(not seen[0]):
        assert probe(2, b=3) == (*seen, 5)
        assert lg.is_grad_enabled() is (not seen[0])
    assert probe.__name__ == "probe" and probe.__doc__ == "probe's own docstring"


def test_decorated_generator_runs_each_step_in_the_mode():
    """Each resumption (next, send, throw, close) runs under no_grad; between them the caller's mode holds."""
    log = []

    @lg.no_grad()
    def steps():
        log.append(lg.is_grad_enabled())
        received = yield "first"
        log.append((received, lg.is_grad_enabled()))
        try:
            yield "second"
        except ValueError as error:
            log.append((str(error), lg.is_grad_enabled()))
            yield "recovered"
        finally:
            log.append(("closing", lg.is_grad_enabled()))

    gen = steps()
    assert next(gen) == "first" and lg.is_grad_enabled()
    assert gen.send(7) == "second" and lg.is_grad_enabled()
    assert gen.throw(ValueError("boom")) == "recovered" and lg.is_grad_enabled()
    gen.close()
    assert log == [False, (7, False), ("boom", False), ("closing", False)] and lg.is_grad_enabled()


def test_decorated_generator_returns_its_value():
    @lg.inference_mode()
    def counted():
        yield lg.is_inference_mode_enabled()
        return "done"

    gen = counted()
    assert next(gen) is True
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == "done"


def test_set_grad_enabled_is_no_bare_decorator():
    torch = torch_or_skip()
    for m in (lg, torch):
        decorated = m.set_grad_enabled(False)(lambda: m.is_grad_enabled())
        assert decorated() is False and m.is_grad_enabled()


def _inference_pair(m):
    """A tensor made inside inference_mode, a normal one, and what inference_mode made of the normal one."""
    normal = m.arange(3.0)
    with m.inference_mode():
        made = m.ones(2)
        view_of_normal, detached, product = normal[:2], normal.detach(), normal * 2
        with m.inference_mode(False):
            nested = m.ones(1)
    return made, normal, view_of_normal, detached, product, nested


def test_which_tensors_are_inference_tensors():
    torch = torch_or_skip()
    flags = []
    for m in (lg, torch):
        made, normal, view_of_normal, detached, product, nested = _inference_pair(m)
        flags.append([t.is_inference() for t in (made, normal, view_of_normal, detached, product, nested,
                                                  made[:1], made * 2, made.clone(), made.detach())]
                     + [m.is_inference(made)])
    assert flags[0] == flags[1] == [True, False, False, False, True, False, True, False, False, True, True]


REFUSALS = {
    "add_": lambda m, a: a.add_(1),
    "zero_ of a view": lambda m, a: a[0].zero_(),
    "setitem": lambda m, a: a.__setitem__(0, 5.0),
    "out=": lambda m, a: m.mul(a, 2, out=a),
    "requires_grad_": lambda m, a: a.requires_grad_(),
    "requires_grad =": lambda m, a: setattr(a, "requires_grad", True),
    "Parameter": lambda m, a: m.nn.Parameter(a),
    "saved by mul": lambda m, a: a * m.ones(2, requires_grad=True),
    "saved by a later op": lambda m, a: m.ones(2, requires_grad=True).exp() * a,
    "saved by linear": lambda m, a: m.nn.Linear(2, 2)(a),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_inference_tensor_refusals_match_torch(name):
    torch = torch_or_skip()
    messages = []
    for m in (lg, torch):
        with m.inference_mode():
            a = m.ones(2)
        with pytest.raises(RuntimeError) as error:
            REFUSALS[name](m, a)
        messages.append(str(error.value).replace("torch.", "lazygrad."))  # (lazygrad's advice names its own API)
    assert messages[0] == messages[1]
    with lg.inference_mode():  # inside the mode the same write is allowed
        a = lg.ones(2)
        a.add_(1)
    np.testing.assert_array_equal(a.numpy(), [2.0, 2.0])


def test_inference_tensors_still_serve_what_saves_nothing():
    """An op whose backward does not read the inference tensor records as usual; reads and copies work."""
    with lg.inference_mode():
        a = lg.tensor([1.0, 2.0])
    w = lg.tensor([3.0, 4.0], requires_grad=True)
    (a + w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 1.0])
    target = lg.zeros(2)
    target.copy_(a)
    np.testing.assert_array_equal(target.numpy(), [1.0, 2.0])
    assert not target.is_inference() and a.requires_grad_(False) is a and a.sum().item() == 3.0
