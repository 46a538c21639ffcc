// The kernels of graft_kernels.h compiled for each instruction set from
// simd_math.h and the *_body.h files, and the run-time choice between them.
#include "graft_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NAME(x) x##_baseline
#define TARGET
#define VW 4
#define FROWS 2
#define BROWS 2
#define BNB 4
#include "isa_instance.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define GRAFT_X86 1
#include <immintrin.h>

// 16 ymm registers: 2 rows x 4 gates accumulators.
#define NAME(x) x##_avx2
#define TARGET __attribute__((target("avx2,fma")))
#define VW 8
#define FROWS 2
#define BROWS 2
#define BNB 4
#include "isa_instance.h"

// 32 zmm registers: 6 rows x 4 gates accumulators forward, 4 x 4 backward.
#define NAME(x) x##_avx512
#define TARGET __attribute__((target("avx512f,avx2,fma")))
#define VW 16
#define FROWS 6
#define BROWS 4
#define BNB 4
#include "isa_instance.h"
#endif

static graft_isa detect(void) {
#ifdef GRAFT_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return GRAFT_ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return GRAFT_ISA_AVX2;
#endif
  return GRAFT_ISA_BASELINE;
}

static int best_isa = -1;
static int active_isa = -1;

graft_isa graft_isa_best(void) {
  if (best_isa < 0) best_isa = (int)detect();  // idempotent: a race writes the same value
  return (graft_isa)best_isa;
}

graft_isa graft_isa_active(void) {
  if (active_isa < 0) {
    graft_isa isa = graft_isa_best();
    // GRAFT_ISA=baseline|avx2|avx512 caps the set (benchmarks, bug reports).
    const char *cap = getenv("GRAFT_ISA");
    if (cap && strcmp(cap, "baseline") == 0) isa = GRAFT_ISA_BASELINE;
    if (cap && strcmp(cap, "avx2") == 0 && isa > GRAFT_ISA_AVX2) isa = GRAFT_ISA_AVX2;
    active_isa = (int)isa;
  }
  return (graft_isa)active_isa;
}

