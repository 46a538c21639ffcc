// The GRU step's gate math and the vector activations for one instruction set (see
// graft_kernels.h), on the vector math of simd_math.h. kernels.c includes it once per set
// (isa_instance.h) with NAME, TARGET and VW as for simd_math.h. The recurrent products
// h . W_hh^T are GEMMs done by the caller; these kernels do the element-wise rest of a step.

// MARK: activations

static TARGET void NAME(sigmoid_map)(float *out, const float *x, int64_t n) {
  for (int64_t i = 0; i < n; i += VW) {
    const int k = (int)(n - i < VW ? n - i : VW);
    NAME(st)(out + i, NAME(sigmoid)(NAME(ld)(x + i, k)), k);
  }
}

static TARGET void NAME(tanh_map)(float *out, const float *x, int64_t n) {
  for (int64_t i = 0; i < n; i += VW) {
    const int k = (int)(n - i < VW ? n - i : VW);
    NAME(st)(out + i, NAME(tanh)(NAME(ld)(x + i, k)), k);
  }
}

// MARK: GRU

/// Step t of rows [begin, end): r, z = sigmoid(xw + b_ih + hw + b_hh), the n gate's hidden part
/// hn = hw_n + b_hn, n = tanh(xw_n + b_in + r * hn), h' = n + z * (h - n).
static TARGET void NAME(gru_forward_step)(const graft_gru_forward_step_args *a, int64_t begin, int64_t end) {
  const int64_t H = a->hidden, T = a->steps, G = 3 * H, t = a->step;
  for (int64_t b = begin; b < end; b++) {
    const int64_t row = b * T + t;
    float *h = a->h + b * H, *y = a->output + row * H, *gt = a->gates + row * G, *hn = a->hidden_n + row * H;
    memcpy(a->h_prev + row * H, h, (size_t)H * 4);
    if (t >= a->lengths[b]) {
      memset(y, 0, (size_t)H * 4);
      memset(gt, 0, (size_t)G * 4);
      memset(hn, 0, (size_t)H * 4);
      continue;
    }
    const float *x = a->xw + row * G, *hw = a->hw + b * G;
    for (int64_t j = 0; j < H; j += VW) {
      const int k = (int)(H - j < VW ? H - j : VW);
      const V r = NAME(sigmoid)(NAME(ld)(hw + j, k) + NAME(ld)(x + j, k) + NAME(ld)(a->bias_ih + j, k)
                                + NAME(ld)(a->bias_hh + j, k));
      const V z = NAME(sigmoid)(NAME(ld)(hw + H + j, k) + NAME(ld)(x + H + j, k) + NAME(ld)(a->bias_ih + H + j, k)
                                + NAME(ld)(a->bias_hh + H + j, k));
      const V hidden = NAME(ld)(hw + 2 * H + j, k) + NAME(ld)(a->bias_hh + 2 * H + j, k);
      const V n = NAME(tanh)(NAME(ld)(x + 2 * H + j, k) + NAME(ld)(a->bias_ih + 2 * H + j, k) + r * hidden);
      const V next = n + z * (NAME(ld)(h + j, k) - n);  // (1 - z) n + z h
      NAME(st)(gt + j, r, k);
      NAME(st)(gt + H + j, z, k);
      NAME(st)(gt + 2 * H + j, n, k);
      NAME(st)(hn + j, hidden, k);
      NAME(st)(h + j, next, k);
      NAME(st)(y + j, next, k);
    }
  }
}

/// Step t of rows [begin, end) backward, from dh_total = d_output + d_h:
/// dn = dh_total (1 - z)(1 - n^2), dz = dh_total (h - n) z (1 - z), dr = dn hn r (1 - r);
/// d_input = [dr dz dn], d_hidden = [dr dz dn r], d_h = dh_total z (the caller adds d_hidden . W_hh).
static TARGET void NAME(gru_backward_step)(const graft_gru_backward_step_args *a, int64_t begin, int64_t end) {
  const int64_t H = a->hidden, T = a->steps, G = 3 * H, t = a->step;
  for (int64_t b = begin; b < end; b++) {
    const int64_t row = b * T + t;
    float *di = a->d_input + row * G, *dhh = a->d_hidden + row * G;
    if (t >= a->lengths[b]) {
      memset(di, 0, (size_t)G * 4);
      memset(dhh, 0, (size_t)G * 4);
      continue;
    }
    const float *gt = a->gates + row * G, *hp = a->h_prev + row * H, *hn = a->hidden_n + row * H;
    const float *dy = a->d_output + row * H;
    float *dh = a->d_h + b * H;
    for (int64_t j = 0; j < H; j += VW) {
      const int k = (int)(H - j < VW ? H - j : VW);
      const V r = NAME(ld)(gt + j, k), z = NAME(ld)(gt + H + j, k), n = NAME(ld)(gt + 2 * H + j, k);
      const V dhv = NAME(ld)(dy + j, k) + NAME(ld)(dh + j, k);
      const V dn = dhv * (1.0f - z) * (1.0f - n * n);
      const V dz = dhv * (NAME(ld)(hp + j, k) - n) * z * (1.0f - z);
      const V dr = dn * NAME(ld)(hn + j, k) * r * (1.0f - r);
      NAME(st)(di + j, dr, k);
      NAME(st)(di + H + j, dz, k);
      NAME(st)(di + 2 * H + j, dn, k);
      NAME(st)(dhh + j, dr, k);
      NAME(st)(dhh + H + j, dz, k);
      NAME(st)(dhh + 2 * H + j, dn * r, k);
      NAME(st)(dh + j, dhv * z, k);
    }
  }
}
