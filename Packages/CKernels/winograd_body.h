// Winograd F(2x2, 3x3) input and output transforms for one instruction set (see
// graft_kernels.h), on the vectors of simd_math.h; kernels.c includes it once per set.
//
// Tiles are 4x4 windows every 2 pixels starting at (-1, -1); the transforms work on one band
// of tiles (one tile row) at a time, across the band with whole vectors of tiles. Stride-2
// access across a row becomes even/odd halves of two vectors (shuffles), so nothing is
// gathered.


/// Floats of one even or odd column array of the input transform's scratch for a plane
/// `width` pixels wide: the tiles' columns 0 ... tiles_w, rounded up to whole double vectors,
/// plus one vector for the loads at tx + 1 (graft_winograd_input_scratch_count sizes for the
/// widest vectors, which bounds the others).
#define WG_HALF(width) ((((width) + 1) / 2 + 1 + VW - 1) / VW * VW + VW)

static TARGET void NAME(winograd_input)(float *out, const float *plane, int64_t H, int64_t W, int64_t stride,
                                        float *scratch) {
  const int64_t tiles_w = (W + 1) / 2, tiles_h = (H + 1) / 2;
  const int64_t half = WG_HALF(W), cols = half - VW;  // padded columns 0 ..< 2 * cols computed
  // te_i[j] / to_i[j] = (Bt d)_i at padded column 2j / 2j + 1, i.e. pixel column 2j - 1 / 2j.
  float *te = scratch, *to = te + 4 * half;
  for (int64_t ty = 0; ty < tiles_h; ty++) {
    const float *rows[4];
    for (int i = 0; i < 4; i++) {
      const int64_t yy = 2 * ty - 1 + i;
      rows[i] = yy >= 0 && yy < H ? plane + yy * W : NULL;
    }
    // Bt over the rows: t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3, two vectors
    // of padded columns at a time, split into even and odd columns.
    for (int64_t j = 0; j < cols; j += VW) {
      V a[4], b[4];
      for (int i = 0; i < 4; i++) {
        a[i] = NAME(ld_pixels)(rows[i], 2 * j - 1, W);
        b[i] = NAME(ld_pixels)(rows[i], 2 * j - 1 + VW, W);
      }
      const V ta[4] = {a[0] - a[2], a[1] + a[2], a[2] - a[1], a[1] - a[3]};
      const V tb[4] = {b[0] - b[2], b[1] + b[2], b[2] - b[1], b[1] - b[3]};
      for (int i = 0; i < 4; i++) {
        NAME(st)(te + i * half + j, __builtin_shufflevector(ta[i], tb[i], VEVENS), VW);
        NAME(st)(to + i * half + j, __builtin_shufflevector(ta[i], tb[i], VODDS), VW);
      }
    }
    // . B over the columns of each tile (a, b, c, e = padded columns 2tx ... 2tx + 3):
    // a - c, b + c, c - b, b - e, for element row i; each xi's run of tiles is contiguous.
    float *base = out + ty * tiles_w;
    for (int i = 0; i < 4; i++) {
      const float *e_row = te + i * half, *o_row = to + i * half;
      float *o0 = base + (4 * i) * stride, *o1 = o0 + stride, *o2 = o1 + stride, *o3 = o2 + stride;
      for (int64_t tx = 0; tx < tiles_w; tx += VW) {
        const int n = tiles_w - tx < VW ? (int)(tiles_w - tx) : VW;
        const V a = NAME(ld)(e_row + tx, VW), b = NAME(ld)(o_row + tx, VW);
        const V c = NAME(ld)(e_row + tx + 1, VW), e = NAME(ld)(o_row + tx + 1, VW);
        NAME(st)(o0 + tx, a - c, n);
        NAME(st)(o1 + tx, b + c, n);
        NAME(st)(o2 + tx, c - b, n);
        NAME(st)(o3 + tx, b - e, n);
      }
    }
  }
}

