/* lazygrad's kernel helpers, shared by the C and CUDA preludes (each defines LG_FN, the integer
 * types, INFINITY and the lg_ math functions first). Semantics follow torch: NaN-propagating
 * max/min, floor division and remainder with the divisor's sign, integer division by zero yields 0
 * instead of trapping, and a counter-based RNG (Philox4x32-10) so the same seed gives the same
 * numbers on every back end. */
#pragma once

/* two selects, no short-circuit: scalar code stays branch-free (a max over random data mispredicts). Equal
 * values give a, as torch's std::max and std::min do (maximum(-0.0, 0.0) is -0.0, and a reduction keeps the
 * first of its equal maxima) */
LG_FN float lg_maxf(float a, float b) { const float m = a < b ? b : a; return b != b ? b : m; }
LG_FN float lg_minf(float a, float b) { const float m = b < a ? b : a; return b != b ? b : m; }
LG_FN double lg_max(double a, double b) { const double m = a < b ? b : a; return b != b ? b : m; }
LG_FN double lg_min(double a, double b) { const double m = b < a ? b : a; return b != b ? b : m; }
/* log(e^a + e^b) without overflow: equal values (infinities too) give a + log 2, NaN propagates */
LG_FN float lg_logaddexpf(float a, float b) {
  if (a == b) return a + 0.693147180559945309f;
  const float hi = a > b ? a : b, lo = a > b ? b : a;
  return hi + lg_log1pf(lg_expf(lo - hi));
}
LG_FN double lg_logaddexp(double a, double b) {
  if (a == b) return a + 0.693147180559945309;
  const double hi = a > b ? a : b, lo = a > b ? b : a;
  return hi + lg_log1p(lg_exp(lo - hi));
}
/* torch.remainder: the result takes the divisor's sign */
LG_FN float lg_modf(float a, float b) { float m = fmodf(a, b); return (m != 0 && ((b < 0) != (m < 0))) ? m + b : m; }
LG_FN double lg_mod(double a, double b) { double m = fmod(a, b); return (m != 0 && ((b < 0) != (m < 0))) ? m + b : m; }

/* torch.floor_divide on floats: computed from fmod so that a == b * q + r holds as closely as possible */
LG_FN float lg_floordivf(float a, float b) {
  if (b == 0) return a / b;
  float m = fmodf(a, b), d = (a - m) / b;
  if (m != 0 && ((b < 0) != (m < 0))) d -= 1;
  if (d == 0) return copysignf(0.0f, a / b);
  float fl = floorf(d);
  return (d - fl > 0.5f) ? fl + 1 : fl;
}
LG_FN double lg_floordiv(double a, double b) {
  if (b == 0) return a / b;
  double m = fmod(a, b), d = (a - m) / b;
  if (m != 0 && ((b < 0) != (m < 0))) d -= 1;
  if (d == 0) return copysign(0.0, a / b);
  double fl = floor(d);
  return (d - fl > 0.5) ? fl + 1 : fl;
}

