#pragma once
/*
 * lazygrad C prelude: float32 elementary functions for generated kernels.
 *
 * Why this exists: without -ffast-math gcc will not vectorize calls to libm's expf/tanhf/...
 * These versions are static inline, branch-free (bit-mask selects), libm-free and, but for one
 * read-only table of 2/pi's bits (large trigonometric arguments, read by a vector gather), table-free,
 * with no global state, so a `#pragma omp simd` loop over them compiles to straight SIMD code
 * (AVX-512/AVX2). Only fabsf/copysignf/sqrtf/fmaf are used, as builtins: with -fno-math-errno
 * they are single instructions.
 *
 * Accuracy against float64 numpy rounded to float32 (tests/test_cmath_prelude.py), checked
 * over every float32 input for the unary functions: max 1 ulp for exp, exp2, expm1, log, log2,
 * log10, log1p, cosh, erf, acos; 2 ulp for sinh, tanh, asin, atan, sin, cos, tan, atan2;
 * powf (computed in double) 1 ulp on 1.5e8 sampled pairs. Subnormal inputs and results are
 * included in those bounds; NaN, +-inf, +-0 follow IEEE/C99 (what numpy does).
 * sin/cos/tan reduce their argument in double, with pi/2 in three doubles below 2^19 and from 2^19
 * up with the bits of 2/pi the argument's exponent needs (a table): the bounds above hold for every
 * float, with or without FMA (tan: 3 ulp without).
 *
 * Needs round-to-nearest and no -ffast-math (NaN/inf must behave); correct with or without
 * gcc's FMA contraction. The error-free steps use hardware FMA where the target has it; without
 * it (plain x86-64) everything stays within 2 ulp except tan (3 ulp), sin/cos/tan for |x| <= 1e6.
 *
 * Double versions are thin wrappers around libm: float64 accuracy matters more than speed.
 */
#include <math.h>
#include <stdint.h>

#define LG_MATH_INLINE static inline __attribute__((always_inline))

#if defined(__FMA__) || defined(__FMA4__) || defined(__AVX512F__) || defined(__ARM_FEATURE_FMA)
#define LG__HAVE_FMA 1
#define LG__FMAF(a, b, c) __builtin_fmaf((a), (b), (c))
#define LG__FMA(a, b, c) __builtin_fma((a), (b), (c))
#else /* no hardware FMA: a call to fmaf would block vectorization, so accept the rounding */
#define LG__FMAF(a, b, c) ((a) * (b) + (c))
#define LG__FMA(a, b, c) ((a) * (b) + (c))
#endif

/* ------------------------------------------------------------------ bit helpers */

LG_MATH_INLINE int32_t lg__f2i(float x) { int32_t i; __builtin_memcpy(&i, &x, 4); return i; }
LG_MATH_INLINE float lg__i2f(int32_t i) { float x; __builtin_memcpy(&x, &i, 4); return x; }
LG_MATH_INLINE int64_t lg__d2l(double x) { int64_t i; __builtin_memcpy(&i, &x, 8); return i; }
LG_MATH_INLINE double lg__l2d(int64_t i) { double x; __builtin_memcpy(&x, &i, 8); return x; }

/* Selects. gcc will not if-convert a `c ? a : b` whose arms contain floating-point arithmetic
 * (with the default -ftrapping-math an FP op may trap, so it must stay conditional), and its
 * code sinking moves arithmetic that feeds only one arm into that arm. Selecting through a bit
 * mask has no arm to sink into; gcc turns it into one blend (vpblendvb, or a masked move). */
LG_MATH_INLINE float lg__sel(int32_t c, float a, float b)
{
    int32_t m = -(int32_t)(c != 0);
    return lg__i2f((lg__f2i(a) & m) | (lg__f2i(b) & ~m));
}
LG_MATH_INLINE int32_t lg__seli(int32_t c, int32_t a, int32_t b)
{
    int32_t m = -(int32_t)(c != 0);
    return (a & m) | (b & ~m);
}
LG_MATH_INLINE double lg__seld(int64_t c, double a, double b)
{
    int64_t m = -(int64_t)(c != 0);
    return lg__l2d((lg__d2l(a) & m) | (lg__d2l(b) & ~m));
}

/* 2^k as a float, k in [-126, 127] (normal range only). */
LG_MATH_INLINE float lg__pow2i(int32_t k) { return lg__i2f((int32_t)((uint32_t)(k + 127) << 23)); }

/* p * 2^k for k in [-152, 130]: two exact-range factors, so the only rounding is the last
 * multiply; this gives correctly rounded subnormals and overflow to inf at the right place. */
LG_MATH_INLINE float lg__scale(float p, int32_t k)
{
    int32_t k1 = k >> 1;
    return (p * lg__pow2i(k1)) * lg__pow2i(k - k1);
}

/* Round to nearest integer for |x| < 2^22 by adding 1.5*2^23; the low bits of the sum hold the
 * integer, so no float->int conversion is needed (and NaN/inf cannot trap). */
#define LG__INF __builtin_inff()
#define LG__NAN __builtin_nanf("")
#define LG__MAGIC 0x1.8p23f
#define LG__MAGIC_BITS 0x4b400000

/* ------------------------------------------------------------------ exp family */

/* x = k*ln2 + r, |r| <= ln2/2 (plus rounding slack). ln2 split in a 12-bit head (k*head is
 * exact for |k| < 2^12) and a float tail. Valid for |x| < 2^21. */
LG_MATH_INLINE float lg__exp_reduce(float x, int32_t *k)
{
    float kf = LG__FMAF(x, 0x1.715476p+0f, LG__MAGIC);
    *k = lg__f2i(kf) - LG__MAGIC_BITS;
    kf -= LG__MAGIC;
    float r = LG__FMAF(kf, -0x1.62ep-1f, x);
    return LG__FMAF(kf, -0x1.0bfbe8p-15f, r);
}

/* exp(r) on |r| <= 0.347: minimax degree 6, rel. error 3e-9. */
LG_MATH_INLINE float lg__exp_poly(float r)
{
    float p = 0x1.6a496p-10f;
    p = LG__FMAF(p, r, 0x1.1239ap-7f);
    p = LG__FMAF(p, r, 0x1.5558b4p-5f);
    p = LG__FMAF(p, r, 0x1.555492p-3f);
    p = LG__FMAF(p, r, 0x1.fffffcp-2f);
    p = LG__FMAF(p, r, 1.0f);
    return LG__FMAF(p, r, 1.0f);
}

