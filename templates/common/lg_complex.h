/* Complex functions, written once over the real ones for both back ends. Each prelude defines
 * the complex types (lg_complex64 with float parts, lg_complex128 with double ones), their
 * arithmetic, and lg_cmake/lg_creal/lg_cimag/lg_conj with the suffix 'f' for float parts; this
 * file then defines the functions of LG_COMPLEX_FUNCTIONS(parts' type, suffix, complex type).
 * The formulas are the textbook ones with the usual care: exp and tanh keep an exact zero
 * imaginary part for real arguments, log near |z| = 1 (|z|^2 - 1 from exactly split squares), log1p
 * near 0, tanh near its poles (Kahan's form) and atan near +-i keep their accuracy (log1p of a larger z
 * is the log of 1 + z, exact there), tanh does not overflow for large real parts, and tanh and atan
 * give C99's values where a part is infinite. */
#pragma once

#define LG_COMPLEX_FUNCTIONS(T, S, C)                                                               \
  LG_FN T lg_cabs##S(C z) { return hypot##S(lg_creal##S(z), lg_cimag##S(z)); }                       \
  LG_FN bool lg_cisnan##S(C z) { return lg_creal##S(z) != lg_creal##S(z) || lg_cimag##S(z) != lg_cimag##S(z); } \
  LG_FN bool lg_cisinf##S(C z) { return fabs##S(lg_creal##S(z)) == INFINITY || fabs##S(lg_cimag##S(z)) == INFINITY; } \
  LG_FN C lg_cexp##S(C z) {                                                                          \
    T x = lg_creal##S(z), y = lg_cimag##S(z);                                                        \
    if (y == 0) return lg_cmake##S(lg_exp##S(x), y);                                                 \
    if (fabs##S(x) == INFINITY && !(fabs##S(y) < INFINITY)) /* C99's inf + iNaN, or 0 + i0 */         \
      return x > 0 ? lg_cmake##S(x, y - y) : lg_cmake##S(0, copysign##S((T)0, y));                   \
    T e = lg_exp##S(x);                                                                              \
    return lg_cmake##S(e * lg_cos##S(y), e * lg_sin##S(y));                                          \
  }                                                                                                  \
  LG_FN C lg_cexp2##S(C z) {                                                                         \
    const T ln2 = (T)0.693147180559945309417232121458176568;                                          \
    return lg_cexp##S(lg_cmake##S(lg_creal##S(z) * ln2, lg_cimag##S(z) * ln2));                       \
  }                                                                                                  \
  LG_FN C lg_cexpm1##S(C z) {                                                                        \
    T x = lg_creal##S(z), y = lg_cimag##S(z), half = lg_sin##S(y / 2);                               \
    return lg_cmake##S(lg_expm1##S(x) * lg_cos##S(y) - 2 * half * half, lg_exp##S(x) * lg_sin##S(y)); \
  }                                                                                                  \
  /* |z|^2 - 1 without cancellation near the unit circle: the squares split exactly by FMA (x^2 = xh + xl),  \
     xh - 1 + yh added with both rounding errors kept (TwoSum), the small parts added last */         \
  LG_FN T lg_cabs2m1##S(T x, T y) {                                                                  \
    T xh = x * x, xl = fma##S(x, x, -xh), yh = y * y, yl = fma##S(y, y, -yh);                        \
    T t = xh - 1, tb = t - xh, te = (xh - (t - tb)) + (-1 - tb);                                     \
    T s = t + yh, sb = s - t, se = (t - (s - sb)) + (yh - sb);                                       \
    return s + ((te + se) + (xl + yl));                                                              \
  }                                                                                                  \
  LG_FN C lg_clog##S(C z) {                                                                          \
    T x = lg_creal##S(z), y = lg_cimag##S(z), h = hypot##S(x, y);                                    \
    T re = (h > (T)0.7 && h < (T)1.5) ? lg_log1p##S(lg_cabs2m1##S(x, y)) / 2 : lg_log##S(h);         \
    return lg_cmake##S(re, lg_atan2##S(y, x));                                                       \
  }                                                                                                  \
  LG_FN C lg_clog2##S(C z) {                                                                         \
    const T inv_ln2 = (T)1.44269504088896340735992468100189214;                                        \
    C w = lg_clog##S(z);                                                                             \
    return lg_cmake##S(lg_creal##S(w) * inv_ln2, lg_cimag##S(w) * inv_ln2);                           \
  }                                                                                                  \
  LG_FN C lg_clog10##S(C z) {                                                                        \
    const T inv_ln10 = (T)0.434294481903251827651128918916605082;                                      \
    C w = lg_clog##S(z);                                                                             \
    return lg_cmake##S(lg_creal##S(w) * inv_ln10, lg_cimag##S(w) * inv_ln10);                         \
  }                                                                                                  \
  LG_FN C lg_clog1p##S(C z) { /* (a NaN part makes both NaN, as torch's) */                          \
    T x = lg_creal##S(z), y = lg_cimag##S(z);                                                        \
    if (x != x || y != y) return lg_cmake##S(x + y, x + y);                                          \
    if (fabs##S(x) >= (T)0.5 || fabs##S(y) >= (T)0.5) return lg_clog##S(lg_cmake##S(x + 1, y));      \
    T r = x * (2 + x) + y * y; /* (0 where it underflows or x is -0: x itself, as torch's) */          \
    return lg_cmake##S(r == 0 ? x : lg_log1p##S(r) / 2, lg_atan2##S(y, 1 + x));                       \
  }                                                                                                  \
  LG_FN C lg_csqrt##S(C z) {                                                                         \
    T x = lg_creal##S(z), y = lg_cimag##S(z);                                                        \
    if (x == 0 && y == 0) return lg_cmake##S(0, y);                                                  \
    if (fabs##S(y) == INFINITY) return lg_cmake##S(INFINITY, y);                                     \
    T t = sqrt##S((fabs##S(x) + hypot##S(x, y)) / 2);                                                \
    if (x >= 0) return lg_cmake##S(t, y / (2 * t));                                                  \
    return lg_cmake##S(fabs##S(y) / (2 * t), copysign##S(t, y));                                     \
  }                                                                                                  \
  LG_FN C lg_csinh##S(C z) { /* on the real axis the imaginary part stays a zero (not inf * 0) */    \
    T x = lg_creal##S(z), y = lg_cimag##S(z);                                                        \
    if (y == 0) return lg_cmake##S(lg_sinh##S(x), y);                                                \
    if (!(fabs##S(y) < INFINITY) && (x == 0 || fabs##S(x) == INFINITY)) /* C99's 0 or inf + iNaN */   \
      return lg_cmake##S(x == 0 ? x : INFINITY, y - y);                                              \
    return lg_cmake##S(lg_sinh##S(x) * lg_cos##S(y), lg_cosh##S(x) * lg_sin##S(y));                  \
  }                                                                                                  \
  LG_FN C lg_ccosh##S(C z) {                                                                         \
    T x = lg_creal##S(z), y = lg_cimag##S(z);                                                        \
    if (y == 0) return lg_cmake##S(lg_cosh##S(x), signbit(x) && x == x ? -y : y);                    \
    if (!(fabs##S(y) < INFINITY) && (x == 0 || fabs##S(x) == INFINITY)) /* C99's NaN + i0, inf + iNaN */ \
      return x == 0 ? lg_cmake##S(y - y, 0) : lg_cmake##S(INFINITY, y - y);                          \
    return lg_cmake##S(lg_cosh##S(x) * lg_cos##S(y), lg_sinh##S(x) * lg_sin##S(y));                  \
  }                                                                                                  \
  LG_FN C lg_csin##S(C z) { /* sin(z) = -i sinh(iz); glibc's NaN + i inf for an infinite y and x not finite */ \
    if (fabs##S(lg_cimag##S(z)) == INFINITY && !(fabs##S(lg_creal##S(z)) < INFINITY))                \
      return lg_cmake##S(lg_creal##S(z) - lg_creal##S(z), INFINITY);                                 \
    C w = lg_csinh##S(lg_cmake##S(-lg_cimag##S(z), lg_creal##S(z)));                                 \
    return lg_cmake##S(lg_cimag##S(w), -lg_creal##S(w));                                             \
  }                                                                                                  \
  LG_FN C lg_ccos##S(C z) { /* cos(z) = cosh(iz) */                                                  \
    return lg_ccosh##S(lg_cmake##S(-lg_cimag##S(z), lg_creal##S(z)));                                \
  }                                                                                                  \
  /* Kahan's form from t = tan(y), s = sinh(x): (b s cosh(x) + i t) / (1 + b s^2), b = 1 + t^2, which does  \
     not cancel near the poles (cosh(2x) + cos(2y) does) */                                          \
  LG_FN C lg_ctanh##S(C z) {                                                                         \
    T x = lg_creal##S(z), y = lg_cimag##S(z);                                                        \
    if (y == 0) return lg_cmake##S(lg_tanh##S(x), y);                                                \
    if (x == 0) return lg_cmake##S(x, lg_tan##S(y)); /* i tan(y) on the imaginary axis (NaN for y = inf) */ \
    if (fabs##S(x) == INFINITY)                                                                      \
      return lg_cmake##S(copysign##S((T)1, x), copysign##S((T)0, fabs##S(y) < INFINITY ? lg_sin##S(2 * y) : y)); \
    if (fabs##S(x) > (sizeof(T) == 4 ? 12 : 22)) { /* tanh(x) is +-1 to the last bit, b s^2 might overflow: \
      the imaginary part is 2 sin(2y) e^(-2|x|); an infinite or NaN y makes both parts NaN */        \
      T s2 = lg_sin##S(2 * y);                                                                       \
      return lg_cmake##S(copysign##S((T)1, x) + 0 * s2, 2 * s2 * lg_exp##S(-2 * fabs##S(x)));         \
    }                                                                                                \
    T t = lg_tan##S(y), s = lg_sinh##S(x), b = 1 + t * t, d = 1 + b * s * s;                          \
    return lg_cmake##S(b * s * sqrt##S(1 + s * s) / d, t / d);                                       \
  }                                                                                                  \
  LG_FN C lg_ctan##S(C z) { /* tan(z) = -i tanh(iz) */                                               \
    C w = lg_ctanh##S(lg_cmake##S(-lg_cimag##S(z), lg_creal##S(z)));                                 \
    return lg_cmake##S(lg_cimag##S(w), -lg_creal##S(w));                                             \
  }                                                                                                  \
  /* Kahan's forms from sqrt(1 - z) and sqrt(1 + z), their signed zeros kept, so each side of a branch  \
     cut is the C99 one (asin(2 + 0i) = pi/2 + 1.317i); C99's values where a part is infinite, or     \
     the real part is 0 and the imaginary one NaN */                                                 \
  LG_FN C lg_casin##S(C z) {                                                                         \
    const T quarter_pi = (T)0.785398163397448309615660845819875721;                                   \
    T x = lg_creal##S(z), y = lg_cimag##S(z);                                                        \
    if (fabs##S(x) == INFINITY || fabs##S(y) == INFINITY) {                                          \
      if (x != x || y != y) return lg_cmake##S(x + y, x != x ? copysign##S(INFINITY, y) : INFINITY);  \
      T turn = fabs##S(y) == INFINITY ? (fabs##S(x) == INFINITY ? 1 : 0) : 2;                       \
      return lg_cmake##S(copysign##S(turn * quarter_pi, x), copysign##S(INFINITY, y));               \
    }                                                                                                \
    if (x == 0 && y != y) return z;                                                                  \
    C a = lg_csqrt##S(lg_cmake##S(1 - x, -y)), b = lg_csqrt##S(lg_cmake##S(1 + x, y));               \
    T ar = lg_creal##S(a), ai = lg_cimag##S(a), br = lg_creal##S(b), bi = lg_cimag##S(b);            \
    return lg_cmake##S(lg_atan2##S(x, ar * br - ai * bi), asinh##S(ar * bi - ai * br));           \
  }                                                                                                  \
  LG_FN C lg_cacos##S(C z) {                                                                         \
    const T quarter_pi = (T)0.785398163397448309615660845819875721;                                   \
    T x = lg_creal##S(z), y = lg_cimag##S(z);                                                        \
    if (fabs##S(x) == INFINITY || fabs##S(y) == INFINITY) {                                          \
      if (x != x || y != y) return lg_cmake##S(x + y, x != x ? -y : -INFINITY);                      \
      T sx = copysign##S((T)1, x), turn = fabs##S(y) == INFINITY ? (fabs##S(x) == INFINITY ? 2 - sx : 2) : 2 - 2 * sx; \
      return lg_cmake##S(turn * quarter_pi, copysign##S(INFINITY, -y));                              \
    }                                                                                                \
    if (x == 0 && y != y) return lg_cmake##S(2 * quarter_pi, y);                                     \
    C a = lg_csqrt##S(lg_cmake##S(1 - x, -y)), b = lg_csqrt##S(lg_cmake##S(1 + x, y));               \
    T ar = lg_creal##S(a), ai = lg_cimag##S(a), br = lg_creal##S(b), bi = lg_cimag##S(b);            \
    return lg_cmake##S(2 * lg_atan2##S(ar, br), asinh##S(br * ai - bi * ar));                     \
  }                                                                                                  \
  LG_FN C lg_catan##S(C z) { /* atan2(2x, 1 - |z|^2) / 2 + i sign(y) log1p(4|y| / (x^2 + (1 - |y|)^2)) / 4:  \
    both parts keep their digits near 0, near +-i and far out (where atan(z) = pi/2 - 1/z) */        \
    const T half_pi = (T)1.57079632679489661923132169163975144;                                       \
    T x = lg_creal##S(z), y = lg_cimag##S(z);                                                        \
    if (fabs##S(x) == INFINITY || fabs##S(y) == INFINITY) /* C99's: pi/2 (NaN for a NaN x) + i0 */     \
      return lg_cmake##S(x != x ? x : copysign##S(half_pi, x), copysign##S((T)0, y));                \
    if (y == 0 && x != x) return z;                                                                  \
    if (fabs##S(x) > (T)1e8 || fabs##S(y) > (T)1e8) {                                                \
      T h = hypot##S(x, y);                                                                          \
      return lg_cmake##S(copysign##S(half_pi, x) - x / h / h, y / h / h);                            \
    }                                                                                                \
    T re = lg_atan2##S(2 * x, 0 - lg_cabs2m1##S(x, y)) / 2, ay = fabs##S(y); /* (0 -: +0 on the circle) */ \
    return lg_cmake##S(re, copysign##S(lg_log1p##S(4 * ay / (x * x + (1 - ay) * (1 - ay))) / 4, y));   \
  }                                                                                                  \
  LG_FN C lg_cdiv##S(C x, C y) { /* torch's quotient: Smith's method, its sums fused as torch's build fuses them */ \
    T a = lg_creal##S(x), b = lg_cimag##S(x), c = lg_creal##S(y), d = lg_cimag##S(y);                \
    if (fabs##S(c) >= fabs##S(d)) {                                                                   \
      if (c == 0 && d == 0) return lg_cmake##S(a / fabs##S(c), b / fabs##S(d));                      \
      T rat = d / c, scl = 1 / fma##S(d, rat, c);                                                    \
      return lg_cmake##S(fma##S(b, rat, a) * scl, fma##S(-a, rat, b) * scl);                         \
    }                                                                                                \
    T rat = c / d, scl = 1 / fma##S(c, rat, d);                                                      \
    return lg_cmake##S(fma##S(a, rat, b) * scl, fma##S(b, rat, -a) * scl);                           \
  }                                                                                                  \
  LG_FN C lg_cpow##S(C a, C b) { /* exp(b log a); 0 to a power with a positive real part is 0 */     \
    if (lg_creal##S(b) == 0 && lg_cimag##S(b) == 0) return lg_cmake##S(1, 0);                        \
    if (lg_creal##S(a) == 0 && lg_cimag##S(a) == 0 && lg_cimag##S(b) == 0 && lg_creal##S(b) > 0)     \
      return lg_cmake##S(0, 0);                                                                      \
    return lg_cexp##S(b * lg_clog##S(a));                                                            \
  }

LG_COMPLEX_FUNCTIONS(float, f, lg_complex64)
LG_COMPLEX_FUNCTIONS(double, , lg_complex128)
