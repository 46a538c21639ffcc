// The floor for `graft bench audio`'s stft_power_10min: a plain C loop over FFTW.
// 10 minutes of 16 kHz audio, n_fft 512, hop 160, periodic Hann, centered (zero pad), power.
// Build and run (one core):
//   gcc -O2 -o /tmp/fftw_power Tools/peers/fftw_power.c -lfftw3f -lm && /tmp/fftw_power
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(void) {
  const int rate = 16000, n = rate * 600, nfft = 512, hop = 160, bins = nfft / 2 + 1;
  const int padded = n + nfft, frames = 1 + n / hop;
  float *y = calloc(padded, sizeof(float)), *window = malloc(nfft * sizeof(float));
  float *out = malloc((size_t)frames * bins * sizeof(float));
  for (int i = 0; i < n; i++) {
    double t = (double)(i % rate) / rate;
    y[nfft / 2 + i] = (float)(0.5 * sin(2 * M_PI * (100 * t + 0.5 * 3900 * t * t)));
  }
  for (int i = 0; i < nfft; i++) window[i] = (float)(0.5 - 0.5 * cos(2 * M_PI * i / nfft));
  float *in = fftwf_alloc_real(nfft);
  fftwf_complex *spec = fftwf_alloc_complex(bins);
  fftwf_plan plan = fftwf_plan_dft_r2c_1d(nfft, in, spec, FFTW_ESTIMATE);
  double best = 1e9;
  for (int rep = 0; rep < 7; rep++) {
    double t0 = now();
    for (int f = 0; f < frames; f++) {
      const float *src = y + (size_t)f * hop;
      for (int i = 0; i < nfft; i++) in[i] = src[i] * window[i];
      fftwf_execute(plan);
      float *o = out + (size_t)f * bins;
      for (int k = 0; k < bins; k++) o[k] = spec[k][0] * spec[k][0] + spec[k][1] * spec[k][1];
    }
    double t = now() - t0;
    if (t < best) best = t;
  }
  printf("{\"name\": \"stft_power_10min_fftw_c\", \"value\": %.4f, \"unit\": \"s\", \"frames\": %d}\n", best, frames);
  return 0;
}
