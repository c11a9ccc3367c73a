/* Force-included before a generated CUDA source to compile it for the host (runtime.cpp runs it):
 * CUDA's qualifiers and built-in variables, the awaitable barrier and shuffle that a cooperative
 * kernel's __syncthreads and lg_shfl_down become, and the float16 conversions that prelude.cuh
 * takes from the device's instructions. */
#pragma once
#include <coroutine>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static /* blocks run one at a time */

struct lg_dim3 { unsigned x, y, z; };
extern lg_dim3 threadIdx, blockIdx, blockDim, gridDim;

extern "C" void lg_emu_wait_barrier(void);
extern "C" void lg_emu_wait_warp(void *lane_data, void (*op)(void **lanes));
extern "C" void lg_emu_wait_shuffle(uint64_t low, uint64_t high, int delta);
extern "C" uint64_t lg_emu_shuffled(int word);
extern "C" unsigned short lg_emu_half_bits(double v);
extern "C" float lg_emu_half_value(unsigned short bits);

namespace lg_emu {

/* a thread of a cooperative kernel: suspended at its start, its barriers and its shuffles */
struct Thread {
  struct promise_type {
    Thread get_return_object() { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { abort(); }
  };
  std::coroutine_handle<promise_type> handle;
};

struct Barrier {
  bool await_ready() { return false; }
  void await_suspend(std::coroutine_handle<>) { lg_emu_wait_barrier(); }
  void await_resume() {}
};

template <typename T>
struct Shuffle {
  /* (a complex128 moves as two 64-bit shuffles on the device, as one exchange here) */
  static_assert(sizeof(T) <= 16, "shuffles move 32- and 64-bit words, or pairs of them");
  T value;
  int delta;
  bool await_ready() { return false; }
  void await_suspend(std::coroutine_handle<>) {
    uint64_t bits[2] = {0, 0};
    memcpy(bits, &value, sizeof(T));
    lg_emu_wait_shuffle(bits[0], bits[1], delta);
  }
  T await_resume() {
    const uint64_t bits[2] = {lg_emu_shuffled(0), lg_emu_shuffled(1)};
    T out;
    memcpy(&out, bits, sizeof(T));
    return out;
  }
};

/* a tensor-core product: every lane of the warp offers its fragments; once all have, the runtime
 * computes each lane's share of D from the others' words (lg_mma_16x8x16_by_words in prelude.cuh) */
struct MmaLane {
  float *d;
  const uint32_t *a, *b;
};
static void mma_warp(void **lanes); /* defined after prelude.cuh: emulated_cuda.py appends it */

struct Mma {
  MmaLane lane;
  bool await_ready() { return false; }
  void await_suspend(std::coroutine_handle<>) { lg_emu_wait_warp(&lane, mma_warp); }
  void await_resume() {}
};

inline Barrier syncthreads() { return {}; }
inline Mma mma_16x8x16(float *d, const uint32_t *a, const uint32_t *b) { return {{d, a, b}}; }
template <typename T> Shuffle<T> shfl_down(T value, int delta) { return {value, delta}; }

}  // namespace lg_emu

/* prelude.cuh's shuffle helpers wrap this; the kernels' calls to them become lg_emu::shfl_down */
template <typename T> static inline T __shfl_down_sync(unsigned, T, int);
/* threads run one at a time: atomics are plain updates */
template <typename T> static inline T atomicAdd(T *p, T v) { T old = *p; *p = old + v; return old; }
template <typename W> static inline W atomicCAS(W *p, W expected, W v) {
  W old = *p;
  if (old == expected) *p = v;
  return old;
}

static inline float __int_as_float(int i) {
  float f;
  memcpy(&f, &i, sizeof f);
  return f;
}

static inline unsigned short lg_half_from_float(float f) { return lg_emu_half_bits(f); }
static inline unsigned short lg_half_from_double(double d) { return lg_emu_half_bits(d); }
static inline float lg_half_to_float(unsigned short bits) { return lg_emu_half_value(bits); }
