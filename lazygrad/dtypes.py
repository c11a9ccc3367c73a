"""Data types with torch's names and torch's type-promotion rules (a leaf module)."""
from __future__ import annotations


import numpy as np


class DType:
    """A tensor element type. One instance per type, so `is` and `==` agree."""
    __module__ = "lazygrad"  # shown as torch shows its classes: <class 'lazygrad.dtype'>
    __qualname__ = "dtype"

    __slots__ = ("name", "itemsize", "kind", "_np", "rank")

    def __init__(self, name: str, itemsize: int, kind: str, np_dtype: type | None, rank: int):
        self.name = name
        self.itemsize = itemsize
        self.kind = kind  # 'b' bool, 'u' unsigned int, 'i' signed int, 'f' float, 'c' complex
        self._np = None if np_dtype is None else np.dtype(np_dtype)
        self.rank = rank  # order used by promotion within a kind

    @property
    def np(self) -> np.dtype:
        """The NumPy dtype holding these elements. bfloat16's is ml_dtypes', imported when first needed: the
        import takes about half a second, most of what `import lazygrad` would otherwise cost."""
        if self._np is None:
            import ml_dtypes
            self._np = np.dtype(ml_dtypes.bfloat16)
        return self._np

    @property
    def is_floating_point(self) -> bool:
        return self.kind == "f"

    @property
    def is_complex(self) -> bool:
        return self.kind == "c"

    @property
    def is_signed(self) -> bool:
        return self.kind in "ifc"

    @property
    def is_integer(self) -> bool:
        return self.kind in "ui"

    def __repr__(self) -> str:
        return f"lazygrad.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_complex(self) -> DType:
        """The complex type whose parts are this float type (a complex type maps to itself; there is no
        complex32, so float16 and bfloat16 map to complex64)."""
        return self if self.kind == "c" else complex128 if self is float64 else complex64

    def to_real(self) -> DType:
        """The float type of a complex type's parts (a real type maps to itself)."""
        return {complex64: float32, complex128: float64}.get(self, self)


bool_ = DType("bool", 1, "b", np.bool_, 0)
uint8 = DType("uint8", 1, "u", np.uint8, 1)
# torch's wider unsigned types: stored, converted and printed; torch promotes them with no other type
uint16 = DType("uint16", 2, "u", np.uint16, 2)
uint32 = DType("uint32", 4, "u", np.uint32, 3)
uint64 = DType("uint64", 8, "u", np.uint64, 4)
int8 = DType("int8", 1, "i", np.int8, 1)
int16 = DType("int16", 2, "i", np.int16, 2)
int32 = DType("int32", 4, "i", np.int32, 3)
int64 = DType("int64", 8, "i", np.int64, 4)
float16 = DType("float16", 2, "f", np.float16, 1)
# numpy has no bfloat16: ml_dtypes' (rounding to nearest even, as torch's conversions do)
bfloat16 = DType("bfloat16", 2, "f", None, 1)
float32 = DType("float32", 4, "f", np.float32, 2)
float64 = DType("float64", 8, "f", np.float64, 3)
# a complex value is its two float parts side by side, as in numpy and C99 (rank: the parts' rank)
complex64 = DType("complex64", 8, "c", np.complex64, 2)
complex128 = DType("complex128", 16, "c", np.complex128, 3)

ALL_DTYPES: tuple[DType, ...] = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
                                 complex64, complex128)
# the unsigned types torch keeps apart: no legacy tensor or storage classes, no promotion with other integers
LIMITED_UNSIGNED: tuple[DType, ...] = (uint16, uint32, uint64)

# torch's aliases: lg.float is float32, lg.long is int64, ...
ALIASES: dict[str, DType] = {
    "bool": bool_, "uint8": uint8, "uint16": uint16, "uint32": uint32, "uint64": uint64, "int8": int8,
    "int16": int16, "short": int16, "int32": int32, "int": int32, "int64": int64, "long": int64,
    "float16": float16, "half": float16, "bfloat16": bfloat16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "complex64": complex64, "cfloat": complex64,
    "complex128": complex128, "cdouble": complex128,
}

_FROM_NUMPY: dict[np.dtype, DType] = {d.np: d for d in ALL_DTYPES + LIMITED_UNSIGNED if d is not bfloat16}


# how torch names each type in error messages: 'Float' in kernel messages, 'float' in C-type messages
TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "uint16": "UInt16",
               "uint32": "UInt32", "uint64": "UInt64", "bool": "Bool",
               "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
           "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "uint16": "short unsigned int", "uint32": "unsigned int", "uint64": "long unsigned int",
           "bool": "bool", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


