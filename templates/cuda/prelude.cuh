/* lazygrad CUDA prelude: what generated CUDA kernels include. It compiles under NVRTC (no C
 * standard headers there) and nvcc alike. The helpers are the C back end's (lg_helpers.h), as
 * device functions, so both back ends compute the same values and the same random numbers; math
 * functions are CUDA's own. */
#pragma once

#ifdef __CUDACC_RTC__
typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef int int32_t;
typedef long long int64_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
#else
#include <stdint.h>
#endif

#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif
#ifndef NAN
#define NAN __int_as_float(0x7fffffff)
#endif

#define LG_FN static __device__ __forceinline__

/* float16 storage: IEEE half bits, converted with round-to-nearest-even (computation is in float,
 * as on the CPU); defined here so that no CUDA toolkit header is needed at run time. The conversions
 * are the device's instructions; a host compilation of the kernels (the tests' emulator) brings its own. */
#ifdef __CUDA_ARCH__
LG_FN unsigned short lg_half_from_float(float f) { unsigned short h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }
LG_FN unsigned short lg_half_from_double(double d) { unsigned short h; asm("cvt.rn.f16.f64 %0, %1;" : "=h"(h) : "d"(d)); return h; }
LG_FN float lg_half_to_float(unsigned short h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
#endif
struct lg_half {
  unsigned short bits;
  lg_half() = default;
  __device__ lg_half(float f) : bits(lg_half_from_float(f)) {}
  __device__ lg_half(double d) : bits(lg_half_from_double(d)) {}
  template <typename T> __device__ lg_half(T v) : lg_half((float)v) {}
  __device__ operator float() const { return lg_half_to_float(bits); }
};

/* N neighbouring values in one access: the alignment lets the compiler load or store them with a single
 * vector instruction (ld.global.v4.f32 for four floats) */
template <typename T, int N> struct alignas(sizeof(T) * N) lg_vec { T v[N]; };
LG_FN bool lg_aligned(const void* p, int bytes) { return (unsigned long long)p % bytes == 0; }

#define LG_UNARY(name)                                      \
  LG_FN float lg_##name##f(float x) { return name##f(x); }  \
  LG_FN double lg_##name(double x) { return name(x); }
LG_UNARY(exp) LG_UNARY(exp2) LG_UNARY(expm1) LG_UNARY(log) LG_UNARY(log2) LG_UNARY(log10) LG_UNARY(log1p)
LG_UNARY(sin) LG_UNARY(cos) LG_UNARY(tan) LG_UNARY(asin) LG_UNARY(acos) LG_UNARY(atan) LG_UNARY(sinh)
LG_UNARY(cosh) LG_UNARY(tanh) LG_UNARY(erf) LG_UNARY(erfc)
LG_FN float lg_powf(float a, float b) { return powf(a, b); }
LG_FN double lg_pow(double a, double b) { return pow(a, b); }
LG_FN float lg_atan2f(float a, float b) { return atan2f(a, b); }
LG_FN double lg_atan2(double a, double b) { return atan2(a, b); }
LG_FN bool lg_signbitf(float x) { return signbit(x); }
LG_FN bool lg_signbit(double x) { return signbit(x); }

#include "lg_helpers.h"

/* bfloat16 in memory: like lg_half, it converts to and from float (rounding), so the scatters' atomics
 * work on it too; the kernels convert explicitly, as the C ones must */
struct lg_bf16 {
  unsigned short bits;
  lg_bf16() = default;
  __device__ lg_bf16(float f) : bits(lg_bf16_bits(f)) {}
  template <typename T> __device__ lg_bf16(T v) : lg_bf16((float)v) {}
  __device__ operator float() const { return lg_bf16_float(bits); }
};
LG_FN float lg_bf16_load(lg_bf16 v) { return (float)v; }
LG_FN lg_bf16 lg_bf16_store(float f) { return lg_bf16(f); }

/* complex values: a pair of parts with C's arithmetic (division is lg_cdiv, torch's, in lg_complex.h) */
template <typename T> struct lg_complex {
  T re, im;
  lg_complex() = default;
  __device__ constexpr lg_complex(T r, T i) : re(r), im(i) {}
  template <typename U> __device__ lg_complex(lg_complex<U> z) : re((T)z.re), im((T)z.im) {}
  template <typename U> __device__ lg_complex(U v) : re((T)v), im(0) {}
  __device__ lg_complex& operator+=(lg_complex b) { re += b.re; im += b.im; return *this; }
  __device__ lg_complex& operator*=(lg_complex b) { T r = re * b.re - im * b.im; im = re * b.im + im * b.re; re = r; return *this; }
};
template <typename T> LG_FN lg_complex<T> operator-(lg_complex<T> a) { return lg_complex<T>(-a.re, -a.im); }
template <typename T> LG_FN lg_complex<T> operator+(lg_complex<T> a, lg_complex<T> b) { return lg_complex<T>(a.re + b.re, a.im + b.im); }
template <typename T> LG_FN lg_complex<T> operator-(lg_complex<T> a, lg_complex<T> b) { return lg_complex<T>(a.re - b.re, a.im - b.im); }
template <typename T> LG_FN lg_complex<T> operator*(lg_complex<T> a, lg_complex<T> b) { return a *= b; }
template <typename T> LG_FN bool operator==(lg_complex<T> a, lg_complex<T> b) { return a.re == b.re && a.im == b.im; }
template <typename T> LG_FN bool operator!=(lg_complex<T> a, lg_complex<T> b) { return !(a == b); }
template <typename T> LG_FN bool operator!=(lg_complex<T> a, int zero) { return a != lg_complex<T>(zero); }
typedef lg_complex<float> lg_complex64;
typedef lg_complex<double> lg_complex128;
LG_FN lg_complex64 lg_cmakef(float re, float im) { return lg_complex64(re, im); }
LG_FN lg_complex128 lg_cmake(double re, double im) { return lg_complex128(re, im); }
LG_FN float lg_crealf(lg_complex64 z) { return z.re; }
LG_FN double lg_creal(lg_complex128 z) { return z.re; }
LG_FN float lg_cimagf(lg_complex64 z) { return z.im; }
LG_FN double lg_cimag(lg_complex128 z) { return z.im; }
LG_FN lg_complex64 lg_conjf(lg_complex64 z) { return lg_complex64(z.re, -z.im); }
LG_FN lg_complex128 lg_conj(lg_complex128 z) { return lg_complex128(z.re, -z.im); }
#include "lg_complex.h"

/* a scatter's reductions where threads race: the device's atomic add where it has one for the type,
 * else a compare-and-swap loop on the word holding the value (the 32-bit word around a float16, bool
 * or 8/16-bit integer). max and min propagate NaN, as the reductions do. */
struct lg_sum_of { template <typename T> __device__ T operator()(T a, T b) const { return (T)(a + b); } };
struct lg_prod_of { template <typename T> __device__ T operator()(T a, T b) const { return (T)(a * b); } };
struct lg_max_of { template <typename T> __device__ T operator()(T a, T b) const { return (a > b || a != a) ? a : b; } };
struct lg_min_of { template <typename T> __device__ T operator()(T a, T b) const { return (a < b || a != a) ? a : b; } };
template <typename T, typename W> union lg_word_part { T value; W word; };
template <int N> struct lg_bytes {};
template <typename T, typename F> LG_FN void lg_cas(T* p, T v, F f, lg_bytes<8>) {
  unsigned long long* word = (unsigned long long*)p;
  unsigned long long seen = *word, expected;
  do {
    expected = seen;
    lg_word_part<T, unsigned long long> now, next;
    now.word = expected;
    next.value = f(now.value, v);
    seen = atomicCAS(word, expected, next.word);
  } while (seen != expected);
}
template <typename T, typename F> LG_FN void lg_cas(T* p, T v, F f, lg_bytes<4>) {
  uint32_t* word = (uint32_t*)p;
  uint32_t seen = *word, expected;
  do {
    expected = seen;
    lg_word_part<T, uint32_t> now, next;
    now.word = expected;
    next.value = f(now.value, v);
    seen = atomicCAS(word, expected, next.word);
  } while (seen != expected);
}
template <typename T, typename F> LG_FN void lg_cas_narrow(T* p, T v, F f) {
  uint32_t* word = (uint32_t*)((unsigned long long)p & ~3ull);
  const int shift = (int)((unsigned long long)p & 3) * 8;
  const uint32_t mask = (sizeof(T) == 1 ? 0xffu : 0xffffu) << shift;
  uint32_t seen = *word, expected;
  do {
    expected = seen;
    lg_word_part<T, uint32_t> now, next;
    now.word = (expected & mask) >> shift;
    next.word = 0;
    next.value = f(now.value, v);
    seen = atomicCAS(word, expected, (expected & ~mask) | ((next.word << shift) & mask));
  } while (seen != expected);
}
template <typename T, typename F> LG_FN void lg_cas(T* p, T v, F f, lg_bytes<2>) { lg_cas_narrow(p, v, f); }
template <typename T, typename F> LG_FN void lg_cas(T* p, T v, F f, lg_bytes<1>) { lg_cas_narrow(p, v, f); }
template <typename T> LG_FN void lg_atomic_sum(T* p, T v) { lg_cas(p, v, lg_sum_of(), lg_bytes<sizeof(T)>()); }
LG_FN void lg_atomic_sum(float* p, float v) { atomicAdd(p, v); }
LG_FN void lg_atomic_sum(double* p, double v) { atomicAdd(p, v); }
LG_FN void lg_atomic_sum(int32_t* p, int32_t v) { atomicAdd((int*)p, (int)v); }
LG_FN void lg_atomic_sum(int64_t* p, int64_t v) { atomicAdd((unsigned long long*)p, (unsigned long long)v); }
template <typename T> LG_FN void lg_atomic_sum(lg_complex<T>* p, lg_complex<T> v) { atomicAdd(&p->re, v.re); atomicAdd(&p->im, v.im); }
template <typename T> LG_FN void lg_atomic_prod(T* p, T v) { lg_cas(p, v, lg_prod_of(), lg_bytes<sizeof(T)>()); }
template <typename T> LG_FN void lg_atomic_max(T* p, T v) { lg_cas(p, v, lg_max_of(), lg_bytes<sizeof(T)>()); }
template <typename T> LG_FN void lg_atomic_min(T* p, T v) { lg_cas(p, v, lg_min_of(), lg_bytes<sizeof(T)>()); }

/* warp shuffles move 32- and 64-bit words; narrower accumulators travel widened */
LG_FN float lg_shfl_down(float v, int d) { return __shfl_down_sync(0xffffffffu, v, d); }
LG_FN double lg_shfl_down(double v, int d) { return __shfl_down_sync(0xffffffffu, v, d); }
LG_FN int64_t lg_shfl_down(int64_t v, int d) { return __shfl_down_sync(0xffffffffu, (long long)v, d); }
LG_FN int32_t lg_shfl_down(int32_t v, int d) { return __shfl_down_sync(0xffffffffu, v, d); }
LG_FN int16_t lg_shfl_down(int16_t v, int d) { return (int16_t)__shfl_down_sync(0xffffffffu, (int)v, d); }
LG_FN int8_t lg_shfl_down(int8_t v, int d) { return (int8_t)__shfl_down_sync(0xffffffffu, (int)v, d); }
LG_FN uint8_t lg_shfl_down(uint8_t v, int d) { return (uint8_t)__shfl_down_sync(0xffffffffu, (int)v, d); }
LG_FN uint16_t lg_shfl_down(uint16_t v, int d) { return (uint16_t)__shfl_down_sync(0xffffffffu, (int)v, d); }
LG_FN uint32_t lg_shfl_down(uint32_t v, int d) { return __shfl_down_sync(0xffffffffu, (unsigned)v, d); }
LG_FN uint64_t lg_shfl_down(uint64_t v, int d) {
  return __shfl_down_sync(0xffffffffu, (unsigned long long)v, d);
}
LG_FN bool lg_shfl_down(bool v, int d) { return __shfl_down_sync(0xffffffffu, (int)v, d) != 0; }
template <typename T> LG_FN lg_complex<T> lg_shfl_down(lg_complex<T> v, int d) {
  return lg_complex<T>(lg_shfl_down(v.re, d), lg_shfl_down(v.im, d));
}

/* Tensor cores: D (16x8, float) += A (16x16) * B (16x8) in float16 for a whole warp (mma.m16n8k16:
 * exact products, float32 sums). Each lane = 4 * g + t holds words of two halves (the lower index in
 * the low 16 bits): a[0] = A[g][2t, 2t+1], a[1] = A[g+8][2t, 2t+1], a[2] = A[g][2t+8, 2t+9],
 * a[3] = A[g+8][2t+8, 2t+9], b[0] = B[2t, 2t+1][g], b[1] = B[2t+8, 2t+9][g], and D[g][2t, 2t+1] in
 * d[0..1], D[g+8][2t, 2t+1] in d[2..3] (the PTX ISA's fragment layout). */
LG_FN uint32_t lg_half_pair(const lg_half* p) { return *reinterpret_cast<const uint32_t*>(p); }
LG_FN float lg_half_of_word(uint32_t word, int high) { return lg_half_to_float((unsigned short)(word >> (16 * high))); }

/* The same product from the fragments' words, fetched from other lanes by `word(w, lane)` (w: a[0..3]
 * as 0..3, b[0..1] as 4..5): what GPUs before sm_80 run (with shuffles), and the tests' emulator. */
template <typename Word>
LG_FN void lg_mma_16x8x16_by_words(float d[4], int lane, Word word) {
  const int g = lane / 4, t = lane % 4;
  for (int src = 0; src < 4; src++) {  /* lane 4g + src has A's rows at k = 2src + {0, 1, 8, 9} */
    const uint32_t a_top[2] = {word(0, 4 * g + src), word(2, 4 * g + src)};
    const uint32_t a_bottom[2] = {word(1, 4 * g + src), word(3, 4 * g + src)};
    const uint32_t b_left[2] = {word(4, 8 * t + src), word(5, 8 * t + src)};  /* column 2t: lane 4(2t) + src */
    const uint32_t b_right[2] = {word(4, 8 * t + 4 + src), word(5, 8 * t + 4 + src)};
    for (int far = 0; far < 2; far++) {
      for (int high = 0; high < 2; high++) {
        const float top = lg_half_of_word(a_top[far], high), bottom = lg_half_of_word(a_bottom[far], high);
        const float left = lg_half_of_word(b_left[far], high), right = lg_half_of_word(b_right[far], high);
        d[0] += top * left;
        d[1] += top * right;
        d[2] += bottom * left;
        d[3] += bottom * right;
      }
    }
  }
}

#ifdef __CUDA_ARCH__
LG_FN void lg_mma_16x8x16(float d[4], const uint32_t a[4], const uint32_t b[2]) {
#if __CUDA_ARCH__ >= 800
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
               "{%0, %1, %2, %3};"
               : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
  lg_mma_16x8x16_by_words(d, threadIdx.x % 32,
                          [&](int w, int src) { return __shfl_sync(0xffffffffu, w < 4 ? a[w] : b[w - 4], src); });
#endif
}
#endif