/* expm1(r) on |r| <= 0.347, r + r^2*P(r) keeps relative accuracy near 0: rel. error 4e-10. */
LG_MATH_INLINE float lg__expm1_poly(float r)
{
    float p = 0x1.9e7c7ap-13f;
    p = LG__FMAF(p, r, 0x1.6d3a5ep-10f);
    p = LG__FMAF(p, r, 0x1.1112d4p-7f);
    p = LG__FMAF(p, r, 0x1.5554f8p-5f);
    p = LG__FMAF(p, r, 0x1.555554p-3f);
    p = LG__FMAF(p, r, 0.5f);
    return LG__FMAF(r * r, p, r);
}

/* clamp to [lo, hi]; NaN stays NaN */
LG_MATH_INLINE float lg__clamp(float x, float lo, float hi)
{
    x = lg__sel(x > hi, hi, x);
    return lg__sel(x < lo, lo, x);
}

LG_MATH_INLINE float lg_expf(float x)
{
    /* exp overflows above 88.72 and rounds to 0 below -103.97: clamping keeps k in range and
     * lg__scale then produces inf / subnormals / 0 itself. */
    int32_t k;
    float r = lg__exp_reduce(lg__clamp(x, -104.0f, 89.0f), &k);
    return lg__scale(lg__exp_poly(r), k);
}

LG_MATH_INLINE float lg_exp2f(float x)
{
    float xc = lg__clamp(x, -151.0f, 129.0f);
    float kf = xc + LG__MAGIC;
    int32_t k = lg__f2i(kf) - LG__MAGIC_BITS;
    float r = xc - (kf - LG__MAGIC); /* exact */
    /* 2^r on |r| <= 0.5: minimax degree 6, rel. error 3e-9 */
    float p = 0x1.4174e4p-13f;
    p = LG__FMAF(p, r, 0x1.5f0976p-10f);
    p = LG__FMAF(p, r, 0x1.3b2dd8p-7f);
    p = LG__FMAF(p, r, 0x1.c6af7ap-5f);
    p = LG__FMAF(p, r, 0x1.ebfbdcp-3f);
    p = LG__FMAF(p, r, 0x1.62e43p-1f);
    p = LG__FMAF(p, r, 1.0f);
    return lg__scale(p, k);
}

/* expm1 for x already clamped to [-30, 89]. With e^x = 2^k (1 + q):
 * expm1(x) = 2^k * (q + (1 - 2^-k)); 1 - 2^-k is exact for |k| <= 24 and the sum is the only
 * cancellation-prone step, so it is done once, in float, before the exact scaling. */
LG_MATH_INLINE float lg__expm1_core(float x)
{
    int32_t k;
    float r = lg__exp_reduce(x, &k);
    float q = lg__expm1_poly(r);
    int32_t kt = lg__seli(k > 60, 60, k); /* 1 - 2^-60 == 1 in float; keeps 2^-kt normal */
    float t = 1.0f - lg__pow2i(-kt);
    return lg__scale(q + t, k);
}

LG_MATH_INLINE float lg_expm1f(float x)
{
    /* expm1(x) rounds to -1 below -17.4 */
    float res = lg__expm1_core(lg__clamp(x, -30.0f, 89.0f));
    return lg__sel(x == 0.0f, x, res); /* keep the sign of zero */
}

/* ------------------------------------------------------------------ log family */

/* x > 0 finite (normal or subnormal): x = 2^e * m, m in [sqrt(1/2), sqrt(2)). Returns f = m - 1
 * (exact) and e as a float. Other inputs give garbage that the callers select away. */
LG_MATH_INLINE float lg__log_reduce(float x, float *e)
{
    int32_t sub = x < 0x1p-126f;
    float xs = lg__sel(sub, x * 0x1p23f, x);
    int32_t ix = lg__f2i(xs) - 0x3f3504f3; /* bits of sqrt(1/2) */
    int32_t ei = (ix >> 23) - (-sub & 23);
    float m = lg__i2f((ix & 0x007fffff) + 0x3f3504f3);
    *e = (float)ei;
    return m - 1.0f;
}

/* log1p(f) - f on f in [-0.293, 0.415] as f^2 * P(f): minimax degree 10, rel. error 4e-9. */
LG_MATH_INLINE float lg__log1p_tail(float f)
{
    float p = -0x1.383afep-4f;
    p = LG__FMAF(p, f, 0x1.085e2p-3f);
    p = LG__FMAF(p, f, -0x1.0f408ep-3f);
    p = LG__FMAF(p, f, 0x1.226e68p-3f);
    p = LG__FMAF(p, f, -0x1.5425bcp-3f);
    p = LG__FMAF(p, f, 0x1.99a416p-3f);
    p = LG__FMAF(p, f, -0x1.000432p-2f);
    p = LG__FMAF(p, f, 0x1.55555p-2f);
    p = LG__FMAF(p, f, -0x1.fffff8p-2f);
    return (f * f) * p;
}

LG_MATH_INLINE float lg__log_special(float x, float res)
{
    res = lg__sel(x == LG__INF, x, res);
    res = lg__sel(x == 0.0f, -LG__INF, res);
    res = lg__sel(x < 0.0f, LG__NAN, res);
    return lg__sel(x != x, x, res);
}

/* e*ln2 + f + tail. e*LN2_HI is exact (12-bit head), and |e*LN2_HI| >= |f| when e != 0, so
 * (hi - s) + f is the exact rounding error of hi + f (Fast2Sum). */
LG_MATH_INLINE float lg__log_combine(float e, float f, float tail)
{
    float hi = e * 0x1.62ep-1f;
    float s = hi + f;
    float ds = (hi - s) + f;
    return s + (ds + LG__FMAF(e, 0x1.0bfbe8p-15f, tail));
}

LG_MATH_INLINE float lg_logf(float x)
{
    float e;
    float f = lg__log_reduce(x, &e);
    return lg__log_special(x, lg__log_combine(e, f, lg__log1p_tail(f)));
}