LG_FN int64_t lg_floordiv_i64(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return -a;
  int64_t q = a / b;
  return ((a % b != 0) && ((a < 0) != (b < 0))) ? q - 1 : q;
}
LG_FN int64_t lg_floormod_i64(int64_t a, int64_t b) {
  if (b == 0 || b == -1) return 0;
  int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
LG_FN int64_t lg_truncmod_i64(int64_t a, int64_t b) { return (b == 0 || b == -1) ? 0 : a % b; }
LG_FN int64_t lg_ipow_i64(int64_t a, int64_t e) {
  if (e < 0) return a == 1 ? 1 : a == -1 ? ((e & 1) ? -1 : 1) : 0;
  int64_t r = 1;
  while (e) { if (e & 1) r *= a; a *= a; e >>= 1; }
  return r;
}

/* integer helpers for each width: narrow types compute in int64 and wrap on return */
#define LG_INT_HELPERS(T, S, BITS)                                                              \
  LG_FN T lg_floordiv_##S(T a, T b) { return (T)lg_floordiv_i64(a, b); }              \
  LG_FN T lg_mod_##S(T a, T b) { return (T)lg_floormod_i64(a, b); }                   \
  LG_FN T lg_fmod_##S(T a, T b) { return (T)lg_truncmod_i64(a, b); }                  \
  LG_FN T lg_pow_##S(T a, T b) { return (T)lg_ipow_i64(a, b); }                       \
  LG_FN T lg_shl_##S(T a, T b) { return (b < 0 || b >= BITS) ? 0 : (T)((uint64_t)a << b); } \
  LG_FN T lg_shr_##S(T a, T b) { return (b < 0 || b >= BITS) ? (T)(a < 0 ? -1 : 0) : (T)(a >> b); }
LG_INT_HELPERS(uint8_t, u8, 8)
LG_INT_HELPERS(int8_t, i8, 8)
LG_INT_HELPERS(int16_t, i16, 16)
LG_INT_HELPERS(int32_t, i32, 32)
LG_INT_HELPERS(uint16_t, u16, 16)
LG_INT_HELPERS(uint32_t, u32, 32)
/* uint64 does not fit int64: its own helpers (a division by zero gives 0, as for the other integers) */
LG_FN uint64_t lg_floordiv_u64(uint64_t a, uint64_t b) { return b == 0 ? 0 : a / b; }
LG_FN uint64_t lg_mod_u64(uint64_t a, uint64_t b) { return b == 0 ? 0 : a % b; }
LG_FN uint64_t lg_fmod_u64(uint64_t a, uint64_t b) { return b == 0 ? 0 : a % b; }
LG_FN uint64_t lg_pow_u64(uint64_t a, uint64_t e) {
  uint64_t r = 1;
  while (e) { if (e & 1) r *= a; a *= a; e >>= 1; }
  return r;
}
LG_FN uint64_t lg_shl_u64(uint64_t a, uint64_t b) { return b >= 64 ? 0 : a << b; }
LG_FN uint64_t lg_shr_u64(uint64_t a, uint64_t b) { return b >= 64 ? 0 : a >> b; }
/* a float converted to uint64 as torch's CPU build converts it: through int64 below 2^63, past it offset by 2^63 */
LG_FN uint64_t lg_to_u64(double x) {
  return x >= 9223372036854775808.0 ? (uint64_t)(int64_t)(x - 9223372036854775808.0) ^ 0x8000000000000000ULL
                                    : (uint64_t)(int64_t)x;
}
LG_FN int64_t lg_mod_i64(int64_t a, int64_t b) { return lg_floormod_i64(a, b); }
LG_FN int64_t lg_pow_i64(int64_t a, int64_t b) { return lg_ipow_i64(a, b); }
LG_FN int64_t lg_shl_i64(int64_t a, int64_t b) { return (b < 0 || b >= 64) ? 0 : (int64_t)((uint64_t)a << b); }
LG_FN int64_t lg_shr_i64(int64_t a, int64_t b) { return (b < 0 || b >= 64) ? (a < 0 ? -1 : 0) : a >> b; }
LG_FN int64_t lg_fmod_i64(int64_t a, int64_t b) { return lg_truncmod_i64(a, b); }
/* a computed position kept inside a buffer of n elements: indices are checked before a kernel
 * runs, so this only guards memory against values that were never checked */
LG_FN int64_t lg_clamp_index(int64_t i, int64_t n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

/* Philox4x32-10: four 32-bit words of random bits for counter `ctr` under key `seed` */
typedef struct { uint32_t w[4]; } lg_philox_out;
LG_FN lg_philox_out lg_philox(uint64_t seed, uint64_t ctr) {
  uint32_t c0 = (uint32_t)ctr, c1 = (uint32_t)(ctr >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  for (int round = 0; round < 10; round++) {
    uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c1 = (uint32_t)p1; c3 = (uint32_t)p0; c0 = n0; c2 = n2;
    k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
  }
  lg_philox_out out = {{c0, c1, c2, c3}};
  return out;
}
LG_FN float lg_rand_uniform_f32(uint64_t seed, uint64_t ctr) {
  return (float)(lg_philox(seed, ctr).w[0] >> 8) * 0x1p-24f;
}
LG_FN double lg_rand_uniform_f64(uint64_t seed, uint64_t ctr) {
  lg_philox_out r = lg_philox(seed, ctr);
  return (double)((((uint64_t)r.w[0]) << 21) ^ (r.w[1] >> 11)) * 0x1p-53;
}
/* Box-Muller on the first two words; 1 - u keeps the logarithm finite */
LG_FN float lg_rand_normal_f32(uint64_t seed, uint64_t ctr) {
  lg_philox_out r = lg_philox(seed, ctr);
  float u1 = 1.0f - (float)(r.w[0] >> 8) * 0x1p-24f, u2 = (float)(r.w[1] >> 8) * 0x1p-24f;
  return sqrtf(-2.0f * lg_logf(u1)) * lg_cosf(6.2831853071795864769f * u2);
}
LG_FN double lg_rand_normal_f64(uint64_t seed, uint64_t ctr) {
  lg_philox_out r = lg_philox(seed, ctr);
  double u1 = 1.0 - (double)((((uint64_t)r.w[0]) << 21) ^ (r.w[1] >> 11)) * 0x1p-53;
  double u2 = (double)((((uint64_t)r.w[2]) << 21) ^ (r.w[3] >> 11)) * 0x1p-53;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}
LG_FN int64_t lg_rand_bits_i64(uint64_t seed, uint64_t ctr) {
  lg_philox_out r = lg_philox(seed, ctr);
  return (int64_t)((((uint64_t)r.w[0]) << 32) | r.w[1]);
}

/* bfloat16: the upper 16 bits of a float. Values are computed in float and rounded to bfloat16's 8
 * significant bits (to nearest, ties to even, as torch's conversions round) after every op that yields
 * one; NaN stays a quiet NaN. Each back end wraps the bits in its own lg_bf16 storage type. */
LG_FN float lg_bf16_round(float f) {
  union { float f; uint32_t u; } v;
  v.f = f;
  if (f != f) return f;
  v.u = (v.u + 0x7FFFu + ((v.u >> 16) & 1u)) & 0xFFFF0000u;
  return v.f;
}
LG_FN uint16_t lg_bf16_bits(float f) {
  union { float f; uint32_t u; } v;
  v.f = lg_bf16_round(f);
  return f != f ? (uint16_t)((v.u >> 16) | 0x40u) : (uint16_t)(v.u >> 16);
}
LG_FN float lg_bf16_float(uint16_t bits) {
  union { uint32_t u; float f; } v;
  v.u = (uint32_t)bits << 16;
  return v.f;
}
