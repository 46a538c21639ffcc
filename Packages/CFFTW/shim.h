// FFTW 3, single precision (fftwf_*).
#include <fftw3.h>