LG_MATH_INLINE float lg_log2f(float x)
{
    float e;
    float f = lg__log_reduce(x, &e);
    float tail = lg__log1p_tail(f);
    /* (f + tail) * log2(e) with f*log2e split exactly into ph + error */
    const float L2E = 0x1.715476p+0f, L2E_LO = 0x1.4ae0cp-26f;
    float ph = f * L2E;
    float pl = LG__FMAF(f, L2E, -ph);
    float lo = LG__FMAF(f, L2E_LO, LG__FMAF(tail, L2E, pl));
    float s = e + ph; /* |e| >= |ph| unless e == 0: Fast2Sum */
    float ds = (e - s) + ph;
    return lg__log_special(x, s + (ds + lo));
}

LG_MATH_INLINE float lg_log10f(float x)
{
    float e;
    float f = lg__log_reduce(x, &e);
    float tail = lg__log1p_tail(f);
    const float L10E = 0x1.bcb7b2p-2f, L10E_LO = -0x1.5b235ep-27f;
    float hi = e * 0x1.344p-2f; /* e*log10(2), 12-bit head: exact */
    float ph = f * L10E;
    float pl = LG__FMAF(f, L10E, -ph);
    float lo = LG__FMAF(f, L10E_LO, LG__FMAF(tail, L10E, pl));
    lo = LG__FMAF(e, 0x1.3509f8p-18f, lo);
    float s = hi + ph; /* |hi| >= |ph| unless e == 0 */
    float ds = (hi - s) + ph;
    return lg__log_special(x, s + (ds + lo));
}

LG_MATH_INLINE float lg_log1pf(float x)
{
    /* u = 1 + x rounded, c = the exact rounding error (TwoSum). If u falls in the reduced range
     * (e == 0), f = u - 1 + c == x exactly, so use x itself; otherwise log(1+x) = log(u) + c/u. */
    float u = 1.0f + x;
    float t = u - x;
    float c = (1.0f - t) + (x - (u - t));
    float e;
    float f = lg__log_reduce(u, &e);
    int32_t e0 = e == 0.0f;
    f = lg__sel(e0, x, f);
    float corr = lg__sel(e0, 0.0f, c / u);
    float res = lg__log_combine(e, f, lg__log1p_tail(f) + corr);
    res = lg__sel(x == LG__INF, x, res);
    res = lg__sel(x == -1.0f, -LG__INF, res);
    res = lg__sel(x < -1.0f, LG__NAN, res);
    res = lg__sel(x == 0.0f, x, res);
    return lg__sel(x != x, x, res);
}

/* ------------------------------------------------------------------ trigonometric */

/* 2^e * 2/pi mod 4 for e = -4..104 (a float of at least 2^19 is m * 2^e, m its 24-bit integer significand),
 * in two pieces at fixed places (bits 2^1..2^-51 and 2^-52..2^-104; computed at 400 bits). The one table of
 * this file: the bits of 2/pi a large float's reduction needs depend on its exponent (Payne-Hanek's idea);
 * a vector gather reads it. */
