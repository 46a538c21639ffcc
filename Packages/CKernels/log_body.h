// Logarithm kernels for one instruction set (see graft_kernels.h), on the
// vector math of simd_math.h; kernels.c includes it once per set (isa_instance.h).

static TARGET float NAME(power_to_db)(float *dst, const float *src, int64_t n, float amin, float offset) {
  const float scale = 4.342944819032518f;  // 10 / ln 10
  V peak = NAME(splat)(-INFINITY);
  float tail_peak = -INFINITY;
  int64_t i = 0;
  for (; i + VW <= n; i += VW) {
    V x = NAME(ld)(src + i, VW);
    const V floor = NAME(splat)(amin);
    x = NAME(sel)(x > floor, x, floor);  // max(amin, x); NaN -> amin as fmaxf
    V db = NAME(log_normal)(x) * scale - offset;
    if (NAME(log_special)(x)) {
      for (int l = 0; l < VW; l++) db[l] = 10.0f * log10f(x[l]) - offset;
    }
    NAME(st)(dst + i, db, VW);
    peak = NAME(sel)(db > peak, db, peak);
  }
  for (; i < n; i++) {
    const float x = src[i] > amin ? src[i] : amin;
    const float db = 10.0f * log10f(x) - offset;
    dst[i] = db;
    if (db > tail_peak) tail_peak = db;
  }
  for (int l = 0; l < VW; l++)
    if (peak[l] > tail_peak) tail_peak = peak[l];
  return tail_peak;
}

// Every lane goes through the vector polynomial, the last partial vector too, and only the lanes
// it gets wrong go through logf: a value's log does not depend on where it sits in the array, so
// a spectrogram's log computed block by block (StreamingSpectrogram) equals the whole one's.
static TARGET void NAME(log_offset)(float *dst, const float *src, int64_t n, float offset) {
  for (int64_t i = 0; i < n; i += VW) {
    const int w = n - i < VW ? (int)(n - i) : VW;
    const V x = NAME(ld)(src + i, w) + offset;
    V y = NAME(log_normal)(x);
    if (NAME(log_special)(x)) {
      for (int l = 0; l < VW; l++)
        if (!(x[l] >= 1.17549435e-38f && x[l] <= 3.40282347e38f)) y[l] = logf(x[l]);
    }
    NAME(st)(dst + i, y, w);
  }
}
