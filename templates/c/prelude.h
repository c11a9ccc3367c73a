/* lazygrad C prelude: what generated C kernels include. The helpers themselves are shared with
 * the CUDA back end (lg_helpers.h); here they are plain inline C, and max/min get OpenMP
 * user-defined reductions so reductions over them vectorize and run in parallel. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <math.h>
#include "lg_math.h"

#define LG_FN static inline
#include "lg_helpers.h"

/* the sign bit read from the integer bits: gcc 12 vectorizes signbit() of a value it also reads as bits (a
 * bfloat16 rounding) into an instruction it cannot emit (an internal compiler error) */
LG_FN bool lg_signbitf(float x) { return lg__f2i(x) < 0; }
LG_FN bool lg_signbit(double x) { return lg__d2l(x) < 0; }

/* torch's CPU arange (lazygrad/torch_arange.py): the index of the first value of the vector that value i
 * is written in, or i itself where a thread's chunk ends in values written one by one. lanes is a power of
 * two; the chunk i is in is found by comparisons (a loop over the few threads' chunks, unrolled where n and
 * chunk are constants), which vectorize where a 64-bit division does not. */
LG_FN int64_t lg_arange_first(int64_t i, int64_t n, int64_t chunk, int64_t lanes) {
  int64_t begin = 0;
  for (int64_t b = chunk; b < n; b += chunk) begin = i >= b ? b : begin;
  const int64_t end = begin + chunk < n ? begin + chunk : n;
  return i < begin + ((end - begin) & -(2 * lanes)) ? begin + ((i - begin) & -lanes) : i;
}

/* a float converted to a signed integer as x86's truncating conversions give it (torch's CPU kernels): NaN and
 * values out of the type's range give its minimum. Written out: C leaves those undefined, and gcc
 * (-fno-trapping-math) folds a round trip (double)(int)x into trunc(x), which keeps NaN, infinities, values out
 * of range and the sign of -0.4; LG_OPAQUE (gcc 12's barrier) keeps the integer from being folded away. The f
 * variants take floats (and float16 and bfloat16 values). */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#define LG_OPAQUE(x) __builtin_assoc_barrier(x)
#else
#define LG_OPAQUE(x) (x)
#endif
LG_FN int32_t lg_f2i32(double x) {
  return x > -2147483649.0 && x < 2147483648.0 ? LG_OPAQUE((int32_t)x) : INT32_MIN;
}
LG_FN int32_t lg_f2i32f(float x) {
  return x >= -2147483648.0f && x < 2147483648.0f ? LG_OPAQUE((int32_t)x) : INT32_MIN;
}
LG_FN int64_t lg_f2i64(double x) {
  return x >= -9223372036854775808.0 && x < 9223372036854775808.0 ? LG_OPAQUE((int64_t)x) : INT64_MIN;
}
LG_FN int64_t lg_f2i64f(float x) {
  return x >= -9223372036854775808.0f && x < 9223372036854775808.0f ? LG_OPAQUE((int64_t)x) : INT64_MIN;
}

/* bfloat16 in memory: a struct, so a value used without its conversion is a compile error */
typedef struct { uint16_t bits; } lg_bf16;
LG_FN float lg_bf16_load(lg_bf16 v) { return lg_bf16_float(v.bits); }
LG_FN lg_bf16 lg_bf16_store(float f) { lg_bf16 v = { lg_bf16_bits(f) }; return v; }

/* complex values: C99's complex types (gcc's complex arithmetic keeps C's infinity and NaN rules) */
#include <complex.h>
#undef complex
#undef I
typedef float _Complex lg_complex64;
typedef double _Complex lg_complex128;
LG_FN lg_complex64 lg_cmakef(float re, float im) { return CMPLXF(re, im); }
LG_FN lg_complex128 lg_cmake(double re, double im) { return CMPLX(re, im); }
LG_FN float lg_crealf(lg_complex64 z) { return crealf(z); }
LG_FN double lg_creal(lg_complex128 z) { return creal(z); }
LG_FN float lg_cimagf(lg_complex64 z) { return cimagf(z); }
LG_FN double lg_cimag(lg_complex128 z) { return cimag(z); }
LG_FN lg_complex64 lg_conjf(lg_complex64 z) { return conjf(z); }
LG_FN lg_complex128 lg_conj(lg_complex128 z) { return conj(z); }
#include "lg_complex.h"

/* the threads a parallel region may get, and who is who inside one (one thread without OpenMP) */
#ifdef _OPENMP
#include <omp.h>
static inline int lg_max_threads(void) { return omp_get_max_threads(); }
static inline int lg_thread(void) { return omp_get_thread_num(); }
static inline int lg_threads(void) { return omp_get_num_threads(); }
#else
static inline int lg_max_threads(void) { return 1; }
static inline int lg_thread(void) { return 0; }
static inline int lg_threads(void) { return 1; }
#endif

#pragma omp declare reduction(lg_maxf : float : omp_out = lg_maxf(omp_out, omp_in)) initializer(omp_priv = -INFINITY)
#pragma omp declare reduction(lg_minf : float : omp_out = lg_minf(omp_out, omp_in)) initializer(omp_priv = INFINITY)
#pragma omp declare reduction(lg_max : double : omp_out = lg_max(omp_out, omp_in)) initializer(omp_priv = -INFINITY)
#pragma omp declare reduction(lg_min : double : omp_out = lg_min(omp_out, omp_in)) initializer(omp_priv = INFINITY)
#pragma omp declare reduction(lg_logaddexpf : float : omp_out = lg_logaddexpf(omp_out, omp_in)) initializer(omp_priv = -INFINITY)
#pragma omp declare reduction(lg_logaddexp : double : omp_out = lg_logaddexp(omp_out, omp_in)) initializer(omp_priv = -INFINITY)