// The instance of kernel `name` for `isa` (as a function designator, so one line serves
// kernels that return a value and those that do not).
#ifdef GRAFT_X86
#define GRAFT_PICK(isa, name) \
  ((isa) == GRAFT_ISA_AVX512 ? name##_avx512 : (isa) == GRAFT_ISA_AVX2 ? name##_avx2 : name##_baseline)
#else
#define GRAFT_PICK(isa, name) name##_baseline
#endif

static int64_t vector_width(graft_isa isa) {
  switch (isa) {
    case GRAFT_ISA_AVX512: return 16;
    case GRAFT_ISA_AVX2: return 8;
    default: return 4;
  }
}

int64_t graft_lstm_packed_count(int64_t hidden, graft_isa isa) {
  const int64_t vw = vector_width(isa);
  return (hidden + vw - 1) / vw * vw * 4 * hidden;
}

void graft_lstm_pack(float *packed, const float *weight_hh, int64_t hidden, graft_isa isa) {
  const int64_t vw = vector_width(isa), H = hidden;
  for (int64_t u0 = 0; u0 < H; u0 += vw) {
    float *block = packed + u0 * H * 4;
    for (int64_t k = 0; k < H; k++) {
      for (int64_t g = 0; g < 4; g++) {
        float *out = block + (k * 4 + g) * vw;
        for (int64_t l = 0; l < vw; l++) {
          const int64_t u = u0 + l;
          out[l] = u < H ? weight_hh[(g * H + u) * H + k] : 0.0f;
        }
      }
    }
  }
}

void graft_lstm_forward(const graft_lstm_forward_args *args, int64_t row_begin, int64_t row_end) {
  GRAFT_PICK(args->isa, lstm_forward)(args, row_begin, row_end);
}

void graft_lstm_backward(const graft_lstm_backward_args *args, int64_t row_begin, int64_t row_end) {
  GRAFT_PICK(args->isa, lstm_backward)(args, row_begin, row_end);
}

void graft_sigmoid(float *out, const float *x, int64_t n, graft_isa isa) { GRAFT_PICK(isa, sigmoid_map)(out, x, n); }

void graft_tanh(float *out, const float *x, int64_t n, graft_isa isa) { GRAFT_PICK(isa, tanh_map)(out, x, n); }

void graft_gru_forward_step(const graft_gru_forward_step_args *args, int64_t row_begin, int64_t row_end) {
  GRAFT_PICK(args->isa, gru_forward_step)(args, row_begin, row_end);
}

void graft_gru_backward_step(const graft_gru_backward_step_args *args, int64_t row_begin, int64_t row_end) {
  GRAFT_PICK(args->isa, gru_backward_step)(args, row_begin, row_end);
}

float graft_power_to_db(float *dst, const float *src, int64_t n, float amin, float offset, graft_isa isa) {
  return GRAFT_PICK(isa, power_to_db)(dst, src, n, amin, offset);
}

void graft_log_offset(float *dst, const float *src, int64_t n, float offset, graft_isa isa) {
  GRAFT_PICK(isa, log_offset)(dst, src, n, offset);
}

int64_t graft_winograd_input_scratch_count(int64_t width) {
  // winograd_body.h's layout at the widest vectors (16 floats), which bounds the others.
  const int64_t half = ((width + 1) / 2 + 1 + 15) / 16 * 16 + 16;
  return 8 * half;
}

void graft_winograd_input(float *out, const float *plane, int64_t height, int64_t width, int64_t stride,
                          float *scratch, graft_isa isa) {
  GRAFT_PICK(isa, winograd_input)(out, plane, height, width, stride, scratch);
}

void graft_winograd_output(float *plane, const float *m, int64_t stride, float bias, int64_t height, int64_t width,
                           graft_isa isa) {
  GRAFT_PICK(isa, winograd_output)(plane, m, stride, bias, height, width);
}

void graft_winograd_weight(float *u, const float *w, int64_t rows, int64_t cols, int64_t row_begin, int64_t row_end,
                           graft_isa isa) {
  GRAFT_PICK(isa, winograd_weight)(u, w, rows, cols, row_begin, row_end);
}

void graft_winograd_grad_output(float *out, const float *plane, int64_t height, int64_t width, int64_t stride,
                                graft_isa isa) {
  GRAFT_PICK(isa, winograd_grad_output)(out, plane, height, width, stride);
}

void graft_winograd_weight_grad(float *dw, const float *du, int64_t rows, int64_t cols, int64_t row_begin,
                                int64_t row_end, graft_isa isa) {
  GRAFT_PICK(isa, winograd_weight_grad)(dw, du, rows, cols, row_begin, row_end);
}

void graft_depthwise3x3(float *y, const float *x, const float *weight, float bias, int64_t height, int64_t width,
                        int64_t out_height, int64_t out_width, int64_t stride, int64_t pad_h, int64_t pad_w,
                        graft_isa isa) {
  GRAFT_PICK(isa, depthwise3x3)(y, x, weight, bias, height, width, out_height, out_width, stride, pad_h, pad_w);
}

void graft_depthwise3x3_flat(float *y, const float *x, const float *weight, const float *bias, int64_t first,
                             int64_t count, int64_t channels, int64_t height, int64_t width, graft_isa isa) {
  GRAFT_PICK(isa, depthwise3x3_flat)(y, x, weight, bias, first, count, channels, height, width);
}

void graft_depthwise5x5(float *y, const float *x, const float *weight, float bias, int64_t height, int64_t width,
                        int64_t out_height, int64_t out_width, int64_t stride, int64_t pad_h, int64_t pad_w,
                        graft_isa isa) {
  GRAFT_PICK(isa, depthwise5x5)(y, x, weight, bias, height, width, out_height, out_width, stride, pad_h, pad_w);
}

void graft_copy_stride2(float *dst, const float *src, int64_t count, graft_isa isa) {
  GRAFT_PICK(isa, copy_stride2)(dst, src, count);
}

void graft_depthwise3x3_grad_weight(float *dw, const float *dy, const float *x, int64_t height, int64_t width,
                                    int64_t out_height, int64_t out_width, int64_t stride, int64_t pad_h,
                                    int64_t pad_w, graft_isa isa) {
  GRAFT_PICK(isa, depthwise3x3_grad_weight)(dw, dy, x, height, width, out_height, out_width, stride, pad_h, pad_w);
}

void graft_depthwise3x3_grad_input(float *dx, const float *dy, const float *weight, int64_t height, int64_t width,
                                   int64_t out_height, int64_t out_width, int64_t stride, int64_t pad_h, int64_t pad_w,
                                   graft_isa isa) {
  GRAFT_PICK(isa, depthwise3x3_grad_input)(dx, dy, weight, height, width, out_height, out_width, stride, pad_h, pad_w);
}
