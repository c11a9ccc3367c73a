"""Where torch's argument parser takes only a tensor, a number (a list, None) is torch's TypeError naming the
function, the parameter and its position (lazygrad/tensor_parameters.py), raised before anything else looks at
it: for the parameters of the binary functions without a Number overload, and for the first argument of every
top-level function whose overloads all take a tensor first."""
from __future__ import annotations

import collections
import decimal
import fractions
import re
import warnings

import numpy as np
import pytest

import lazygrad as lg
from lazygrad.int_parameters import INT_PARAMETERS, _arities, type_name
from lazygrad.tensor_parameters import FIRST_IS_INPUT, FIRST_NAMED, NUMBERS_AS_TENSORS
from test_errors import assert_raises_like_torch


# ---- parameters that take only tensors: torch's argument-parser TypeError, counted from 1 after self -------

def _ones(m):
    return m.ones(3)


TENSOR_ONLY = {
    "maximum": lambda m: m.maximum(_ones(m), 2), "maximum_first": lambda m: m.maximum(2, _ones(m)),
    "maximum_bool": lambda m: m.maximum(_ones(m), True), "maximum_method": lambda m: _ones(m).maximum(2),
    "maximum_keyword": lambda m: m.maximum(_ones(m), other=2), "minimum_none": lambda m: m.minimum(_ones(m), None),
    "atan2": lambda m: m.atan2(_ones(m), 2.0), "atan2_in_place": lambda m: _ones(m).atan2_(2),
    "arctan2": lambda m: m.arctan2(_ones(m), 2), "arctan2_method": lambda m: _ones(m).arctan2(2),
    "heaviside_in_place": lambda m: _ones(m).heaviside_(0.5), "hypot_method": lambda m: _ones(m).hypot(2),
    "logaddexp_first": lambda m: m.logaddexp(2, _ones(m)), "fmax_method": lambda m: _ones(m).fmax(2),
    "isclose_method": lambda m: _ones(m).isclose(1), "allclose": lambda m: m.allclose(_ones(m), 1),
    "equal_method": lambda m: _ones(m).equal(1), "gcd": lambda m: m.gcd(m.ones(3, dtype=m.long), 2),
    "lcm_method": lambda m: m.ones(3, dtype=m.long).lcm(2), "ldexp": lambda m: m.ldexp(_ones(m), 2),
    "nextafter_method": lambda m: _ones(m).nextafter(2.0), "igamma": lambda m: m.igamma(_ones(m), 2),
    "igammac_in_place": lambda m: _ones(m).igammac_(2), "special_gammainc": lambda m: m.special.gammainc(2, _ones(m)),
    "logical_and": lambda m: m.logical_and(_ones(m), 2), "logical_or_method": lambda m: _ones(m).logical_or(True),
    "polar": lambda m: m.polar(2.0, _ones(m)), "complex": lambda m: m.complex(_ones(m), 0.0),
    "dot": lambda m: m.dot(_ones(m), 2), "ger_method": lambda m: _ones(m).ger(2), "mv": lambda m: m.mv(m.ones(2, 3), 2),
    "mm_method": lambda m: m.ones(2, 3).mm(2), "matmul": lambda m: m.matmul(_ones(m), 2),
    "matmul_operator": lambda m: _ones(m) @ 2, "reflected_matmul_operator": lambda m: 2 @ _ones(m),
    "linalg_matmul": lambda m: m.linalg.matmul(_ones(m), 2), "linalg_vecdot": lambda m: m.linalg.vecdot(_ones(m), 2),
    "cross_method": lambda m: _ones(m).cross(2), "linalg_cross": lambda m: m.linalg.cross(2, _ones(m)),
    "dist": lambda m: m.dist(_ones(m), 2), "cdist": lambda m: m.cdist(m.ones(2, 3), 2),
    "take_method": lambda m: _ones(m).take(0), "masked_select": lambda m: m.masked_select(_ones(m), True),
    "linear": lambda m: m.nn.functional.linear(_ones(m), 2),
    "addcmul": lambda m: m.addcmul(_ones(m), _ones(m), 2), "addcdiv_method": lambda m: _ones(m).addcdiv(_ones(m), 2),
    "addcmul_in_place": lambda m: _ones(m).addcmul_(2, _ones(m)), "stack_a_tensor": lambda m: m.stack(_ones(m)),
    "cat_a_tensor": lambda m: m.cat(_ones(m)), "stack_a_number": lambda m: m.stack(2),
    "cat_a_number_inside": lambda m: m.cat([_ones(m), 2]), "hstack_a_tensor": lambda m: m.hstack(_ones(m)),
    "row_stack_a_tensor": lambda m: m.row_stack(_ones(m)),
    "dstack_a_number_inside": lambda m: m.dstack([_ones(m), 1.5]),
    "stack_an_array_inside": lambda m: m.stack([_ones(m), np.ones(3)]),
    "special_i0_array": lambda m: m.special.i0(np.ones(3)), "special_expit_list": lambda m: m.special.expit([1.0]),
    "special_softmax_array": lambda m: m.special.softmax(np.ones(3), 0),
    "special_airy_ai_array": lambda m: m.special.airy_ai(np.ones(3)),
    "special_bessel_j0_list": lambda m: m.special.bessel_j0([1.0]),
    "special_spherical_bessel_j0_list": lambda m: m.special.spherical_bessel_j0([1.0]),
    "special_polygamma_str": lambda m: m.special.polygamma("a", _ones(m)),
    "chebyshev_array": lambda m: m.special.chebyshev_polynomial_t(np.ones(3), 1),
    "hermite_two_numbers": lambda m: m.special.hermite_polynomial_h(1.0, 2),
    "add_fraction": lambda m: m.add(_ones(m), fractions.Fraction(1, 2)),
    "mul_decimal_first": lambda m: m.mul(decimal.Decimal("1.5"), _ones(m)),
    "fill_fraction": lambda m: m.full((2,), fractions.Fraction(1, 2)),
    "setitem_fraction": lambda m: _ones(m).__setitem__(0, fractions.Fraction(1, 2)),
    "add_counter": lambda m: m.add(_ones(m), collections.Counter()), "add_dtype": lambda m: m.add(_ones(m), m.float32),
    "add_ordered_dict": lambda m: m.add(_ones(m), collections.OrderedDict()),
    "cat_out_array": lambda m: m.cat([_ones(m), _ones(m)], out=np.ones(6)), "add_out_list": lambda m: m.add(
        _ones(m), 1, out=[_ones(m)]), "exp_out_number": lambda m: m.exp(_ones(m), out=3),
}


