// Depthwise 3x3 convolution of one plane for one instruction set (see graft_kernels.h), on the
// vectors of simd_math.h; kernels.c includes it once per set. Each output row is computed a
// vector of columns at a time: the nine taps as broadcast weights times shifted input vectors
// (stride 2: the even lanes of two vectors), masked loads where a row's edge or padding falls
// inside a vector.

/// The input rows of output row p's window (NULL where the window is over the padding).
FN void NAME(dw_rows)(const float *rows[3], const float *x, int64_t p, int64_t stride, int64_t pad_h, int64_t H,
                      int64_t W) {
  for (int r = 0; r < 3; r++) {
    const int64_t ih = p * stride - pad_h + r;
    rows[r] = ih >= 0 && ih < H ? x + ih * W : NULL;
  }
}

/// The pixels of one window row that taps 0, 1, 2 read for VW consecutive output columns whose
/// tap 0 reads column px (stride 2: the even and odd lanes of the 2·VW pixels from px, and the
/// even lanes of those from px + 2).
FN void NAME(dw_taps)(V t[3], const float *row, int64_t px, int64_t stride, int64_t W) {
  if (stride == 1) {
    for (int s = 0; s < 3; s++) t[s] = NAME(ld_pixels)(row, px + s, W);
    return;
  }
  const V a = NAME(ld_pixels)(row, px, W), b = NAME(ld_pixels)(row, px + VW, W);
  const V a2 = NAME(ld_pixels)(row, px + 2, W), b2 = NAME(ld_pixels)(row, px + 2 + VW, W);
  t[0] = __builtin_shufflevector(a, b, VEVENS);
  t[1] = __builtin_shufflevector(a, b, VODDS);
  t[2] = __builtin_shufflevector(a2, b2, VEVENS);
}

static TARGET void NAME(depthwise3x3)(float *y, const float *x, const float *w, float bias, int64_t H, int64_t W,
                                      int64_t P, int64_t Q, int64_t stride, int64_t pad_h, int64_t pad_w) {
  V k[9];
  for (int i = 0; i < 9; i++) k[i] = NAME(splat)(w[i]);
  for (int64_t p = 0; p < P; p++) {
    const float *rows[3];
    NAME(dw_rows)(rows, x, p, stride, pad_h, H, W);
    for (int64_t q0 = 0; q0 < Q; q0 += VW) {
      const int n = Q - q0 < VW ? (int)(Q - q0) : VW;
      V acc = NAME(splat)(bias);
      for (int r = 0; r < 3; r++) {
        if (!rows[r]) continue;
        V t[3];
        NAME(dw_taps)(t, rows[r], q0 * stride - pad_w, stride, W);
        for (int s = 0; s < 3; s++) acc += k[3 * r + s] * t[s];
      }
      NAME(st)(y + p * Q + q0, acc, n);
    }
  }
}

/// The 5x5 forward of one plane (dilation 1, stride 1 or 2), as depthwise3x3 with five rows of
/// five taps: tap s of a row reads VW pixels from column px + s (stride 2: the even lanes of the
/// 2·VW pixels from there). Taps accumulate in the order of the scalar loop (bias, then row by
/// row, tap by tap).
static TARGET void NAME(depthwise5x5)(float *y, const float *x, const float *w, float bias, int64_t H, int64_t W,
                                      int64_t P, int64_t Q, int64_t stride, int64_t pad_h, int64_t pad_w) {
  V k[25];
  for (int i = 0; i < 25; i++) k[i] = NAME(splat)(w[i]);
  for (int64_t p = 0; p < P; p++) {
    const float *rows[5];
    for (int r = 0; r < 5; r++) {
      const int64_t ih = p * stride - pad_h + r;
      rows[r] = ih >= 0 && ih < H ? x + ih * W : NULL;
    }
    for (int64_t q0 = 0; q0 < Q; q0 += VW) {
      const int n = Q - q0 < VW ? (int)(Q - q0) : VW;
      const int64_t px = q0 * stride - pad_w;
      V acc = NAME(splat)(bias);
      for (int r = 0; r < 5; r++) {
        if (!rows[r]) continue;
        for (int s = 0; s < 5; s++) {
          V t;
          if (stride == 1) {
            t = NAME(ld_pixels)(rows[r], px + s, W);
          } else {
            const V a = NAME(ld_pixels)(rows[r], px + s, W), b = NAME(ld_pixels)(rows[r], px + s + VW, W);
            t = __builtin_shufflevector(a, b, VEVENS);
          }
          acc += k[5 * r + s] * t;
        }
      }
      NAME(st)(y + p * Q + q0, acc, n);
    }
  }
}