/// Stores the first n of 2·VW interleaved floats (lo lanes, then hi lanes).
FN void NAME(wg_store2)(float *p, V lo, V hi, int64_t n) {
  if (n >= 2 * VW) {
    NAME(st)(p, lo, VW);
    NAME(st)(p + VW, hi, VW);
  } else if (n > VW) {
    NAME(st)(p, lo, VW);
    NAME(st)(p + VW, hi, (int)(n - VW));
  } else {
    NAME(st)(p, lo, (int)n);
  }
}

static TARGET void NAME(winograd_output)(float *plane, const float *m, int64_t stride, float bias, int64_t H,
                                         int64_t W) {
  const int64_t tiles_w = (W + 1) / 2, tiles_h = (H + 1) / 2;
  for (int64_t ty = 0; ty < tiles_h; ty++) {
    const float *p = m + ty * tiles_w;
    float *r0 = plane + 2 * ty * W, *r1 = r0 + W;
    const int second = 2 * ty + 1 < H;
    for (int64_t tx = 0; tx < tiles_w; tx += VW) {
      const int n = tiles_w - tx < VW ? (int)(tiles_w - tx) : VW;
      V mm[16];
      for (int xi = 0; xi < 16; xi++)
        mm[xi] = NAME(ld)(p + xi * stride + tx, n);
      // At m: s0_j = m0j + m1j + m2j, s1_j = m1j - m2j - m3j; then . A over the columns.
      V s0[4], s1[4];
      for (int j = 0; j < 4; j++) {
        s0[j] = mm[j] + mm[4 + j] + mm[8 + j];
        s1[j] = mm[4 + j] - mm[8 + j] - mm[12 + j];
      }
      // Output columns 2tx ...: even and odd pixels interleaved, cropped at the plane's edge.
      const int64_t cols = W - 2 * tx;
      const V y00 = s0[0] + s0[1] + s0[2] + bias, y01 = s0[1] - s0[2] - s0[3] + bias;
      NAME(wg_store2)(r0 + 2 * tx, __builtin_shufflevector(y00, y01, VZIP_LO),
                      __builtin_shufflevector(y00, y01, VZIP_HI), cols);
      if (second) {
        const V y10 = s1[0] + s1[1] + s1[2] + bias, y11 = s1[1] - s1[2] - s1[3] + bias;
        NAME(wg_store2)(r1 + 2 * tx, __builtin_shufflevector(y10, y11, VZIP_LO),
                        __builtin_shufflevector(y10, y11, VZIP_HI), cols);
      }
    }
  }
}

