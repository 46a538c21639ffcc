// The LSTM kernels for one instruction set (see graft_kernels.h), on the
// vector math of simd_math.h. kernels.c includes it once per set (isa_instance.h) with
// NAME, TARGET and VW as for simd_math.h, and
//   FROWS       batch rows per forward tile (FROWS x 4 gates accumulators)
//   BROWS, BNB  batch rows and vectors of columns per backward tile

_Static_assert(FROWS >= 1 && FROWS <= 6 && BROWS >= 1 && BROWS <= 4 && BNB == 4,
               "the tiles below are written out for at most 6 forward rows, 4 backward rows, 4 vectors");

// MARK: forward

/// The gate math of row b at step t for units u0..u0+n-1, from the
/// accumulated products h . W_hh^T of the four gates.
FN void NAME(forward_gates)(const graft_lstm_forward_args *a, int64_t b, int64_t t, int64_t u0, int n,
                            int valid, const float *hcur, float *hnext, V ai, V af, V ag, V ao) {
  const int64_t H = a->hidden, T = a->steps, G = 4 * H, row = b * T + t;
  float *y = a->output + row * H + u0;
  if (!valid) {
    memcpy(hnext + u0, hcur + u0, (size_t)n * 4);
    memset(y, 0, (size_t)n * 4);
    if (a->gates) {
      for (int g = 0; g < 4; g++) memset(a->gates + row * G + g * H + u0, 0, (size_t)n * 4);
      memset(a->tanh_c + row * H + u0, 0, (size_t)n * 4);
    }
    return;
  }
  const float *x = a->xw + row * G + u0, *bias = a->bias + u0;
  const V i = NAME(sigmoid)(ai + NAME(ld)(x, n) + NAME(ld)(bias, n));
  const V f = NAME(sigmoid)(af + NAME(ld)(x + H, n) + NAME(ld)(bias + H, n));
  const V g = NAME(tanh)(ag + NAME(ld)(x + 2 * H, n) + NAME(ld)(bias + 2 * H, n));
  const V o = NAME(sigmoid)(ao + NAME(ld)(x + 3 * H, n) + NAME(ld)(bias + 3 * H, n));
  float *c = a->c_n + b * H + u0;
  const V cv = f * NAME(ld)(c, n) + i * g;
  const V tc = NAME(tanh)(cv);
  const V h = o * tc;
  NAME(st)(c, cv, n);
  NAME(st)(hnext + u0, h, n);
  NAME(st)(y, h, n);
  if (a->gates) {
    float *gt = a->gates + row * G + u0;
    NAME(st)(gt, i, n);
    NAME(st)(gt + H, f, n);
    NAME(st)(gt + 2 * H, g, n);
    NAME(st)(gt + 3 * H, o, n);
    NAME(st)(a->tanh_c + row * H + u0, tc, n);
  }
}