# the C types torch names when a Python scalar does not fit the type its kernel computes in
SCALAR_C_TYPES = {"uint8": "uint8_t", "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t",
                  "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t", "float16": "c10::Half",
                  "bfloat16": "c10::BFloat16", "float32": "float", "float64": "double"}


def opmath(dtype: DType) -> DType:
    """The type torch computes a dtype's arithmetic and sums in: float32 for float16 and bfloat16."""
    return float32 if dtype is float16 or dtype is bfloat16 else dtype


def torch_name(dtype: DType) -> str:
    return TORCH_NAMES[dtype.name]


# the dtypes with a legacy tensor type (torch.FloatTensor): torch's messages name the others CPUBoolType and so on
_LEGACY_TYPED = frozenset({"Float", "Double", "Half", "Byte", "Char", "Short", "Int", "Long"})


def type_string(dtype: DType) -> str:
    """How torch's argument checks name a CPU tensor's type: torch.FloatTensor, CPUBoolType, ..."""
    name = torch_name(dtype)
    return f"torch.{name}Tensor" if name in _LEGACY_TYPED else f"CPU{name}Type"  # (as Tensor.type() names it)


def check_python_int(value) -> None:
    """torch reads a Python int as an int64, else as a uint64: one fitting neither is refused."""
    if type(value) is int and not -(1 << 63) <= value < (1 << 64):
        raise OverflowError("int too big to convert" if value > 0 else "can't convert negative int to unsigned")


def can_cast(from_: DType, to: DType) -> bool:
    """torch.can_cast: no float into an integer, nothing non-bool into bool."""
    if not (isinstance(from_, DType) and isinstance(to, DType)):
        from .int_parameters import type_name
        name, position, value = ("from_", 1, from_) if not isinstance(from_, DType) else ("to", 2, to)
        raise TypeError(f"can_cast(): argument '{name}' (position {position}) must be lazygrad.dtype, not "
                        f"{type_name(value)}")
    return _KIND_ORDER[from_.kind] <= _KIND_ORDER[to.kind]


def _by_name(name: str) -> DType:
    return ALIASES[name]


def from_numpy_dtype(npdt) -> DType:
    """The lazygrad dtype of a NumPy dtype; TypeError (torch's class) for unsupported ones."""
    npdt = np.dtype(npdt)
    if not npdt.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion between "
                         "byte orders is currently not supported.")
    dt = bfloat16 if npdt.name == "bfloat16" else _FROM_NUMPY.get(npdt)  # (an array of ml_dtypes' bfloat16)
    if dt is None:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{npdt.type.__name__}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, "
            "uint8, and bool.")
    return dt


# the Python types torch's parser takes for a dtype
_PYTHON_TYPES = {bool: "bool", int: "int64", float: "float64", complex: "complex128"}


_HEAP_TYPE = 1 << 9  # (CPython's Py_TPFLAGS_HEAPTYPE: a class defined in Python, whose tp_name is its bare name)


def qualified_name(kind: type) -> str:
    """A type as torch's messages name it (its tp_name): builtins and classes defined in Python bare (Fraction,
    Counter), C types with their module (numpy.ndarray, collections.OrderedDict), and lazygrad's as torch's C
    types are named (lazygrad.dtype)."""
    if kind.__module__ == "builtins" or kind.__flags__ & _HEAP_TYPE and not kind.__module__.startswith("lazygrad"):
        return kind.__name__
    return f"{kind.__module__}.{kind.__qualname__}"


def to_dtype(obj, fn: str | None = None, param: str = "dtype") -> DType:
    """A dtype argument as torch's parser reads it: a dtype or Python's bool/int/float/complex; anything else
    (a NumPy dtype, a string) is its TypeError, naming fn's parameter where fn is given."""
    if isinstance(obj, DType):
        return obj
    if isinstance(obj, type) and obj in _PYTHON_TYPES:
        return _by_name(_PYTHON_TYPES[obj])
    raise TypeError(f"{fn + '(): ' if fn else ''}argument '{param}' must be lazygrad.dtype, not "
                    f"{qualified_name(type(obj))}")


_default_float = float32


def get_default_dtype() -> DType:
    return _default_float


def set_default_dtype(d: DType) -> None:
    global _default_float
    d = to_dtype(d)
    if d not in (float32, float64, float16, bfloat16):
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


_KIND_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _refuse_types(type1, type2) -> None:
    """torch's parser error for promote_types given something other than two dtypes."""
    from .int_parameters import type_name
    position = 1 if not isinstance(type1, DType) else 2
    raise TypeError(f"promote_types(): argument 'type{position}' (position {position}) must be lazygrad.dtype, not "
                    f"{type_name((type1, type2)[position - 1])}")