static const double lg__two_over_pi_mod4[109 * 2] = { /* row e + 4 */
    0x1.45f306dc9c880p-5, 0x1.529fc2757d1f0p-56,
    0x1.45f306dc9c880p-4, 0x1.529fc2757d1f0p-55,
    0x1.45f306dc9c880p-3, 0x1.529fc2757d1f4p-54,
    0x1.45f306dc9c880p-2, 0x1.529fc2757d1f4p-53,
    0x1.45f306dc9c880p-1, 0x1.529fc2757d1f5p-52,
    0x1.45f306dc9c882p+0, 0x1.4a7f09d5f47d4p-53,
    0x1.45f306dc9c882p+1, 0x1.4a7f09d5f47d4p-52,
    0x1.17cc1b727220ap+0, 0x1.29fc2757d1f52p-53,
    0x1.17cc1b727220ap+1, 0x1.29fc2757d1f53p-52,
    0x1.7cc1b727220a8p-2, 0x1.4fe13abe8fa98p-54,
    0x1.7cc1b727220a8p-1, 0x1.4fe13abe8fa9ap-53,
    0x1.7cc1b727220a8p+0, 0x1.4fe13abe8fa9ap-52,
    0x1.7cc1b727220a9p+1, 0x1.3f84eafa3ea68p-53,
    0x1.f306dc9c882a4p+0, 0x1.3f84eafa3ea69p-52,
    0x1.f306dc9c882a5p+1, 0x1.fc2757d1f534cp-54,
    0x1.e60db9391054ap+1, 0x1.fc2757d1f534cp-53,
    0x1.cc1b727220a94p+1, 0x1.fc2757d1f534dp-52,
    0x1.9836e4e441529p+1, 0x1.f84eafa3ea69bp-52,
    0x1.306dc9c882a53p+1, 0x1.f09d5f47d4d37p-52,
    0x1.836e4e441529cp-1, 0x1.e13abe8fa9a6ep-52,
    0x1.836e4e441529ep+0, 0x1.c2757d1f534ddp-52,
    0x1.836e4e441529fp+1, 0x1.84eafa3ea69bbp-52,
    0x1.06dc9c882a53fp+1, 0x1.09d5f47d4d377p-52,
    0x1.b727220a94fe0p-4, 0x1.3abe8fa9a6ee0p-56,
    0x1.b727220a94fe0p-3, 0x1.3abe8fa9a6ee0p-55,
    0x1.b727220a94fe0p-2, 0x1.3abe8fa9a6ee0p-54,
    0x1.b727220a94fe0p-1, 0x1.3abe8fa9a6ee0p-53,
    0x1.b727220a94fe0p+0, 0x1.3abe8fa9a6ee0p-52,
    0x1.b727220a94fe1p+1, 0x1.d5f47d4d37700p-54,
    0x1.6e4e441529fc2p+1, 0x1.d5f47d4d37702p-53,
    0x1.b9391054a7f08p+0, 0x1.d5f47d4d37703p-52,
    0x1.b9391054a7f09p+1, 0x1.abe8fa9a6ee06p-52,
    0x1.727220a94fe13p+1, 0x1.57d1f534ddc0dp-52,
    0x1.c9c882a53f84ep+0, 0x1.5f47d4d377036p-53,
    0x1.c9c882a53f84ep+1, 0x1.5f47d4d377036p-52,
    0x1.9391054a7f09dp+1, 0x1.7d1f534ddc0dap-53,
    0x1.27220a94fe13ap+1, 0x1.7d1f534ddc0dbp-52,
    0x1.391054a7f09d4p-1, 0x1.f47d4d377036cp-53,
    0x1.391054a7f09d4p+0, 0x1.f47d4d377036dp-52,
    0x1.391054a7f09d5p+1, 0x1.e8fa9a6ee06dbp-52,
    0x1.c882a53f84eacp-1, 0x1.d1f534ddc0db6p-52,
    0x1.c882a53f84eaep+0, 0x1.a3ea69bb81b6cp-52,
    0x1.c882a53f84eafp+1, 0x1.47d4d377036d8p-52,
    0x1.91054a7f09d5fp+1, 0x1.1f534ddc0db62p-53,
    0x1.220a94fe13abep+1, 0x1.1f534ddc0db62p-52,
    0x1.1054a7f09d5f4p-1, 0x1.f534ddc0db628p-55,
    0x1.1054a7f09d5f4p+0, 0x1.f534ddc0db628p-54,
    0x1.1054a7f09d5f4p+1, 0x1.f534ddc0db628p-53,
    0x1.054a7f09d5f40p-2, 0x1.f534ddc0db629p-52,
    0x1.054a7f09d5f44p-1, 0x1.ea69bb81b6c52p-52,
    0x1.054a7f09d5f46p+0, 0x1.d4d377036d8a5p-52,
    0x1.054a7f09d5f47p+1, 0x1.a9a6ee06db14ap-52,
    0x1.529fc2757d1e0p-4, 0x1.534ddc0db6295p-52,
    0x1.529fc2757d1f0p-3, 0x1.4d377036d8a56p-53,
    0x1.529fc2757d1f0p-2, 0x1.4d377036d8a56p-52,
    0x1.529fc2757d1f4p-1, 0x1.34ddc0db62958p-53,
    0x1.529fc2757d1f4p+0, 0x1.34ddc0db62959p-52,
    0x1.529fc2757d1f5p+1, 0x1.a6ee06db14accp-54,
    0x1.4a7f09d5f47d4p+0, 0x1.a6ee06db14accp-53,
    0x1.4a7f09d5f47d4p+1, 0x1.a6ee06db14accp-52,
    0x1.29fc2757d1f52p+0, 0x1.4ddc0db629599p-52,
    0x1.29fc2757d1f53p+1, 0x1.377036d8a5664p-53,
    0x1.4fe13abe8fa98p-1, 0x1.377036d8a5664p-52,
    0x1.4fe13abe8fa9ap+0, 0x1.bb81b6c52b324p-54,
    0x1.4fe13abe8fa9ap+1, 0x1.bb81b6c52b326p-53,
    0x1.3f84eafa3ea68p+0, 0x1.bb81b6c52b327p-52,
    0x1.3f84eafa3ea69p+1, 0x1.77036d8a5664fp-52,
    0x1.fc2757d1f534cp-1, 0x1.dc0db6295993cp-53,
    0x1.fc2757d1f534cp+0, 0x1.dc0db6295993cp-52,
    0x1.fc2757d1f534dp+1, 0x1.b81b6c52b3278p-52,
    0x1.f84eafa3ea69bp+1, 0x1.7036d8a5664f1p-52,
    0x1.f09d5f47d4d37p+1, 0x1.c0db6295993c4p-53,
    0x1.e13abe8fa9a6ep+1, 0x1.c0db6295993c4p-52,
    0x1.c2757d1f534ddp+1, 0x1.81b6c52b32788p-52,
    0x1.84eafa3ea69bbp+1, 0x1.036d8a5664f10p-52,
    0x1.09d5f47d4d377p+1, 0x1.b6c52b3278840p-58,
    0x1.3abe8fa9a6ee0p-3, 0x1.b6c52b3278860p-57,
    0x1.3abe8fa9a6ee0p-2, 0x1.b6c52b3278870p-56,
    0x1.3abe8fa9a6ee0p-1, 0x1.b6c52b3278870p-55,
    0x1.3abe8fa9a6ee0p+0, 0x1.b6c52b3278870p-54,
    0x1.3abe8fa9a6ee0p+1, 0x1.b6c52b3278872p-53,
    0x1.d5f47d4d37700p-1, 0x1.b6c52b3278872p-52,
    0x1.d5f47d4d37702p+0, 0x1.6d8a5664f10e4p-52,
    0x1.d5f47d4d37703p+1, 0x1.b6295993c4390p-53,
    0x1.abe8fa9a6ee06p+1, 0x1.b6295993c4390p-52,
    0x1.57d1f534ddc0dp+1, 0x1.6c52b32788720p-52,
    0x1.5f47d4d377036p+0, 0x1.b14acc9e21c82p-53,
    0x1.5f47d4d377036p+1, 0x1.b14acc9e21c82p-52,
    0x1.7d1f534ddc0dap+0, 0x1.6295993c43904p-52,
    0x1.7d1f534ddc0dbp+1, 0x1.8a5664f10e410p-53,
    0x1.f47d4d377036cp+0, 0x1.8a5664f10e410p-52,
    0x1.f47d4d377036dp+1, 0x1.14acc9e21c820p-52,
    0x1.e8fa9a6ee06dbp+1, 0x1.4acc9e21c8208p-55,
    0x1.d1f534ddc0db6p+1, 0x1.4acc9e21c820cp-54,
    0x1.a3ea69bb81b6cp+1, 0x1.4acc9e21c820ep-53,
    0x1.47d4d377036d8p+1, 0x1.4acc9e21c820fp-52,
    0x1.1f534ddc0db62p+0, 0x1.2b3278872083ep-53,
    0x1.1f534ddc0db62p+1, 0x1.2b3278872083fp-52,
    0x1.f534ddc0db628p-2, 0x1.5993c439041fcp-54,
    0x1.f534ddc0db628p-1, 0x1.5993c439041fep-53,
    0x1.f534ddc0db628p+0, 0x1.5993c439041fep-52,
    0x1.f534ddc0db629p+1, 0x1.664f10e4107f8p-53,
    0x1.ea69bb81b6c52p+1, 0x1.664f10e4107f9p-52,
    0x1.d4d377036d8a5p+1, 0x1.993c439041fe4p-53,
    0x1.a9a6ee06db14ap+1, 0x1.993c439041fe5p-52,
    0x1.534ddc0db6295p+1, 0x1.3278872083fcap-52,
    0x1.4d377036d8a56p+0, 0x1.93c439041fe50p-54,
    0x1.4d377036d8a56p+1, 0x1.93c439041fe50p-53,
    0x1.34ddc0db62958p+0, 0x1.93c439041fe51p-52,
};