static TARGET void NAME(winograd_weight)(float *u, const float *w, int64_t rows, int64_t cols, int64_t row_begin,
                                         int64_t row_end) {
  const int64_t stride = rows * cols;
  for (int64_t a = row_begin; a < row_end; a++) {
    for (int64_t b0 = 0; b0 < cols; b0 += VW) {
      const int n = cols - b0 < VW ? (int)(cols - b0) : VW;
      const float *k0 = w + (a * cols + b0) * 9;  // n kernels of 9 taps, back to back
      V g[9];
      for (int i = 0; i < 9; i++) g[i] = NAME(ld_strided)(k0 + i, 9, n);
      // G g (4x3): rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2 of the kernel's rows.
      V r[4][3];
      for (int j = 0; j < 3; j++) {
        r[0][j] = g[j];
        r[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
        r[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
        r[3][j] = g[6 + j];
      }
      // (G g) Gt: the same combination of each row's three columns.
      float *out = u + a * cols + b0;
      for (int i = 0; i < 4; i++) {
        NAME(st)(out + (4 * i) * stride, r[i][0], n);
        NAME(st)(out + (4 * i + 1) * stride, 0.5f * (r[i][0] + r[i][1] + r[i][2]), n);
        NAME(st)(out + (4 * i + 2) * stride, 0.5f * (r[i][0] - r[i][1] + r[i][2]), n);
        NAME(st)(out + (4 * i + 3) * stride, r[i][2], n);
      }
    }
  }
}

// The weight gradient, F(3x3, 2x2): dW[k, c] = Σ over tiles of the 2x2 tile of dY (output rows
// 2ty, 2ty + 1, columns 2tx, 2tx + 1) correlated with the input's 4x4 tile at (2ty - 1, 2tx - 1),
// the forward's V tiles. With F(3, 2)'s G = [1 0; 1/2 1/2; 1/2 -1/2; 0 1] and Bt = D Bt(2, 3) D
// (D = diag(1, 1, 1, -1)), the tiles' products summed over t are dU = Σ (G dy Gt) ⊙ V, and
// dW = (At D) dU (D A) with At D = [1 1 1 0; 0 1 -1 0; 0 1 1 -1].

static TARGET void NAME(winograd_grad_output)(float *out, const float *plane, int64_t H, int64_t W, int64_t stride) {
  const int64_t tiles_w = (W + 1) / 2, tiles_h = (H + 1) / 2;
  for (int64_t ty = 0; ty < tiles_h; ty++) {
    const float *r0 = plane + 2 * ty * W, *r1 = 2 * ty + 1 < H ? r0 + W : NULL;
    float *base = out + ty * tiles_w;
    for (int64_t tx = 0; tx < tiles_w; tx += VW) {
      const int n = tiles_w - tx < VW ? (int)(tiles_w - tx) : VW;
      // Row i of the tile as (x_i, y_i) = (column 2tx, column 2tx + 1), zero past the plane.
      const V lo0 = NAME(ld_pixels)(r0, 2 * tx, W), hi0 = NAME(ld_pixels)(r0, 2 * tx + VW, W);
      const V lo1 = NAME(ld_pixels)(r1, 2 * tx, W), hi1 = NAME(ld_pixels)(r1, 2 * tx + VW, W);
      const V x0 = __builtin_shufflevector(lo0, hi0, VEVENS), y0 = __builtin_shufflevector(lo0, hi0, VODDS);
      const V x1 = __builtin_shufflevector(lo1, hi1, VEVENS), y1 = __builtin_shufflevector(lo1, hi1, VODDS);
      // G over the rows, then over the columns.
      const V x[4] = {x0, 0.5f * (x0 + x1), 0.5f * (x0 - x1), x1};
      const V y[4] = {y0, 0.5f * (y0 + y1), 0.5f * (y0 - y1), y1};
      for (int i = 0; i < 4; i++) {
        float *o = base + (4 * i) * stride + tx;
        NAME(st)(o, x[i], n);
        NAME(st)(o + stride, 0.5f * (x[i] + y[i]), n);
        NAME(st)(o + 2 * stride, 0.5f * (x[i] - y[i]), n);
        NAME(st)(o + 3 * stride, y[i], n);
      }
    }
  }
}

static TARGET void NAME(winograd_weight_grad)(float *dw, const float *du, int64_t rows, int64_t cols,
                                              int64_t row_begin, int64_t row_end) {
  const int64_t stride = rows * cols;
  for (int64_t a = row_begin; a < row_end; a++) {
    for (int64_t b0 = 0; b0 < cols; b0 += VW) {
      const int n = cols - b0 < VW ? (int)(cols - b0) : VW;
      const float *p = du + a * cols + b0;
      V m[16];
      for (int xi = 0; xi < 16; xi++)
        m[xi] = NAME(ld)(p + xi * stride, n);
      // (At D) over the rows, then over the columns.
      V r[3][4];
      for (int j = 0; j < 4; j++) {
        r[0][j] = m[j] + m[4 + j] + m[8 + j];
        r[1][j] = m[4 + j] - m[8 + j];
        r[2][j] = m[4 + j] + m[8 + j] - m[12 + j];
      }
      float *out = dw + (a * cols + b0) * 9;  // n kernels of 9 taps, back to back
      for (int i = 0; i < 3; i++) {
        NAME(st_strided)(out + 3 * i, r[i][0] + r[i][1] + r[i][2], 9, n);
        NAME(st_strided)(out + 3 * i + 1, r[i][1] - r[i][2], 9, n);
        NAME(st_strided)(out + 3 * i + 2, r[i][1] + r[i][2] - r[i][3], 9, n);
      }
    }
  }
}

#undef WG_HALF