def promote_types(type1: DType, type2: DType) -> DType:
    """torch.promote_types: bool < integers < floats < complex; a float wins over any integer, and a
    complex type with a float takes the wider of their parts (complex64 with float64 is complex128)."""
    if type1 is type2:
        return type1
    if not (isinstance(type1, DType) and isinstance(type2, DType)):
        _refuse_types(type1, type2)
    ka, kb = _KIND_ORDER[type1.kind], _KIND_ORDER[type2.kind]
    if (type1 in LIMITED_UNSIGNED or type2 in LIMITED_UNSIGNED) and "f" not in (type1.kind, type2.kind):
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                           f"{torch_name(type1)} and {torch_name(type2)}")
    if "c" in (type1.kind, type2.kind):
        if ka < 2 or kb < 2:
            return type1 if ka > kb else type2
        return promote_types(type1.to_real(), type2.to_real()).to_complex()
    if ka != kb:
        return type1 if ka > kb else type2
    if type1.kind == "f":
        if type1.rank == type2.rank:  # float16 with bfloat16: neither holds the other
            return float32
        return type1 if type1.rank > type2.rank else type2
    # both integers: signed/unsigned mixing follows torch (uint8 with int8 gives int16)
    if type1.kind == type2.kind:
        return type1 if type1.rank > type2.rank else type2
    u, s = (type1, type2) if type1.kind == "u" else (type2, type1)
    return s if s.itemsize > u.itemsize else int16 if u.itemsize == 1 else int64


def _combine(higher: DType | None, lower: DType | None) -> DType | None:
    """torch's combine_categories: a lower-priority participant only matters if it is of a higher kind."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.kind == "c":
        return higher
    if lower.kind == "c":  # a float tensor with a complex scalar: its own width, complex
        return higher.to_complex() if higher.kind == "f" else lower
    if higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


# a NumPy scalar read as torch's parser reads it: by kind, a NumPy bool as a float (torch.full((2,), np.True_) is
# float32, torch.arange(3) + np.True_ too)
_PYTHON_NUMBER_OF = ((np.bool_, float), (np.integer, int), (np.floating, float), (np.complexfloating, complex))
# what torch's parser takes for a Scalar and for a float parameter: Python's and NumPy's numbers (a NumPy bool read as
# a float), not every numbers.Number (a Fraction or a Decimal is refused, as torch's)
NUMBER_TYPES = (bool, int, float, complex, np.number, np.bool_)
REAL_TYPES = (bool, int, float, np.integer, np.floating, np.bool_)


def python_scalar(value):
    """value as a Python number when it is a NumPy scalar (where NumPy's own arithmetic would wrap a uint8 or
    round to float16), else value itself."""
    if isinstance(value, np.generic):
        for kind, number in _PYTHON_NUMBER_OF:
            if isinstance(value, kind):
                return number(value)
    return value


def scalar_dtype(value) -> DType:
    """The dtype a Python scalar takes on its own (a float takes the default dtype)."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (complex, np.complexfloating)):
        return get_default_dtype().to_complex()
    return get_default_dtype()


def _scalar_keeps(dt: DType, value) -> bool:
    """A Python scalar of the same or a lower kind leaves a tensor's dtype as it is."""
    t = type(value)
    return (t is float and dt.kind in "fc") or (t is int and dt.kind in "uifc") or t is bool or \
        (t is complex and dt.kind == "c")


def result_type(*operands) -> DType:
    """torch.result_type over tensors (objects with .dtype and .ndim) and Python scalars.

    Tensors with dimensions decide first; 0-d tensors and then Python scalars only raise the
    result when they are of a higher kind (bool < int < float), as in torch.
    """
    if len(operands) == 2:  # the common case: two tensors with dims and one dtype
        a, b = operands
        da, db = getattr(a, "dtype", None), getattr(b, "dtype", None)
        if da is db and isinstance(da, DType) and a.ndim and b.ndim:
            return da
        if isinstance(da, DType) and db is None and a.ndim and _scalar_keeps(da, b):
            return da
    dim = zero = wrapped = None
    for op in operands:
        dt = getattr(op, "dtype", None)
        if isinstance(dt, DType):
            if op.ndim > 0:
                dim = dt if dim is None else promote_types(dim, dt)
            else:
                zero = dt if zero is None else promote_types(zero, dt)
        else:
            dt = scalar_dtype(op)
            wrapped = dt if wrapped is None else promote_types(wrapped, dt)
    out = _combine(dim, _combine(zero, wrapped))
    assert out is not None
    return out