@pytest.mark.parametrize("name", list(TENSOR_ONLY))
def test_numbers_where_torch_takes_only_tensors(name):
    assert_raises_like_torch(TENSOR_ONLY[name])


@pytest.mark.parametrize("value", [2, 2.5, [1.0, 2.0], None])
def test_a_non_tensor_first_argument_is_refused_by_every_function_taking_a_tensor_first(value):
    for name, param in [*((n, "input") for n in sorted(FIRST_IS_INPUT)), *FIRST_NAMED.items()]:
        if name in NUMBERS_AS_TENSORS and not isinstance(value, (list, type(None))):
            continue
        message = f"{name}(): argument '{param}' (position 1) must be Tensor, not {type(value).__name__}"
        if _several_signatures_for_none_of_which_one_argument_is_enough(name):
            message = f"{name}() received an invalid combination of arguments - got ({type_name(value)}), "
        with pytest.raises(TypeError, match=f"^{re.escape(message)}"):
            getattr(lg, name)(value)


def _several_signatures_for_none_of_which_one_argument_is_enough(name: str) -> bool:
    """torch's parser then lists its signatures (conv1d(2), tensor_split(2)) rather than naming the input."""
    spans = _arities(INT_PARAMETERS[name][0], "f") if name in INT_PARAMETERS else None
    return bool(spans) and len(spans) > 1 and not any(low <= 1 <= high for low, high in spans)


@pytest.mark.parametrize("name", sorted(NUMBERS_AS_TENSORS))
def test_a_number_stands_in_for_the_first_tensor_of_arithmetic(name):
    """As in torch: `mul(2, x)` is `2 * x`, of x's dtype."""
    torch = pytest.importorskip("torch")
    got, want = getattr(lg, name)(2, lg.tensor([1.0, 3.0])), getattr(torch, name)(2, torch.tensor([1.0, 3.0]))
    assert str(got.dtype).split(".")[1] == str(want.dtype).split(".")[1] and got.tolist() == want.tolist()


def test_a_keyword_first_argument_is_refused_without_a_position():
    with pytest.raises(TypeError, match=r"^sum\(\): argument 'input' must be Tensor, not int$"):
        lg.sum(input=3)


class _Sentinel:
    """An argument no overload takes: torch's parser names the first parameter it fails."""


