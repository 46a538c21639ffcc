// Graft's hand-written SIMD kernels: the recurrent step of an LSTM, where the
// per-step product is too small for a BLAS (32 x 128 . 128 x 512) and the gate
// math must stay in registers; the GRU step's gate math and the vector sigmoid and
// tanh (the one home of Graft's exp/tanh/sigmoid); vector logarithms for spectrograms; the Winograd
// convolution's tile transforms and depthwise 3x3 planes (stride-2 shuffles across rows). Each
// kernel is compiled for AVX-512, AVX2+FMA and the baseline ISA from one source
// (simd_math.h and *_body.h) with function-level target attributes, and the
// caller passes the set to use (graft_isa_active(); no build flags).
#ifndef GRAFT_KERNELS_H
#define GRAFT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets a kernel can run with.
typedef enum {
  GRAFT_ISA_BASELINE = 0,  // the target's baseline vectors (SSE2 on x86-64, NEON on arm64)
  GRAFT_ISA_AVX2 = 1,      // AVX2 + FMA
  GRAFT_ISA_AVX512 = 2,    // AVX-512F
} graft_isa;

/// The best instruction set this CPU (and OS) supports.
graft_isa graft_isa_best(void);
/// The best one, capped by the environment variable GRAFT_ISA=avx2|baseline.
/// Callers pass a set to each kernel (at most graft_isa_best()).
graft_isa graft_isa_active(void);

/// Floats of the packed recurrent weights for `hidden` units and `isa` (the
/// unit count rounded up to the vector width, times 4 gates, times `hidden`).
int64_t graft_lstm_packed_count(int64_t hidden, graft_isa isa);

/// Packs W_hh [4H, H] (gate order i, f, g, o; PyTorch's layout) for the
/// forward step with `isa`: for each block of units (one vector wide), for
/// each input k, the four gates' vectors side by side; padding units are zero.
void graft_lstm_pack(float *packed, const float *weight_hh, int64_t hidden, graft_isa isa);

/// One LSTM direction over all steps, for batch rows [row_begin, row_end).
/// Rows are independent, so callers split the batch across threads.
/// Buffers are batch-major: xw, gates [B, T, 4H]; output, h_prev, c_prev,
/// tanh_c [B, T, H]; h0, c0, h_n, c_n [B, H]. Step t of row b is valid when
/// t < lengths[b]; padded steps keep the state and output zero.
typedef struct {
  int64_t batch, steps, hidden;
  int32_t reverse;
  graft_isa isa;              // the one `packed` was packed for
  const int32_t *lengths;     // [B]
  const float *xw;            // x . W_ih^T, without biases
  const float *packed;        // graft_lstm_pack(W_hh)
  const float *bias;          // [4H] b_ih + b_hh
  const float *h0, *c0;
  float *output, *h_n, *c_n;
  // Saved for the backward; all NULL for inference.
  float *gates;               // i, f, g, o after activation (zero at padded steps)
  float *h_prev, *c_prev;     // state entering each step
  float *tanh_c;              // tanh(c leaving each step) (zero at padded steps)
} graft_lstm_forward_args;

void graft_lstm_forward(const graft_lstm_forward_args *args, int64_t row_begin, int64_t row_end);

/// Back-propagation through time of one LSTM direction for batch rows
/// [row_begin, row_end). On entry d_h/d_c [B, H] hold dL/dh_n and dL/dc_n;
/// on return dL/dh0 and dL/dc0. d_gates [B, T, 4H] receives dL/d(pre-activation
/// gates) (zero at padded steps).
typedef struct {
  int64_t batch, steps, hidden;
  int32_t reverse;
  graft_isa isa;
  const int32_t *lengths;
  float *d_gates, *d_h, *d_c;
  const float *d_output;      // [B, T, H]
  const float *gates, *c_prev, *tanh_c;
  const float *weight_hh;     // [4H, H], unpacked
} graft_lstm_backward_args;

void graft_lstm_backward(const graft_lstm_backward_args *args, int64_t row_begin, int64_t row_end);