/* x * 2/pi = k + f (|f| <= 1/2 + 2^-26, k mod 4 in *q) for |x| >= 2^19: m * (2^e 2/pi mod 4) is x 2/pi mod 4 (m
 * is an integer). m * c0 is taken exactly, as a product and its error (FMA, or without FMA c0 split in two
 * halves whose products are exact), the integers taken out as they appear; m * c1 and the roundings after it
 * are below 2^-79. Returns r = f * pi/2 in double; any other x reads a valid row. */
LG_MATH_INLINE double lg__trig_reduce_large(float x, int32_t *q)
{
    const double magic = 0x1.8p52; /* (v + magic) - magic rounds |v| < 2^51 to an integer */
    int32_t bits = lg__f2i(x), biased = (bits >> 23) & 0xff;
    int32_t row = lg__seli(biased > 146 + 108, 108, lg__seli(biased < 146, 0, biased - 146));
    double m = (double)((bits & 0x7fffff) | 0x800000);
    /* (indexed so, each a gather: gcc vectorizes neither a 2-d table's read nor one through a pointer) */
    double c0 = lg__two_over_pi_mod4[2 * row], c1 = lg__two_over_pi_mod4[2 * row + 1];
#ifdef LG__HAVE_FMA
    double p0 = m * c0, tail = LG__FMA(m, c0, -p0);
#else
    double split = c0 * 0x1.0000002p+27, c0_head = split - (split - c0); /* Veltkamp: 26 + 27 bits */
    double p0 = m * c0_head, tail = m * (c0 - c0_head);
#endif
    p0 -= 4 * (((p0 * 0.25) + magic) - magic);
    double k = (p0 + magic) - magic;
    double v = (p0 - k) + tail;
    double k2 = (v + magic) - magic;
    double f = (v - k2) + m * c1;
    int32_t n = (int32_t)(k + k2);
    int32_t negative = bits < 0;
    *q = lg__seli(negative, -n, n);
    return lg__seld(negative, -f, f) * 0x1.921fb54442d18p+0;
}

/* x = q*pi/2 + r. Below 2^19 with FMA the reduction runs in double: k = round(x * 2/pi) exactly (adding
 * 1.5 * 2^52 rounds to an integer and leaves it in the low bits), and x - k*pi/2 with pi/2 in three doubles
 * (160 bits), each step an FMA whose product is exact; without FMA k is rounded in float and x - k*pi/2 taken
 * in double with a 31-bit head (k*head is exact for |k| < 2^22) and a double tail (2 ulp to 1e6, where k
 * can be one off). From 2^19 up lg__trig_reduce_large. */
LG_MATH_INLINE float lg__trig_reduce(float x, int32_t *q)
{
    int32_t q_near;
#ifdef LG__HAVE_FMA
    double xd = (double)x;
    double kd = LG__FMA(xd, 0x1.45f306dc9c883p-1, 0x1.8p52);
    q_near = (int32_t)lg__d2l(kd); /* k's low bits */
    kd -= 0x1.8p52;
    double rd = LG__FMA(kd, -0x1.921fb54442d18p+0, xd);
    rd = LG__FMA(kd, -0x1.1a62633145c07p-54, rd);
    rd = LG__FMA(kd, 0x1.f1976b7ed8fbcp-110, rd);
#else
    float kf = LG__FMAF(x, 0x1.45f306p-1f, LG__MAGIC);
    q_near = lg__f2i(kf);
    kf -= LG__MAGIC;
    double kd = (double)kf;
    double rd = ((double)x - kd * 0x1.921fb544p+0) - kd * 0x1.0b4611a626331p-34;
#endif
    int32_t q_large, large = fabsf(x) >= 0x1p19f;
    double rd_large = lg__trig_reduce_large(x, &q_large);
    *q = lg__seli(large, q_large, q_near);
    return (float)lg__seld(large, rd_large, rd);
}

/* sin(r), |r| <= pi/4: minimax degree 7, rel. error 4e-9 */
LG_MATH_INLINE float lg__sin_poly(float r)
{
    float r2 = r * r;
    float p = -0x1.9952dcp-13f;
    p = LG__FMAF(p, r2, 0x1.110776p-7f);
    p = LG__FMAF(p, r2, -0x1.555546p-3f);
    return LG__FMAF(r * r2, p, r);
}

/* cos(r), |r| <= pi/4: minimax degree 8, rel. error 1.2e-10 */
LG_MATH_INLINE float lg__cos_poly(float r)
{
    float r2 = r * r;
    float p = 0x1.99e818p-16f;
    p = LG__FMAF(p, r2, -0x1.6c0c28p-10f);
    p = LG__FMAF(p, r2, 0x1.55554ap-5f);
    p = LG__FMAF(p, r2, -0.5f);
    return LG__FMAF(r2, p, 1.0f);
}

/* sin(q*pi/2 + r) from sin(r), cos(r): odd q swaps, q & 2 negates (via the sign bit) */
LG_MATH_INLINE float lg__sin_quadrant(int32_t q, float s, float c)
{
    float v = lg__sel(q & 1, c, s);
    return lg__i2f(lg__f2i(v) ^ (int32_t)((uint32_t)(q & 2) << 30));
}

LG_MATH_INLINE float lg_sinf(float x)
{
    int32_t q;
    float r = lg__trig_reduce(x, &q);
    float res = lg__sin_quadrant(q, lg__sin_poly(r), lg__cos_poly(r));
    float nan_or_0 = x - x; /* NaN for inf and NaN */
    res = lg__sel(nan_or_0 != 0.0f, nan_or_0, res);
    return lg__sel(x == 0.0f, x, res);
}