/// v with lanes n ... VW - 1 set to zero.
FN V NAME(keep_first)(V v, int n) {
  VI lane;
  for (int l = 0; l < VW; l++) lane[l] = l;
  const VI count = {0};
  return NAME(sel)(lane < (count + n), v, NAME(splat)(0));
}

/// row[col + l] += v[l] for the lanes whose column lies in [0, W).
FN void NAME(add_pixels)(float *row, int64_t col, V v, int64_t W) {
  if (col >= 0 && col + VW <= W) {
    NAME(st)(row + col, NAME(ld)(row + col, VW) + v, VW);
    return;
  }
  const int64_t lo = col < 0 ? -col : 0, hi = W - col < VW ? W - col : VW;
  if (lo >= hi) return;
  NAME(st_range)(row + col, NAME(ld_range)(row + col, (int)lo, (int)hi) + v, (int)lo, (int)hi);
}

/// dw[3r + s] += sum over the plane of dy[p, q] * x[p*stride - pad_h + r, q*stride - pad_w + s].
static TARGET void NAME(depthwise3x3_grad_weight)(float *dw, const float *dy, const float *x, int64_t H, int64_t W,
                                                  int64_t P, int64_t Q, int64_t stride, int64_t pad_h, int64_t pad_w) {
  V acc[9];
  for (int i = 0; i < 9; i++) acc[i] = NAME(splat)(0);
  for (int64_t p = 0; p < P; p++) {
    const float *rows[3];
    NAME(dw_rows)(rows, x, p, stride, pad_h, H, W);
    for (int64_t q0 = 0; q0 < Q; q0 += VW) {
      const int n = Q - q0 < VW ? (int)(Q - q0) : VW;
      const V g = NAME(ld)(dy + p * Q + q0, n);
      for (int r = 0; r < 3; r++) {
        if (!rows[r]) continue;
        V t[3];
        NAME(dw_taps)(t, rows[r], q0 * stride - pad_w, stride, W);
        for (int s = 0; s < 3; s++) {
          // Past the last output column the pixels are not in any window: keep them out (an
          // infinite one would turn 0 · x into NaN).
          if (n < VW) t[s] = NAME(keep_first)(t[s], n);
          acc[3 * r + s] += g * t[s];
        }
      }
    }
  }
  for (int i = 0; i < 9; i++) {
    float sum = 0;
    for (int l = 0; l < VW; l++) sum += acc[i][l];
    dw[i] += sum;
  }
}

/// dx += the input gradient of one plane: dx[ih, iw] += sum of w[r, s] * dy[p, q] over the
/// window positions with ih = p*stride - pad_h + r, iw = q*stride - pad_w + s.
static TARGET void NAME(depthwise3x3_grad_input)(float *dx, const float *dy, const float *w, int64_t H, int64_t W,
                                                 int64_t P, int64_t Q, int64_t stride, int64_t pad_h, int64_t pad_w) {
  V k[9];
  for (int i = 0; i < 9; i++) k[i] = NAME(splat)(w[i]);
  if (stride == 1) {
    // A correlation of dy with the flipped kernel: dx[ih, iw] += sum w[r, s] dy[ih + pad_h - r, iw + pad_w - s].
    for (int64_t ih = 0; ih < H; ih++) {
      const float *rows[3];
      for (int r = 0; r < 3; r++) {
        const int64_t p = ih + pad_h - r;
        rows[r] = p >= 0 && p < P ? dy + p * Q : NULL;
      }
      for (int64_t iw0 = 0; iw0 < W; iw0 += VW) {
        V acc = NAME(splat)(0);
        for (int r = 0; r < 3; r++) {
          if (!rows[r]) continue;
          for (int s = 0; s < 3; s++) acc += k[3 * r + s] * NAME(ld_pixels)(rows[r], iw0 + pad_w - s, Q);
        }
        NAME(add_pixels)(dx + ih * W, iw0, acc, W);
      }
    }
    return;
  }
  // Stride 2: each dy row scatters into three dx rows; within a row, taps 0 and 1 land on
  // adjacent columns 2q - pad_w, 2q - pad_w + 1 (interleaved vectors) and tap 2 on 2q - pad_w + 2.
  const V zero = NAME(splat)(0);
  for (int64_t p = 0; p < P; p++) {
    for (int r = 0; r < 3; r++) {
      const int64_t ih = 2 * p - pad_h + r;
      if (ih < 0 || ih >= H) continue;
      float *row = dx + ih * W;
      for (int64_t q0 = 0; q0 < Q; q0 += VW) {
        const int n = Q - q0 < VW ? (int)(Q - q0) : VW;
        const V g = NAME(ld)(dy + p * Q + q0, n);
        const V v0 = k[3 * r] * g, v1 = k[3 * r + 1] * g, v2 = k[3 * r + 2] * g;
        const int64_t col = 2 * q0 - pad_w;
        NAME(add_pixels)(row, col, __builtin_shufflevector(v0, v1, VZIP_LO), W);
        NAME(add_pixels)(row, col + VW, __builtin_shufflevector(v0, v1, VZIP_HI), W);
        NAME(add_pixels)(row, col + 2, __builtin_shufflevector(v2, zero, VZIP_LO), W);
        NAME(add_pixels)(row, col + 2 + VW, __builtin_shufflevector(v2, zero, VZIP_HI), W);
      }
    }
  }
}