/// out[i] = 1 / (1 + e^(-x[i])) and out[i] = tanh(x[i]) for i < n, with simd_math.h's exp and
/// tanh (Cephes; within a few ulp of libm). out may be x.
void graft_sigmoid(float *out, const float *x, int64_t n, graft_isa isa);
void graft_tanh(float *out, const float *x, int64_t n, graft_isa isa);

/// The gate math of step `step` of one GRU direction (gate order r, z, n), for batch rows
/// [row_begin, row_end), after the caller's GEMM hw = h . W_hh^T: r, z = sigmoid(xw + b_ih +
/// hw + b_hh), hidden_n = hw_n + b_hn, n = tanh(xw_n + b_in + r * hidden_n), h = (1 - z) n + z h.
/// Buffers: xw, gates [B, T, 3H]; output, hidden_n, h_prev [B, T, H]; hw [B, 3H]; h [B, H] (the
/// running state, updated in place; h_prev receives it as it enters the step). A padded step
/// (step >= lengths[b]) keeps h and writes zero output, gates and hidden_n.
typedef struct {
  int64_t batch, steps, hidden, step;
  graft_isa isa;
  const int32_t *lengths;
  const float *xw, *hw, *bias_ih, *bias_hh;
  float *h, *output, *gates, *hidden_n, *h_prev;
} graft_gru_forward_step_args;

void graft_gru_forward_step(const graft_gru_forward_step_args *args, int64_t row_begin, int64_t row_end);

/// The gate gradients of step `step` of one GRU direction for batch rows [row_begin, row_end):
/// from dh = d_output + d_h, d_input [B, T, 3H] receives dL/d(input-side pre-activations),
/// d_hidden [B, T, 3H] dL/d(h . W_hh^T + b_hh) (the n gate's times r), and d_h [B, H] becomes
/// dh * z; the caller then adds d_hidden . W_hh to d_h. Padded steps write zero gradients and
/// leave d_h.
typedef struct {
  int64_t batch, steps, hidden, step;
  graft_isa isa;
  const int32_t *lengths;
  const float *gates, *hidden_n, *h_prev, *d_output;
  float *d_h, *d_input, *d_hidden;
} graft_gru_backward_step_args;

void graft_gru_backward_step(const graft_gru_backward_step_args *args, int64_t row_begin, int64_t row_end);

/// dst[i] = 10 log10(max(amin, src[i])) - offset (librosa's power_to_db before
/// its top_db floor); returns the largest dst value (-inf when n = 0). dst may be src.
float graft_power_to_db(float *dst, const float *src, int64_t n, float amin, float offset, graft_isa isa);

/// dst[i] = ln(src[i] + offset). dst may be src.
void graft_log_offset(float *dst, const float *src, int64_t n, float offset, graft_isa isa);

/// Winograd F(2x2, 3x3), padding 1. Tiles are the 4x4 windows every 2 pixels from (-1, -1):
/// ceil(H/2) x ceil(W/2) per plane, numbered row-major.
///
/// U = G g Gt of the 3x3 kernels w[a, b] ([rows, cols, 3, 3]) for rows [row_begin, row_end):
/// element xi of kernel (a, b) goes to u[xi * rows * cols + a * cols + b].
void graft_winograd_weight(float *u, const float *w, int64_t rows, int64_t cols, int64_t row_begin, int64_t row_end,
                           graft_isa isa);

/// V = Bt d B of every tile of one [height, width] plane: tile t's element xi (0...15, row-major
/// in the 4x4 transform) goes to out[xi * stride + t]. `scratch` holds
/// graft_winograd_input_scratch_count(width) floats.
void graft_winograd_input(float *out, const float *plane, int64_t height, int64_t width, int64_t stride,
                          float *scratch, graft_isa isa);
int64_t graft_winograd_input_scratch_count(int64_t width);

/// Y = At m A + bias of every tile of one [height, width] output plane, tile t's element xi read
/// from m[xi * stride + t]; tiles past an odd edge are cropped.
void graft_winograd_output(float *plane, const float *m, int64_t stride, float bias, int64_t height, int64_t width,
                           graft_isa isa);