LG_MATH_INLINE float lg_cosf(float x)
{
    int32_t q;
    float r = lg__trig_reduce(x, &q);
    float res = lg__sin_quadrant(q + 1, lg__sin_poly(r), lg__cos_poly(r));
    float nan_or_0 = x - x;
    return lg__sel(nan_or_0 != 0.0f, nan_or_0, res);
}

LG_MATH_INLINE float lg_tanf(float x)
{
    /* sin/cos rounded separately and divided would cost up to 4 ulp, so keep the rounding error
     * of each (sin = s + ds, cos = c + dc, Fast2Sum against their leading terms r and 1) and
     * correct the quotient once: q = num/den + (num - q*den + dnum - q*dden)/den. */
    int32_t q;
    float r = lg__trig_reduce(x, &q);
    float r2 = r * r;
    float r2l = LG__FMAF(r, r, -r2);
    float ps = -0x1.9952dcp-13f;
    ps = LG__FMAF(ps, r2, 0x1.110776p-7f);
    ps = LG__FMAF(ps, r2, -0x1.555546p-3f);
    float sl = (r * r2) * ps;
    float s = r + sl;
    float ds = (r - s) + sl;
    float pc = 0x1.99e818p-16f;
    pc = LG__FMAF(pc, r2, -0x1.6c0c28p-10f);
    pc = LG__FMAF(pc, r2, 0x1.55554ap-5f);
    pc = LG__FMAF(pc, r2, -0.5f);
    float cl = r2 * pc;
    float c = 1.0f + cl;
    float dc = LG__FMAF(r2l, -0.5f, (1.0f - c) + cl);
    /* odd quadrants swap the roles (a 0/1 weight: integer selects here keep gcc from vectorizing
     * beside the double reduction; r is never a signed zero here, x = 0 is handled below) */
    float odd = (float)(q & 1), even = 1.0f - odd;
    float num = odd * -c + even * s, den = odd * s + even * c;
    float dnum = odd * -dc + even * ds, dden = odd * ds + even * dc;
    float y = 1.0f / den;
    float q0 = num * y;
    float e = LG__FMAF(-q0, den, num) + LG__FMAF(-q0, dden, dnum);
    float res = LG__FMAF(e, y, q0);
    float nan_or_0 = x - x;
    res = lg__sel(nan_or_0 != 0.0f, nan_or_0, res);
    return lg__sel(x == 0.0f, x, res);
}

/* ------------------------------------------------------------------ inverse trigonometric */

/* asin(s) = s + s*z*P(z), z = s^2, s in [0, 0.5]: minimax, rel. error 5e-9 */
LG_MATH_INLINE float lg__asin_poly(float s, float z)
{
    float p = 0x1.5967c8p-5f;
    p = LG__FMAF(p, z, 0x1.8c33bep-6f);
    p = LG__FMAF(p, z, 0x1.747c78p-5f);
    p = LG__FMAF(p, z, 0x1.3302p-4f);
    p = LG__FMAF(p, z, 0x1.5555c8p-3f);
    return LG__FMAF(s * z, p, s);
}

/* |x| <= 1/2: asin(x) directly. |x| > 1/2: asin|x| = pi/2 - 2 asin(sqrt((1-|x|)/2)), where
 * (1-|x|)/2 is exact. |x| > 1 gives sqrt(<0) = NaN. */
LG_MATH_INLINE float lg_asinf(float x)
{
    float ax = __builtin_fabsf(x);
    int32_t big = ax > 0.5f;
    float z = lg__sel(big, (1.0f - ax) * 0.5f, ax * ax);
    float s = lg__sel(big, __builtin_sqrtf(z), ax);
    float p = lg__asin_poly(s, z);
    float pbig = (0x1.921fb6p+0f - 2.0f * p) + -0x1.777a5cp-25f;
    return __builtin_copysignf(lg__sel(big, pbig, p), x);
}

LG_MATH_INLINE float lg_acosf(float x)
{
    float ax = __builtin_fabsf(x);
    int32_t big = ax > 0.5f, pos = x > 0.0f;
    float z = lg__sel(big, (1.0f - ax) * 0.5f, x * x);
    float s = lg__sel(big, __builtin_sqrtf(z), x);
    float p = lg__asin_poly(s, z);
    /* acos = C + m*p: small |x|: pi/2 - asin(x); x > 1/2: 2p; x < -1/2: pi - 2p */
    float chi = lg__sel(big, lg__sel(pos, 0.0f, 0x1.921fb6p+1f), 0x1.921fb6p+0f);
    float clo = lg__sel(big, lg__sel(pos, 0.0f, -0x1.777a5cp-24f), -0x1.777a5cp-25f);
    float m = lg__sel(big, lg__sel(pos, 2.0f, -2.0f), -1.0f);
    return LG__FMAF(m, p, chi) + clo;
}

/* atan(t), |t| <= tan(pi/8): minimax in t^2, rel. error 7e-10 */
LG_MATH_INLINE float lg__atan_poly(float t)
{
    float t2 = t * t;
    float p = -0x1.f2e56ep-5f;
    p = LG__FMAF(p, t2, 0x1.b22452p-4f);
    p = LG__FMAF(p, t2, -0x1.23b9a2p-3f);
    p = LG__FMAF(p, t2, 0x1.9991e2p-3f);
    p = LG__FMAF(p, t2, -0x1.55554ap-2f);
    return LG__FMAF(t * t2, p, t);
}

LG_MATH_INLINE float lg_atanf(float x)
{
    /* |x| <= tan(pi/8): atan(x); <= tan(3pi/8): pi/4 + atan((x-1)/(x+1)); else pi/2 - atan(1/x).
     * One division serves all three. */
    float ax = __builtin_fabsf(x);
    int32_t r1 = ax > 0x1.a8279ap-2f, r2 = ax > 0x1.3504f4p+1f;
    float num = lg__sel(r2, -1.0f, lg__sel(r1, ax - 1.0f, ax));
    float den = lg__sel(r2, ax, lg__sel(r1, ax + 1.0f, 1.0f));
    float bhi = lg__sel(r2, 0x1.921fb6p+0f, lg__sel(r1, 0x1.921fb6p-1f, 0.0f));
    float blo = lg__sel(r2, -0x1.777a5cp-25f, lg__sel(r1, -0x1.777a5cp-26f, 0.0f));
    float res = bhi + (blo + lg__atan_poly(num / den));
    return __builtin_copysignf(res, x);
}

