// Vector math for one instruction set, shared by the kernel bodies. kernels.c
// includes this file once per set after defining
//   NAME(x)     x with the set's suffix (x##_avx512, ...)
//   TARGET      the function attribute enabling the set (empty for baseline)
//   VW          floats per vector
// Vectors are clang/GCC vector types, so one source compiles to zmm, ymm or
// xmm code depending on TARGET. exp, tanh and log are Cephes' expf, tanhf and
// logf, within a few ulp of libm: Graft's one home of this vector math (GraftCore's
// Kernels.vectorSigmoid / vectorTanh call it through gru_body.h).

typedef float NAME(vf) __attribute__((vector_size(VW * 4)));
typedef int32_t NAME(vi) __attribute__((vector_size(VW * 4)));
#define V NAME(vf)
#define VI NAME(vi)
#define FN static inline __attribute__((always_inline)) TARGET

// __builtin_shufflevector indices: the even / odd lanes of two vectors (a stride-2 row).
#if VW == 16
#define VEVENS 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
#define VODDS 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
#elif VW == 8
#define VEVENS 0, 2, 4, 6, 8, 10, 12, 14
#define VODDS 1, 3, 5, 7, 9, 11, 13, 15
#elif VW == 4
#define VEVENS 0, 2, 4, 6
#define VODDS 1, 3, 5, 7
#else
#error "simd_math.h: unsupported VW"
#endif
// ... and the lanes of two vectors interleaved (a0 b0 a1 b1 ...), first and second half.
#if VW == 16
#define VZIP_LO 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23
#define VZIP_HI 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31
#elif VW == 8
#define VZIP_LO 0, 8, 1, 9, 2, 10, 3, 11
#define VZIP_HI 4, 12, 5, 13, 6, 14, 7, 15
#else
#define VZIP_LO 0, 4, 1, 5
#define VZIP_HI 2, 6, 3, 7
#endif

FN V NAME(splat)(float x) {
  V v;
  for (int l = 0; l < VW; l++) v[l] = x;
  return v;
}

#if VW == 16
/// Lanes [lo, hi) as an AVX-512 mask.
FN __mmask16 NAME(range_mask)(int lo, int hi) { return (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1)); }
#elif VW == 8
/// Lanes [lo, hi) as an AVX2 mask (all bits set in the chosen lanes).
FN __m256i NAME(range_mask)(int lo, int hi) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(hi), lane),
                          _mm256_cmpgt_epi32(lane, _mm256_set1_epi32(lo - 1)));
}
#endif

/// Lanes [lo, hi) from p[lo ..< hi], zero elsewhere; the other lanes' memory is not read
/// (0 <= lo <= hi <= VW). Masked loads on AVX2 and AVX-512, so a vector can start before a
/// row or end past it.
FN V NAME(ld_range)(const float *p, int lo, int hi) {
#if VW == 16
  return (V)_mm512_maskz_loadu_ps(NAME(range_mask)(lo, hi), p);
#elif VW == 8
  return (V)_mm256_maskload_ps(p, NAME(range_mask)(lo, hi));
#else
  V v = {0};
  for (int l = lo; l < hi; l++) v[l] = p[l];
  return v;
#endif
}

/// Stores lanes [lo, hi) to p[lo ..< hi]; the other lanes' memory is not touched.
FN void NAME(st_range)(float *p, V v, int lo, int hi) {
#if VW == 16
  _mm512_mask_storeu_ps(p, NAME(range_mask)(lo, hi), (__m512)v);
#elif VW == 8
  _mm256_maskstore_ps(p, NAME(range_mask)(lo, hi), (__m256)v);
#else
  for (int l = lo; l < hi; l++) p[l] = v[l];
#endif
}

/// The first n (1...VW) floats at p; the rest zero. A partial vector is a masked load:
/// nothing past p[n - 1] is read.
FN V NAME(ld)(const float *p, int n) {
  if (n != VW) return NAME(ld_range)(p, 0, n);
  V v;
  memcpy(&v, p, sizeof v);
  return v;
}

/// Stores the first n (1...VW) lanes; nothing past p[n - 1] is written.
FN void NAME(st)(float *p, V v, int n) {
  if (n == VW) memcpy(p, &v, sizeof v); else NAME(st_range)(p, v, 0, n);
}