/// Weight gradient, F(3x3, 2x2): G dy Gt of every 2x2 tile of one [height, width] plane of dY
/// (tiles at (2ty, 2tx), zero past an odd edge; G = [1 0; 1/2 1/2; 1/2 -1/2; 0 1]), element xi
/// of tile t to out[xi * stride + t]. With V from graft_winograd_input on the input planes,
/// dU[xi][k][c] = sum over t of out_k[xi][t] * V_c[xi][t].
void graft_winograd_grad_output(float *out, const float *plane, int64_t height, int64_t width, int64_t stride,
                                graft_isa isa);

/// dW[a, b] (3x3, [rows, cols, 3, 3]) = (At D) dU[a, b] (D A) for rows [row_begin, row_end), with
/// At D = [1 1 1 0; 0 1 -1 0; 0 1 1 -1] and dU[xi][a][b] at du[xi * rows * cols + a * cols + b].
void graft_winograd_weight_grad(float *dw, const float *du, int64_t rows, int64_t cols, int64_t row_begin,
                                int64_t row_end, graft_isa isa);

/// One output plane of a depthwise 3x3 convolution (dilation 1, stride 1 or 2): y[p, q] = bias +
/// sum over r, s of weight[3r + s] * x[p*stride - pad_h + r, q*stride - pad_w + s], zero outside
/// the [height, width] plane; y is [out_height, out_width].
void graft_depthwise3x3(float *y, const float *x, const float *weight, float bias, int64_t height, int64_t width,
                        int64_t out_height, int64_t out_width, int64_t stride, int64_t pad_h, int64_t pad_w,
                        graft_isa isa);

/// The most pixels (H·W) of a plane graft_depthwise3x3_flat takes.
#define GRAFT_DW_FLAT_MAX 256

/// Output planes first ... first + count − 1 of a depthwise 3x3 convolution with stride 1 and
/// padding 1 (y and x [planes, height, width], plane i's channel i % channels, weight
/// [channels, 3, 3], bias [channels] or NULL), each small plane (height·width ≤ GRAFT_DW_FLAT_MAX)
/// computed as one flat run of vectors: the same values as graft_depthwise3x3 plane by plane.
void graft_depthwise3x3_flat(float *y, const float *x, const float *weight, const float *bias, int64_t first,
                             int64_t count, int64_t channels, int64_t height, int64_t width, graft_isa isa);

/// The same for a 5x5 kernel (forward only): y[p, q] = bias + sum over r, s < 5 of
/// weight[5r + s] * x[p*stride - pad_h + r, q*stride - pad_w + s].
void graft_depthwise5x5(float *y, const float *x, const float *weight, float bias, int64_t height, int64_t width,
                        int64_t out_height, int64_t out_width, int64_t stride, int64_t pad_h, int64_t pad_w,
                        graft_isa isa);

/// Gradients of graft_depthwise3x3 for one plane, accumulated: dw[3r + s] += sum over (p, q) of
/// dy[p, q] * x[p*stride - pad_h + r, q*stride - pad_w + s]; dx[ih, iw] += sum of weight[3r + s] *
/// dy[p, q] over the window positions that read (ih, iw).
void graft_depthwise3x3_grad_weight(float *dw, const float *dy, const float *x, int64_t height, int64_t width,
                                    int64_t out_height, int64_t out_width, int64_t stride, int64_t pad_h,
                                    int64_t pad_w, graft_isa isa);
void graft_depthwise3x3_grad_input(float *dx, const float *dy, const float *weight, int64_t height, int64_t width,
                                   int64_t out_height, int64_t out_width, int64_t stride, int64_t pad_h, int64_t pad_w,
                                   graft_isa isa);

/// dst[q] = src[2q] for q < count (reads src[0 ... 2·count − 2] only).
void graft_copy_stride2(float *dst, const float *src, int64_t count, graft_isa isa);

#ifdef __cplusplus
}
#endif

#endif
