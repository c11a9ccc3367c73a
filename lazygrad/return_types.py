"""The named results of ops that return several tensors (torch.return_types): tuples with fields,
printed as torch prints them, with `lazygrad.` for `torch.`."""
from __future__ import annotations

from collections import namedtuple

__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "aminmax", "cummax", "cummin",
           "linalg_inv_ex", "linalg_cholesky_ex", "linalg_solve_ex", "linalg_slogdet", "slogdet", "linalg_eigh", "linalg_eig",
           "linalg_qr", "qr", "linalg_svd", "svd", "triangular_solve", "linalg_lstsq", "mode", "histogram", "histogramdd",
           "frexp",
           "linalg_lu_factor", "linalg_lu_factor_ex", "linalg_lu", "lu_unpack", "linalg_ldl_factor",
           "linalg_ldl_factor_ex"]


def _result_type(name: str, fields: tuple[str, ...]) -> type:
    def __repr__(self) -> str:
        shown = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
        return f"lazygrad.return_types.{name}(\n{shown})"
    return type(name, (namedtuple(name, fields),), {"__slots__": (), "__repr__": __repr__, "__module__": __name__})


_VALUES_INDICES = ("values", "indices")
max = _result_type("max", _VALUES_INDICES)  # noqa: A001  (torch's names)
min = _result_type("min", _VALUES_INDICES)  # noqa: A001
sort = _result_type("sort", _VALUES_INDICES)
topk = _result_type("topk", _VALUES_INDICES)
kthvalue = _result_type("kthvalue", _VALUES_INDICES)
median = _result_type("median", _VALUES_INDICES)
nanmedian = _result_type("nanmedian", _VALUES_INDICES)
aminmax = _result_type("aminmax", ("min", "max"))
cummax = _result_type("cummax", _VALUES_INDICES)
cummin = _result_type("cummin", _VALUES_INDICES)
linalg_inv_ex = _result_type("linalg_inv_ex", ("inverse", "info"))
linalg_cholesky_ex = _result_type("linalg_cholesky_ex", ("L", "info"))
linalg_solve_ex = _result_type("linalg_solve_ex", ("result", "info"))
linalg_slogdet = _result_type("linalg_slogdet", ("sign", "logabsdet"))
slogdet = _result_type("slogdet", ("sign", "logabsdet"))
linalg_eigh = _result_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_eig = _result_type("linalg_eig", ("eigenvalues", "eigenvectors"))
linalg_qr = _result_type("linalg_qr", ("Q", "R"))
qr = _result_type("qr", ("Q", "R"))
geqrf = _result_type("geqrf", ("a", "tau"))
linalg_svd = _result_type("linalg_svd", ("U", "S", "Vh"))
svd = _result_type("svd", ("U", "S", "V"))
triangular_solve = _result_type("triangular_solve", ("solution", "cloned_coefficient"))
linalg_lstsq = _result_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
mode = _result_type("mode", _VALUES_INDICES)
histogram = _result_type("histogram", ("hist", "bin_edges"))
histogramdd = _result_type("histogramdd", ("hist", "bin_edges"))
frexp = _result_type("frexp", ("mantissa", "exponent"))
linalg_lu_factor = _result_type("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _result_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_ldl_factor = _result_type("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex = _result_type("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
linalg_lu = _result_type("linalg_lu", ("P", "L", "U"))
lu_unpack = _result_type("lu_unpack", ("P", "L", "U"))


# what ops given out= return: the same fields under the name with `_out` (histogramdd takes no out)
OUT_TYPES = {cls: _result_type(f"{name}_out", cls._fields)
             for name, cls in list(globals().items()) if name in __all__ and name != "histogramdd"}
globals().update({out.__name__: out for out in OUT_TYPES.values()})
__all__ += [out.__name__ for out in OUT_TYPES.values()]