/// Pixels px ... px + VW - 1 of a row W pixels wide: zero outside [0, W), and everywhere for a
/// NULL row (a row of padding).
FN V NAME(ld_pixels)(const float *row, int64_t px, int64_t W) {
  if (!row) return NAME(splat)(0);
  if (px >= 0 && px + VW <= W) return NAME(ld)(row + px, VW);
  const int64_t lo = px < 0 ? -px : 0, hi = W - px < VW ? W - px : VW;
  if (lo >= hi) return NAME(splat)(0);
  return NAME(ld_range)(row + px, (int)lo, (int)hi);
}

/// p[0], p[stride], ..., p[(n - 1) * stride] in the first n lanes (1 <= n <= VW), zero elsewhere.
FN V NAME(ld_strided)(const float *p, int stride, int n) {
#if VW == 16
  const __m512i index = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                           _mm512_set1_epi32(stride));
  return (V)_mm512_mask_i32gather_ps(_mm512_setzero_ps(), (__mmask16)((1u << n) - 1), index, p, 4);
#else
  V v = {0};
  for (int l = 0; l < n; l++) v[l] = p[l * stride];
  return v;
#endif
}

/// Lane l to p[l * stride] for the first n lanes (1 <= n <= VW).
FN void NAME(st_strided)(float *p, V v, int stride, int n) {
#if VW == 16
  const __m512i index = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                           _mm512_set1_epi32(stride));
  _mm512_mask_i32scatter_ps(p, (__mmask16)((1u << n) - 1), index, (__m512)v, 4);
#else
  for (int l = 0; l < n; l++) p[l * stride] = v[l];
#endif
}

FN V NAME(sel)(VI m, V a, V b) { return (V)((m & (VI)a) | (~m & (VI)b)); }

/// e^x (Cephes expf): x = n ln2 + r, a degree-6 polynomial in r, 2^n from the exponent bits.
FN V NAME(exp)(V v) {
  const V lo = NAME(splat)(-87.3f), hi = NAME(splat)(88.3f);
  V x = NAME(sel)(v < lo, lo, v);
  x = NAME(sel)(x > hi, hi, x);
  const V magic = x * 1.44269504088896341f + 12582912.0f;
  const V n = magic - 12582912.0f;
  x = x - n * 0.693359375f + n * 2.12194440e-4f;
  const V z = x * x;
  V y = NAME(splat)(1.9875691500e-4f);
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  y = y * z + x + 1.0f;
  const VI e = (((VI)magic - 0x4B400000) + 127) << 23;
  return y * (V)e;
}

FN V NAME(sigmoid)(V x) { return 1.0f / (1.0f + NAME(exp)(-x)); }

/// tanh (Cephes tanhf): an odd polynomial below |x| = 0.625, 1 - 2/(e^2|x| + 1) above.
FN V NAME(tanh)(V v) {
  const V zero = {0};
  const VI negative = v < zero;
  const V a = NAME(sel)(negative, -v, v);
  V big = 1.0f - 2.0f / (NAME(exp)(2.0f * a) + 1.0f);
  big = NAME(sel)(negative, -big, big);
  const V z = v * v;
  V p = NAME(splat)(-5.70498872745e-3f);
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const V small = p * z * v + v;
  return NAME(sel)(a >= 0.625f, big, small);
}

/// ln x for normal positive x (Cephes logf: x = m 2^e with m in [sqrt(1/2), sqrt 2),
/// a degree-9 polynomial in m - 1). Zero, negative, subnormal, infinite and NaN
/// lanes come out wrong: callers patch them (see NAME(log_special)).
FN V NAME(log_normal)(V v) {
  const VI bits = (VI)v;
  VI e = ((bits >> 23) & 0xFF) - 126;
  V m = (V)((bits & 0x807FFFFF) | 0x3F000000);  // mantissa in [0.5, 1)
  const VI small = m < 0.707106781186547524f;
  e = e + small;                                 // small: e - 1 (masks are -1)
  m = m + NAME(sel)(small, m, NAME(splat)(0.0f)) - 1.0f;
  const V z = m * m;
  V y = NAME(splat)(7.0376836292e-2f);
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m * z;
  const V ef = __builtin_convertvector(e, V);
  y = y + ef * -2.12194440e-4f;
  y = y - 0.5f * z;
  return m + y + ef * 0.693359375f;
}

/// Lanes log_normal gets wrong: not a normal positive finite float.
FN int NAME(log_special)(V v) {
  const VI special = (v < 1.17549435e-38f) | (v > 3.40282347e38f) | (v != v);
  for (int l = 0; l < VW; l++)
    if (special[l]) return 1;
  return 0;
}

