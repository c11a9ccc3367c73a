/* STREAM-style bandwidth kernels for benchmarks/bench.py (the reference lazygrad's memory-bound
 * kernels are compared against). Built by bench.py with `cc -O3 -march=native -fopenmp -shared
 * -fPIC` into a temporary directory and called through ctypes; not part of lazygrad.
 *
 * Static scheduling in every loop, so each thread touches (first-touch in init) and later streams
 * the same contiguous part of each array. */
#include <omp.h>

void stream_init(float *restrict a, float *restrict b, float *restrict c, long n) {
    #pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
        a[i] = 0.0f;
        b[i] = 1.0f;
        c[i] = 2.0f;
    }
}

/* STREAM triad: a = b + s*c (2 loads and 1 store per element: 12 bytes counted). */
void stream_triad(float *restrict a, const float *restrict b, const float *restrict c, float s, long n) {
    #pragma omp parallel for simd schedule(static)
    for (long i = 0; i < n; i++)
        a[i] = b[i] + s * c[i];
}

/* STREAM copy: a = b (1 load and 1 store per element: 8 bytes counted). */
void stream_copy(float *restrict a, const float *restrict b, long n) {
    #pragma omp parallel for simd schedule(static)
    for (long i = 0; i < n; i++)
        a[i] = b[i];
}

int stream_threads(void) { return omp_get_max_threads(); }
