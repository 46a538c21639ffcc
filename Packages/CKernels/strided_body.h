// Strided row copies for one instruction set (see graft_kernels.h), on the vectors of
// simd_math.h; kernels.c includes it once per set. im2col of a stride-2 convolution reads
// every other pixel of a row: two vectors in, their even lanes out.

static TARGET void NAME(copy_stride2)(float *dst, const float *src, int64_t count) {
  int64_t q = 0;
  // Whole vectors while the two loads stay inside the row (they read src[2q ..< 2q + 2·VW],
  // one float past the last one used).
  for (; q + VW < count; q += VW) {
    const V a = NAME(ld)(src + 2 * q, VW), b = NAME(ld)(src + 2 * q + VW, VW);
    NAME(st)(dst + q, __builtin_shufflevector(a, b, VEVENS), VW);
  }
  for (; q < count; q++) dst[q] = src[2 * q];
}