LG_MATH_INLINE float lg_atan2f(float y, float x)
{
    /* atan(a/b) with a = min(|x|,|y|), b = max: 0 <= a/b <= 1, the pi/4 shift handled by
     * (a-b)/(a+b). The angle is then m*pi/4 + sg*atan(t), m in 0..4, from the octant. */
    float ax = __builtin_fabsf(x), ay = __builtin_fabsf(y);
    int32_t swap = ay > ax;
    float a = lg__sel(swap, ax, ay), b = lg__sel(swap, ay, ax);
    int32_t both_inf = (ax == LG__INF) & (ay == LG__INF);
    a = lg__sel(both_inf, 1.0f, a);
    b = lg__sel(both_inf, 1.0f, b);
    float sc = lg__sel(b > 0x1p125f, 0.25f, 1.0f); /* keep a + b finite */
    a *= sc;
    b *= sc;
    int32_t r1 = a > 0x1.a8279ap-2f * b;
    float num = lg__sel(r1, a - b, a);
    float den = lg__sel(r1, a + b, b);
    float t = lg__sel(b == 0.0f, 0.0f, num / den); /* atan2(+-0, +-0) */
    float p = lg__atan_poly(t);
    int32_t xneg = lg__f2i(x) < 0; /* signbit: atan2(0, -0) = pi */
    int32_t m = lg__seli(swap, 2 - r1, r1);
    m = lg__seli(xneg, 4 - m, m);
    float sg = lg__sel(swap ^ xneg, -1.0f, 1.0f);
    float fm = (float)m;
    /* pi/4 head with trailing zeros so m*head is exact */
    float res = LG__FMAF(fm, 0x1.921fcp-1f, LG__FMAF(fm, -0x1.5777a6p-22f, sg * p));
    res = __builtin_copysignf(res, y);
    return lg__sel((x != x) | (y != y), x + y, res);
}

/* ------------------------------------------------------------------ hyperbolic */

/* e^ax / 2 for ax in [0, 90]: the halving is folded into the exponent so that sinh/cosh
 * do not overflow before their own threshold (89.4). */
LG_MATH_INLINE float lg__exp_half(float ax)
{
    int32_t k;
    float r = lg__exp_reduce(ax, &k);
    return lg__scale(lg__exp_poly(r), k - 1);
}

LG_MATH_INLINE float lg_sinhf(float x)
{
    float ax = __builtin_fabsf(x);
    float eh = lg__exp_half(lg__sel(ax > 90.0f, 90.0f, ax));
    float big = eh - 0.25f / eh;
    /* |x| < 1: odd minimax polynomial avoids the cancellation, rel. error 3e-10 */
    float x2 = ax * ax;
    float p = 0x1.756cb4p-19f;
    p = LG__FMAF(p, x2, 0x1.a022bap-13f);
    p = LG__FMAF(p, x2, 0x1.1110ep-7f);
    p = LG__FMAF(p, x2, 0x1.555556p-3f);
    float small = LG__FMAF(ax * x2, p, ax);
    return __builtin_copysignf(lg__sel(ax < 1.0f, small, big), x);
}

LG_MATH_INLINE float lg_coshf(float x)
{
    float ax = __builtin_fabsf(x);
    float eh = lg__exp_half(lg__sel(ax > 90.0f, 90.0f, ax));
    return eh + 0.25f / eh;
}

LG_MATH_INLINE float lg_tanhf(float x)
{
    /* tanh|x| = em / (em + 2), em = expm1(2|x|) >= 0: no cancellation anywhere, and em's error
     * is damped by 2/(em+2). tanh rounds to 1 beyond 9.01. */
    float a2 = 2.0f * __builtin_fabsf(x);
    float em = lg__expm1_core(lg__sel(a2 > 20.0f, 20.0f, a2));
    return __builtin_copysignf(em / (em + 2.0f), x);
}

/* ------------------------------------------------------------------ erf */

LG_MATH_INLINE float lg_erff(float x)
{
    float ax = __builtin_fabsf(x);
    /* |x| < 0.921875: x * P(x^2), leading coefficient 2/sqrt(pi) as head + tail */
    float x2 = ax * ax;
    float p = 0x1.5f3874p-14f;
    p = LG__FMAF(p, x2, -0x1.ab05f8p-11f);
    p = LG__FMAF(p, x2, 0x1.54e0c8p-8f);
    p = LG__FMAF(p, x2, -0x1.b8118cp-6f);
    p = LG__FMAF(p, x2, 0x1.ce2e36p-4f);
    p = LG__FMAF(p, x2, -0x1.812744p-2f);
    p = LG__FMAF(p, x2, -0x1.f7ac92p-25f);
    float small = LG__FMAF(ax, 0x1.20dd76p+0f, ax * p);
    /* 0.921875 <= |x| <= 3.95: erf = 1 - exp(-x^2) * Q(x), Q a polynomial in x - 0.921875 fitted
     * for the error of erf itself (0.11 ulp). x^2 = h + l exactly, exp(-x^2) = exp(-h)(1 - l). */
    float xb = lg__clamp(ax, 0.921875f, 3.95f);
    float h = xb * xb;
    float l = LG__FMAF(xb, xb, -h);
    int32_t k;
    float r = lg__exp_reduce(-h, &k);
    float ex = lg__exp_poly(r) * lg__pow2i(k) * (1.0f - l);
    float d = xb - 0.921875f;
    float qv = 0x1.0279fap-13f;
    qv = LG__FMAF(qv, d, -0x1.46fbbep-10f);
    qv = LG__FMAF(qv, d, 0x1.8149dcp-8f);
    qv = LG__FMAF(qv, d, -0x1.28fcb2p-6f);
    qv = LG__FMAF(qv, d, 0x1.66542ap-5f);
    qv = LG__FMAF(qv, d, -0x1.77f494p-4f);
    qv = LG__FMAF(qv, d, 0x1.651976p-3f);
    qv = LG__FMAF(qv, d, -0x1.32076cp-2f);
    qv = LG__FMAF(qv, d, 0x1.ccb52p-2f);
    float big = LG__FMAF(-ex, qv, 1.0f);
    float res = lg__sel(ax < 0.921875f, small, big);
    res = lg__sel(ax > 3.95f, 1.0f, res);
    return __builtin_copysignf(res, x);
}

