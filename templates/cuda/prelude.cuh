/* lazygrad CUDA prelude: what generated CUDA kernels include. It compiles under NVRTC (no C
 * standard headers there) and nvcc alike. The helpers are the C back end's (lg_helpers.h), as
 * device functions, so both back ends compute the same values and the same random numbers; math
 * functions are CUDA's own. */
#pragma once

#ifdef __CUDACC_RTC__
typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
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
LG_UNARY(cosh) LG_UNARY(tanh) LG_UNARY(erf)
LG_FN float lg_powf(float a, float b) { return powf(a, b); }
LG_FN double lg_pow(double a, double b) { return pow(a, b); }
LG_FN float lg_atan2f(float a, float b) { return atan2f(a, b); }
LG_FN double lg_atan2(double a, double b) { return atan2(a, b); }

#include "lg_helpers.h"

/* warp shuffles move 32- and 64-bit words; narrower accumulators travel widened */
LG_FN float lg_shfl_down(float v, int d) { return __shfl_down_sync(0xffffffffu, v, d); }
LG_FN double lg_shfl_down(double v, int d) { return __shfl_down_sync(0xffffffffu, v, d); }
LG_FN int64_t lg_shfl_down(int64_t v, int d) { return __shfl_down_sync(0xffffffffu, (long long)v, d); }
LG_FN int32_t lg_shfl_down(int32_t v, int d) { return __shfl_down_sync(0xffffffffu, v, d); }
LG_FN int16_t lg_shfl_down(int16_t v, int d) { return (int16_t)__shfl_down_sync(0xffffffffu, (int)v, d); }
LG_FN int8_t lg_shfl_down(int8_t v, int d) { return (int8_t)__shfl_down_sync(0xffffffffu, (int)v, d); }
LG_FN uint8_t lg_shfl_down(uint8_t v, int d) { return (uint8_t)__shfl_down_sync(0xffffffffu, (int)v, d); }
LG_FN bool lg_shfl_down(bool v, int d) { return __shfl_down_sync(0xffffffffu, (int)v, d) != 0; }