/// Depthwise 3x3, stride 1, padding 1, of `count` small planes (H·W ≤ GRAFT_DW_FLAT_MAX pixels,
/// each plane k = (first + i) % K of the batch's planes first ... first + count − 1, one input
/// channel per output channel), each plane's pixels taken as one flat run of vectors rather than
/// row by row: rows narrower than a vector (YAMNet's and MobileNet's late 6×4, 3×2, 7×7 planes)
/// otherwise leave most lanes idle. Tap (r, s) of output pixel o reads flat pixel
/// o + (r − 1)·W + (s − 1), zero outside the plane (above the first row, below the last); the lanes
/// whose column q + s − 1 falls outside [0, W) — where the flat index wraps into the neighbouring
/// row — are masked to zero. Taps accumulate in the order of depthwise3x3 (bias, then row by row,
/// tap by tap), so the values equal its values (a padded row adds w · 0 here instead of nothing).
static TARGET void NAME(depthwise3x3_flat)(float *y, const float *x, const float *w, const float *bias, int64_t first,
                                           int64_t count, int64_t K, int64_t H, int64_t W) {
  const int64_t n = H * W;
  const int64_t vectors = (n + VW - 1) / VW;
  VI left[GRAFT_DW_FLAT_MAX / VW + 1], right[GRAFT_DW_FLAT_MAX / VW + 1];  // lanes with a pixel at q − 1, q + 1
  for (int64_t v = 0; v < vectors; v++) {
    for (int l = 0; l < VW; l++) {
      const int64_t q = (v * VW + l) % W;
      left[v][l] = q >= 1 ? -1 : 0;
      right[v][l] = q + 1 < W ? -1 : 0;
    }
  }
  const V zero = NAME(splat)(0);
  for (int64_t i = 0; i < count; i++) {
    const int64_t plane = first + i, k = plane % K;
    const float *xp = x + plane * n;
    float *yp = y + plane * n;
    V taps[9];
    for (int t = 0; t < 9; t++) taps[t] = NAME(splat)(w[9 * k + t]);
    const float b = bias ? bias[k] : 0;
    for (int64_t v = 0; v < vectors; v++) {
      const int64_t o0 = v * VW;
      const int m = n - o0 < VW ? (int)(n - o0) : VW;
      V acc = NAME(splat)(b);
      for (int r = 0; r < 3; r++) {
        const int64_t base = o0 + (r - 1) * W;
        const V t0 = NAME(sel)(left[v], NAME(ld_pixels)(xp, base - 1, n), zero);
        const V t1 = NAME(ld_pixels)(xp, base, n);
        const V t2 = NAME(sel)(right[v], NAME(ld_pixels)(xp, base + 1, n), zero);
        acc += taps[3 * r] * t0;
        acc += taps[3 * r + 1] * t1;
        acc += taps[3 * r + 2] * t2;
      }
      NAME(st)(yp + o0, acc, m);
    }
  }
}