/// One step t for rows b0..b0+nr-1 (nr <= FROWS, a constant after inlining):
/// the product with W_hh for every block of VW units, then the gate math on
/// the accumulators. hcur holds the rows' state entering the step, hnext
/// receives the state leaving it.
FN void NAME(forward_step)(const int nr, const graft_lstm_forward_args *a, int64_t b0, int64_t t,
                           const float *hcur, float *hnext) {
  const int64_t H = a->hidden;
  int valid[6] = {0};
  for (int r = 0; r < nr; r++) valid[r] = t < a->lengths[b0 + r];
  for (int64_t u0 = 0; u0 < H; u0 += VW) {
    const int n = (int)(H - u0 < VW ? H - u0 : VW);
    const float *w = a->packed + u0 * H * 4;
    // Accumulators a<row><gate> as named variables (an array would stay in memory).
#define DECL(r) V a##r##0 = {0}, a##r##1 = {0}, a##r##2 = {0}, a##r##3 = {0};
#define FMA(r)                                     \
  if (nr > r) {                                    \
    const V x = NAME(splat)(hcur[r * H + k]);      \
    a##r##0 += x * w0;                             \
    a##r##1 += x * w1;                             \
    a##r##2 += x * w2;                             \
    a##r##3 += x * w3;                             \
  }
#define GATES(r)                                                                          \
  if (nr > r)                                                                             \
    NAME(forward_gates)(a, b0 + r, t, u0, n, valid[r], hcur + r * H, hnext + r * H, a##r##0, \
                        a##r##1, a##r##2, a##r##3);
    DECL(0) DECL(1) DECL(2) DECL(3) DECL(4) DECL(5)
    for (int64_t k = 0; k < H; k++) {
      const float *wk = w + k * 4 * VW;
      const V w0 = NAME(ld)(wk, VW), w1 = NAME(ld)(wk + VW, VW);
      const V w2 = NAME(ld)(wk + 2 * VW, VW), w3 = NAME(ld)(wk + 3 * VW, VW);
      FMA(0) FMA(1) FMA(2) FMA(3) FMA(4) FMA(5)
    }
    GATES(0) GATES(1) GATES(2) GATES(3) GATES(4) GATES(5)
#undef DECL
#undef FMA
#undef GATES
  }
}

static TARGET void NAME(lstm_forward)(const graft_lstm_forward_args *a, int64_t begin, int64_t end) {
  const int64_t H = a->hidden, T = a->steps;
  float *buffer = malloc((size_t)(2 * FROWS * H) * sizeof(float));
  if (!buffer) abort();
  for (int64_t b0 = begin; b0 < end; b0 += FROWS) {
    const int nr = (int)(end - b0 < FROWS ? end - b0 : FROWS);
    float *hcur = buffer, *hnext = buffer + FROWS * H;
    memcpy(hcur, a->h0 + b0 * H, (size_t)(nr * H) * 4);
    memcpy(a->c_n + b0 * H, a->c0 + b0 * H, (size_t)(nr * H) * 4);
    for (int64_t s = 0; s < T; s++) {
      const int64_t t = a->reverse ? T - 1 - s : s;
      if (a->h_prev) {
        for (int r = 0; r < nr; r++) {
          const int64_t row = (b0 + r) * T + t;
          memcpy(a->h_prev + row * H, hcur + r * H, (size_t)H * 4);
          memcpy(a->c_prev + row * H, a->c_n + (b0 + r) * H, (size_t)H * 4);
        }
      }
      switch (nr) {
#if FROWS >= 6
        case 6: NAME(forward_step)(6, a, b0, t, hcur, hnext); break;
        case 5: NAME(forward_step)(5, a, b0, t, hcur, hnext); break;
#endif
#if FROWS >= 4
        case 4: NAME(forward_step)(4, a, b0, t, hcur, hnext); break;
        case 3: NAME(forward_step)(3, a, b0, t, hcur, hnext); break;
#endif
        case 2: NAME(forward_step)(2, a, b0, t, hcur, hnext); break;
        default: NAME(forward_step)(1, a, b0, t, hcur, hnext); break;
      }
      float *swap = hcur;
      hcur = hnext;
      hnext = swap;
    }
    memcpy(a->h_n + b0 * H, hcur, (size_t)(nr * H) * 4);
  }
  free(buffer);
}

// MARK: backward

/// d_h[r, cols] = (valid[r] ? 0 : d_h[r, cols]) + d_gates[r] . W_hh[:, cols] for
/// nv vectors of columns from c0 (nr <= BROWS, nv <= BNB: constants after inlining).
FN void NAME(backward_tile)(const int nr, const int nv, const graft_lstm_backward_args *a,
                            const int64_t *rows, const int *valid, int64_t b0, int64_t c0) {
  const int64_t H = a->hidden, G = 4 * H;
  const float *dg[4] = {0};
  for (int r = 0; r < nr; r++) dg[r] = a->d_gates + rows[r] * G;
  // Accumulators a<row><vector> as named variables (an array would stay in memory).
#define INIT(r, v) \
  V a##r##v = nr > r && nv > v && !valid[r] ? NAME(ld)(a->d_h + (b0 + r) * H + c0 + v * VW, VW) : (V){0};
#define ROW(r)                                 \
  if (nr > r) {                                \
    const V x = NAME(splat)(dg[r][k]);         \
    if (nv > 0) a##r##0 += x * w0;             \
    if (nv > 1) a##r##1 += x * w1;             \
    if (nv > 2) a##r##2 += x * w2;             \
    if (nv > 3) a##r##3 += x * w3;             \
  }
#define STORE(r, v) \
  if (nr > r && nv > v) NAME(st)(a->d_h + (b0 + r) * H + c0 + v * VW, a##r##v, VW);
  INIT(0, 0) INIT(0, 1) INIT(0, 2) INIT(0, 3) INIT(1, 0) INIT(1, 1) INIT(1, 2) INIT(1, 3)
  INIT(2, 0) INIT(2, 1) INIT(2, 2) INIT(2, 3) INIT(3, 0) INIT(3, 1) INIT(3, 2) INIT(3, 3)
  for (int64_t k = 0; k < G; k++) {
    const float *w = a->weight_hh + k * H + c0;
    const V w0 = NAME(ld)(w, VW);
    const V w1 = nv > 1 ? NAME(ld)(w + VW, VW) : w0;
    const V w2 = nv > 2 ? NAME(ld)(w + 2 * VW, VW) : w0;
    const V w3 = nv > 3 ? NAME(ld)(w + 3 * VW, VW) : w0;
    ROW(0) ROW(1) ROW(2) ROW(3)
  }
  STORE(0, 0) STORE(0, 1) STORE(0, 2) STORE(0, 3) STORE(1, 0) STORE(1, 1) STORE(1, 2) STORE(1, 3)
  STORE(2, 0) STORE(2, 1) STORE(2, 2) STORE(2, 3) STORE(3, 0) STORE(3, 1) STORE(3, 2) STORE(3, 3)
#undef INIT
#undef ROW
#undef STORE
}

/// One step t backward for rows b0..b0+nr-1: the gate gradients, then d_h.
FN void NAME(backward_step)(const int nr, const graft_lstm_backward_args *a, int64_t b0, int64_t t) {
  const int64_t H = a->hidden, T = a->steps, G = 4 * H;
  int valid[4] = {0};
  int64_t rows[4] = {0};
  for (int r = 0; r < nr; r++) {
    const int64_t b = b0 + r, row = b * T + t;
    rows[r] = row;
    valid[r] = t < a->lengths[b];
    float *dg = a->d_gates + row * G;
    if (!valid[r]) {
      memset(dg, 0, (size_t)G * 4);  // the state passes through: d_h, d_c unchanged
      continue;
    }
    const float *gt = a->gates + row * G, *cp = a->c_prev + row * H, *tcs = a->tanh_c + row * H;
    const float *dy = a->d_output + row * H;
    float *dh = a->d_h + b * H, *dc = a->d_c + b * H;
    for (int64_t j = 0; j < H; j += VW) {
      const int n = (int)(H - j < VW ? H - j : VW);
      const V i = NAME(ld)(gt + j, n), f = NAME(ld)(gt + H + j, n);
      const V g = NAME(ld)(gt + 2 * H + j, n), o = NAME(ld)(gt + 3 * H + j, n);
      const V tc = NAME(ld)(tcs + j, n);
      const V dhv = NAME(ld)(dy + j, n) + NAME(ld)(dh + j, n);
      const V dcv = NAME(ld)(dc + j, n) + dhv * o * (1.0f - tc * tc);
      NAME(st)(dg + j, dcv * g * i * (1.0f - i), n);
      NAME(st)(dg + H + j, dcv * NAME(ld)(cp + j, n) * f * (1.0f - f), n);
      NAME(st)(dg + 2 * H + j, dcv * i * (1.0f - g * g), n);
      NAME(st)(dg + 3 * H + j, dhv * tc * o * (1.0f - o), n);
      NAME(st)(dc + j, dcv * f, n);
    }
  }
  const int64_t full = H / VW;  // whole vectors of columns
  int64_t v = 0;
  for (; v + BNB <= full; v += BNB) NAME(backward_tile)(nr, BNB, a, rows, valid, b0, v * VW);
  for (; v < full; v++) NAME(backward_tile)(nr, 1, a, rows, valid, b0, v * VW);
  for (int64_t col = full * VW; col < H; col++) {  // the last H mod VW columns
    for (int r = 0; r < nr; r++) {
      float *dh = a->d_h + (b0 + r) * H + col;
      if (!valid[r]) continue;
      const float *dg = a->d_gates + rows[r] * G;
      float s = 0;
      for (int64_t k = 0; k < G; k++) s += dg[k] * a->weight_hh[k * H + col];
      *dh = s;
    }
  }
}

static TARGET void NAME(lstm_backward)(const graft_lstm_backward_args *a, int64_t begin, int64_t end) {
  const int64_t T = a->steps;
  for (int64_t b0 = begin; b0 < end; b0 += BROWS) {
    const int nr = (int)(end - b0 < BROWS ? end - b0 : BROWS);
    for (int64_t s = 0; s < T; s++) {
      const int64_t t = a->reverse ? s : T - 1 - s;  // the forward order, reversed
      switch (nr) {
#if BROWS >= 4
        case 4: NAME(backward_step)(4, a, b0, t); break;
        case 3: NAME(backward_step)(3, a, b0, t); break;
#endif
        case 2: NAME(backward_step)(2, a, b0, t); break;
        default: NAME(backward_step)(1, a, b0, t); break;
      }
    }
  }
}

