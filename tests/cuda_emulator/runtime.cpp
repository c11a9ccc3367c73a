/* The CUDA emulator's runtime: runs a kernel's grid on the host, one block at a time.
 *
 * A kernel without __syncthreads runs its threads one after another. One with it is compiled as a
 * C++20 coroutine (emulated_cuda.py rewrites __syncthreads and lg_shfl_down into co_await): each
 * thread of a block is a suspended coroutine, resumed until it waits at a barrier or a shuffle; a
 * barrier lets its threads on once every live thread of the block waits there, a shuffle once every
 * live thread of the warp does, exchanging their values first; a warp operation (a tensor-core
 * product) once all 32 lanes of the warp offer their operands. A thread that returned no longer
 * counts, as on Volta and later; threads that can never meet are reported, not hung on. Blocks run
 * one at a time, which is what lets __shared__ be a static; odd blocks resume their threads in the
 * reverse order. */
#include <cmath>
#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

struct lg_dim3 { unsigned x, y, z; };
lg_dim3 threadIdx, blockIdx, blockDim, gridDim;

namespace {

enum class Wait { running, barrier, shuffle, warp_op, done };

struct Thread {
  std::coroutine_handle<> handle;
  Wait wait = Wait::running;
  uint64_t offered[2] = {0, 0}, received[2] = {0, 0};  // a shuffle's words: this thread's and those it gets
  int delta = 0;
  void *lane_data = nullptr;  // a warp operation's operands and results for this thread
  void (*op)(void **lanes) = nullptr;
};

std::vector<Thread> threads;

bool all_live_wait(unsigned first, unsigned last, Wait wait) {
  bool any = false;
  for (unsigned t = first; t < last; t++) {
    if (threads[t].wait == Wait::done) continue;
    if (threads[t].wait != wait) return false;
    any = true;
  }
  return any;
}

/* let on every group whose live threads all wait at the same kind of meeting; false if none could */
bool meet() {
  bool met = false;
  const unsigned n = threads.size();
  if (all_live_wait(0, n, Wait::barrier)) {
    for (auto &th : threads) if (th.wait == Wait::barrier) th.wait = Wait::running;
    return true;
  }
  for (unsigned first = 0; first + 32 <= n; first += 32) {
    if (!all_live_wait(first, first + 32, Wait::warp_op)) continue;
    void *lanes[32];
    for (unsigned t = 0; t < 32; t++) {
      if (threads[first + t].wait != Wait::warp_op) {
        std::fprintf(stderr, "cuda emulator: a warp operation without all 32 lanes\n");
        std::abort();
      }
      lanes[t] = threads[first + t].lane_data;
    }
    threads[first].op(lanes);
    for (unsigned t = first; t < first + 32; t++) threads[t].wait = Wait::running;
    met = true;
  }
  for (unsigned first = 0; first < n; first += 32) {
    const unsigned last = first + 32 < n ? first + 32 : n;
    if (!all_live_wait(first, last, Wait::shuffle)) continue;
    for (unsigned t = first; t < last; t++) {
      Thread &th = threads[t];
      if (th.wait != Wait::shuffle) continue;
      const unsigned from = t + th.delta;
      const Thread &src = from < last ? threads[from] : th;
      th.received[0] = src.offered[0];
      th.received[1] = src.offered[1];
      th.wait = Wait::running;
    }
    met = true;
  }
  return met;
}

void run_block(void *(*entry)(void **), void **args) {
  threads.assign(blockDim.x, Thread{});
  for (auto &th : threads) th.handle = std::coroutine_handle<>::from_address(entry(args));
  // odd blocks resume their threads last to first: a missing barrier (a thread reading what another
  // writes between the same two barriers) shows in one order or the other, whichever thread the
  // kernel wrongly waits for
  const bool backwards = (blockIdx.x + blockIdx.y + blockIdx.z) % 2;
  for (;;) {
    bool live = false;
    for (unsigned i = 0; i < threads.size(); i++) {
      const unsigned t = backwards ? threads.size() - 1 - i : i;
      Thread &th = threads[t];
      if (th.wait != Wait::running) continue;
      threadIdx = {t, 0, 0};
      th.handle.resume();
      if (th.handle.done()) th.wait = Wait::done;
    }
    for (auto &th : threads) live |= th.wait != Wait::done;
    if (!live) break;
    if (!meet()) {
      std::fprintf(stderr, "cuda emulator: threads of block %u wait at meetings that never complete "
                           "(divergent __syncthreads or shuffle)\n", blockIdx.x);
      std::abort();
    }
  }
  for (auto &th : threads) th.handle.destroy();
}

}  // namespace

extern "C" void lg_emu_wait_barrier(void) { threads[threadIdx.x].wait = Wait::barrier; }

extern "C" void lg_emu_wait_shuffle(uint64_t low, uint64_t high, int delta) {
  Thread &th = threads[threadIdx.x];
  th.wait = Wait::shuffle;
  th.offered[0] = low;
  th.offered[1] = high;
  th.delta = delta;
}

extern "C" void lg_emu_wait_warp(void *lane_data, void (*op)(void **lanes)) {
  Thread &th = threads[threadIdx.x];
  th.wait = Wait::warp_op;
  th.lane_data = lane_data;
  th.op = op;
}

extern "C" uint64_t lg_emu_shuffled(int word) { return threads[threadIdx.x].received[word]; }

/* IEEE half bits of a value, rounded to nearest even (what cvt.rn.f16 does) */
extern "C" unsigned short lg_emu_half_bits(double v) {
  const unsigned short sign = std::signbit(v) ? 0x8000 : 0;
  const double a = std::fabs(v);
  if (std::isnan(a)) return sign | 0x7e00;
  if (std::isinf(a)) return sign | 0x7c00;
  if (a < 0x1p-14) return sign | (unsigned short)std::nearbyint(a * 0x1p24);  // 1024 is the least normal
  int e;
  std::frexp(a, &e);  // a = f * 2^e, f in [0.5, 1)
  e -= 1;
  double m = std::nearbyint(std::ldexp(a, 10 - e));
  if (m == 2048) { m = 1024; e++; }
  if (e > 15) return sign | 0x7c00;
  return sign | (unsigned short)((e + 15) << 10 | ((unsigned)m - 1024));
}

extern "C" float lg_emu_half_value(unsigned short h) {
  const unsigned e = (h >> 10) & 0x1f, m = h & 0x3ff;
  const float v = e == 0 ? std::ldexp((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : std::ldexp((float)(m | 0x400), e - 25);
  return h & 0x8000 ? -v : v;
}

/* the grid: `entry` calls the kernel; for a cooperative kernel it returns the coroutine's address */
extern "C" void lg_emu_launch(void *entry, void **args, unsigned gx, unsigned gy, unsigned gz, unsigned block_threads,
                              int cooperative) {
  gridDim = {gx, gy, gz};
  blockDim = {block_threads, 1, 1};
  const unsigned long long blocks = (unsigned long long)gx * gy * gz;
  for (unsigned long long b = 0; b < blocks; b++) {
    blockIdx = {unsigned(b % gx), unsigned(b / gx % gy), unsigned(b / gx / gy)};
    if (cooperative) {
      run_block((void *(*)(void **))entry, args);
      continue;
    }
    for (unsigned t = 0; t < block_threads; t++) {
      threadIdx = {t, 0, 0};
      ((void (*)(void **))entry)(args);
    }
  }
}
