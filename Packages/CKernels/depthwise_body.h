// Depthwise 3x3 convolution of one plane for one instruction set (see graft_kernels.h), on the
// vectors of simd_math.h; kernels.c includes it once per set. Each output row is computed a
// vector of columns at a time: the nine taps as broadcast weights times shifted input vectors
// (stride 2: the even lanes of two vectors), masked loads where a row's edge or padding falls
// inside a vector.

static TARGET void NAME(depthwise3x3)(float *y, const float *x, const float *w, float bias, int64_t H, int64_t W,
                                      int64_t P, int64_t Q, int64_t stride, int64_t pad_h, int64_t pad_w) {
  V k[9];
  for (int i = 0; i < 9; i++) k[i] = NAME(splat)(w[i]);
  for (int64_t p = 0; p < P; p++) {
    const float *rows[3];
    for (int r = 0; r < 3; r++) {
      const int64_t ih = p * stride - pad_h + r;
      rows[r] = ih >= 0 && ih < H ? x + ih * W : NULL;
    }
    for (int64_t q0 = 0; q0 < Q; q0 += VW) {
      const int n = Q - q0 < VW ? (int)(Q - q0) : VW;
      V acc = NAME(splat)(bias);
      const int64_t px = q0 * stride - pad_w;  // input column of tap 0 for output column q0
      for (int r = 0; r < 3; r++) {
        if (!rows[r]) continue;
        if (stride == 1) {
          for (int s = 0; s < 3; s++) acc += k[3 * r + s] * NAME(ld_pixels)(rows[r], px + s, W);
        } else {
          // Taps 0 and 1: the even and odd lanes of the 2·VW pixels from px; tap 2: the even
          // lanes of those from px + 2.
          const V a = NAME(ld_pixels)(rows[r], px, W), b = NAME(ld_pixels)(rows[r], px + VW, W);
          const V a2 = NAME(ld_pixels)(rows[r], px + 2, W), b2 = NAME(ld_pixels)(rows[r], px + 2 + VW, W);
          acc += k[3 * r] * __builtin_shufflevector(a, b, VEVENS);
          acc += k[3 * r + 1] * __builtin_shufflevector(a, b, VODDS);
          acc += k[3 * r + 2] * __builtin_shufflevector(a2, b2, VEVENS);
        }
      }
      NAME(st_first)(y + p * Q + q0, acc, n);
    }
  }
}