/* ------------------------------------------------------------------ pow */

/* pow is computed in double: log2|x| to ~1e-14 and 2^t to ~1e-14, so y*log2|x| keeps the
 * accuracy needed for results up to 2^128 (float-only would need an extended-precision log). */
LG_MATH_INLINE float lg_powf(float x, float y)
{
    float ax = __builtin_fabsf(x);
    float ef;
    float ff = lg__log_reduce(ax, &ef);
    double f = (double)ff;
    double s = f / (2.0 + f); /* log(1+f) = 2 atanh(s), |s| <= 0.1716 */
    double z = s * s;
    double R = 0x1.9116c62b13c65p-4;
    R = LG__FMA(R, z, 0x1.c62aff2fe8f35p-4);
    R = LG__FMA(R, z, 0x1.2494123012f71p-3);
    R = LG__FMA(R, z, 0x1.999996a8a7a5bp-3);
    R = LG__FMA(R, z, 0x1.555555561e849p-2);
    double at = LG__FMA(s * z, R, s); /* atanh(s) */
    double L = LG__FMA(at, 0x1.71547652b82fep+1, (double)ef); /* log2|x| for finite x != 0 */
    double t = (double)y * L;
    t = lg__seld(t > 200.0, 200.0, t);
    t = lg__seld(t < -200.0, -200.0, t);
    double kd = t + 0x1.8p52;
    int64_t k = lg__d2l(kd) - lg__d2l(0x1.8p52);
    double r = t - (kd - 0x1.8p52); /* |r| <= 1/2, exact */
    double p = 0x1.b3dd9c91d138ap-24;
    p = LG__FMA(p, r, 0x1.63e6b93447a09p-20);
    p = LG__FMA(p, r, 0x1.ffce30bcfc926p-17);
    p = LG__FMA(p, r, 0x1.430897d530700p-13);
    p = LG__FMA(p, r, 0x1.5d87fd930b118p-10);
    p = LG__FMA(p, r, 0x1.3b2ab72421a92p-7);
    p = LG__FMA(p, r, 0x1.c6b08d70c8d65p-5);
    p = LG__FMA(p, r, 0x1.ebfbdff81bd73p-3);
    p = LG__FMA(p, r, 0x1.62e42fefa37d0p-1);
    p = LG__FMA(p, r, 1.0);
    /* 2^t in double never over/underflows for |t| <= 200; the float conversion rounds once */
    float res = (float)lg__l2d(lg__d2l(p) + (int64_t)((uint64_t)k << 52));
    /* |x| = 0 or inf: the result is 0 or inf by the sign of y (log2 would be -inf / +inf) */
    int32_t zero_or_inf = (ax == 0.0f) | (ax == LG__INF);
    res = lg__sel(zero_or_inf, lg__sel((y > 0.0f) == (ax == LG__INF), LG__INF, 0.0f), res);
    /* integer-ness and parity of y (every |y| >= 2^24 is an even integer) */
    int32_t ysmall = __builtin_fabsf(y) < 0x1p24f; /* false for NaN too */
    int32_t yi = (int32_t)lg__sel(ysmall, y, 0.0f);
    int32_t yint = !ysmall | ((float)yi == y);
    int32_t yodd = ysmall & ((float)yi == y) & (yi & 1);
    int32_t xneg = lg__f2i(x) < 0;
    res = lg__sel(xneg & yodd, -res, res);
    res = lg__sel((x < 0.0f) & (x > -LG__INF) & !yint, LG__NAN, res);
    res = lg__sel((x != x) | (y != y), x + y, res);
    res = lg__sel((x == -1.0f) & (__builtin_fabsf(y) == LG__INF), 1.0f, res);
    return lg__sel((x == 1.0f) | (y == 0.0f), 1.0f, res);
}

/* ------------------------------------------------------------------ float64: libm wrappers */

LG_MATH_INLINE double lg_exp(double x) { return __builtin_exp(x); }
LG_MATH_INLINE double lg_exp2(double x) { return __builtin_exp2(x); }
LG_MATH_INLINE double lg_expm1(double x) { return __builtin_expm1(x); }
LG_MATH_INLINE double lg_log(double x) { return __builtin_log(x); }
LG_MATH_INLINE double lg_log2(double x) { return __builtin_log2(x); }
LG_MATH_INLINE double lg_log10(double x) { return __builtin_log10(x); }
LG_MATH_INLINE double lg_log1p(double x) { return __builtin_log1p(x); }
LG_MATH_INLINE double lg_sin(double x) { return __builtin_sin(x); }
LG_MATH_INLINE double lg_cos(double x) { return __builtin_cos(x); }
LG_MATH_INLINE double lg_tan(double x) { return __builtin_tan(x); }
LG_MATH_INLINE double lg_asin(double x) { return __builtin_asin(x); }
LG_MATH_INLINE double lg_acos(double x) { return __builtin_acos(x); }
LG_MATH_INLINE double lg_atan(double x) { return __builtin_atan(x); }
LG_MATH_INLINE double lg_atan2(double y, double x) { return __builtin_atan2(y, x); }
LG_MATH_INLINE double lg_sinh(double x) { return __builtin_sinh(x); }
LG_MATH_INLINE double lg_cosh(double x) { return __builtin_cosh(x); }
LG_MATH_INLINE double lg_tanh(double x) { return __builtin_tanh(x); }
LG_MATH_INLINE double lg_erf(double x) { return __builtin_erf(x); }
LG_MATH_INLINE double lg_erfc(double x) { return __builtin_erfc(x); }
/* erfc keeps its digits in the tail only from libm (1 - erf(x) loses them): float32 through it too */
LG_MATH_INLINE float lg_erfcf(float x) { return (float)__builtin_erfc((double)x); }
LG_MATH_INLINE double lg_pow(double x, double y) { return __builtin_pow(x, y); }