def _first_parameter(torch, name: str, count: int):
    """The parameter torch's parser demands a tensor for at position 1 of `name` called with `count` sentinels:
    its name, "?" when the call says nothing of the first argument (too many arguments), None otherwise."""
    try:
        getattr(torch, name)(*[_Sentinel() for _ in range(count)])
        return None
    except TypeError as error:
        message = str(error)
    except Exception:  # noqa: BLE001  (refused for another reason: nothing learnt)
        return None
    single = re.match(rf"{re.escape(name)}\(\): argument '(\w+)' \(position 1\) must be Tensor, not _Sentinel$",
                      message)
    if single:
        return single.group(1)
    if "received an invalid combination of arguments" in message:
        firsts = {line.strip()[3:].split(",")[0].rstrip(")").strip() for line in message.split("\n")[1:]
                  if line.strip().startswith("* (")}
        only = firsts.pop() if len(firsts) == 1 else ""
        return only.split()[1] if only.startswith("Tensor ") else None
    later = re.match(rf"{re.escape(name)}\(\): argument '\w+' \(position [2-9]\)", message)
    if later or "positional argument" in message:
        return "?"
    return None


def test_the_table_of_functions_taking_a_tensor_first_is_torchs():
    """Probing torch's parser with 1 to 4 arguments of a type no overload takes finds the same functions (among
    lazygrad's top-level names) and the same parameter names as the table."""
    torch = pytest.importorskip("torch")
    # (setters would keep a sentinel; cond, while_loop and compile start dynamo, which turns distribution
    # argument validation off for the whole process)
    names = [n for n in dir(lg) if not n.startswith(("_", "set_")) and n not in ("cond", "while_loop", "compile")
             and hasattr(torch, n) and callable(getattr(lg, n)) and not isinstance(getattr(lg, n), type)]
    found = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            seen = {_first_parameter(torch, name, count) for count in range(1, 5)} - {"?"}
            if len(seen) == 1 and None not in seen:
                found[name] = seen.pop()
    assert found == {**dict.fromkeys(FIRST_IS_INPUT, "input"), **FIRST_NAMED}


def test_the_table_of_later_tensor_parameters_is_torchs():
    """torch's parser, given tensors and one string at position k, names LATER_TENSORS' parameter k (and
    lazygrad refuses the same argument in the same words)."""
    torch = pytest.importorskip("torch")
    from lazygrad.tensor_parameters import LATER_TENSORS, first_name
    required_after = {"poisson_nll_loss": (True, False, 1e-8, 1)}  # (the rest of the aten form's arguments)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, later in LATER_TENSORS.items():
            params = (first_name(name), *later)
            for position in range(2, len(params) + 1):
                def call(m):
                    args = [m.ones(2, 2) for _ in params]
                    args[position - 1] = "a"
                    return getattr(m, name)(*args, *required_after.get(name, ()))
                want = f"{name}(): argument '{params[position - 1]}' (position {position}) must be Tensor, not str"
                for m in (torch, lg):
                    with pytest.raises(TypeError) as refusal:
                        call(m)
                    assert str(refusal.value) == want, (m.__name__, name)


def test_out_takes_a_tuple_of_tensors_for_several_results():
    """A tuple of outs receives a tuple result (max, sort, topk); one tensor where torch wants several, or a tuple
    where it wants one, is torch's TypeError; a tuple of outs for a result requiring grad is refused."""
    torch = pytest.importorskip("torch")

    def results(m):
        x = m.tensor([3.0, 1.0, 2.0])
        values, indices = m.empty(0), m.empty(0, dtype=m.long)
        got = m.topk(x, 2, out=[values, indices])
        written = [values.tolist(), indices.tolist(), got.values is values, type(got).__name__]
        for call in (lambda: m.sort(x, out=x), lambda: m.sort(x, out=np.ones(3)),
                     lambda: m.max(x.requires_grad_(), 0, out=(m.empty(0), m.empty(0, dtype=m.long)))):
            try:
                call()
            except (TypeError, RuntimeError) as e:
                written.append(type(e).__name__)
        return written
    assert results(lg) == results(torch)


def test_operators_take_numbers_as_torch_does():
    """A Fraction or a Decimal is no number to torch's parser: the operators give Python's TypeError (x == it is
    False); a NumPy array divided by a tensor is reciprocal(x) * array, a float64 tensor as torch's."""
    torch = pytest.importorskip("torch")

    def results(m):
        x = m.tensor([1.0, 2.0, 4.0])
        out = []
        for op in (lambda: x + fractions.Fraction(1, 2), lambda: decimal.Decimal(1) * x,
                   lambda: x < fractions.Fraction(1)):
            with pytest.raises(TypeError) as caught:
                op()
            out.append(str(caught.value))
        quotient = np.array([1.0, 2.0, 3.0]) / x
        return out + [x == fractions.Fraction(1, 2), type(quotient).__name__, str(quotient.dtype).split(".")[1],
                      quotient.tolist()]
    assert results(lg) == results(torch)
