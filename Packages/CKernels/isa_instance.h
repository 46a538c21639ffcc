// One instruction set's kernels: kernels.c defines NAME, TARGET, VW, FROWS, BROWS
// and BNB (see simd_math.h and lstm_body.h), then includes this file, which
// compiles the vector math and every kernel body for that set and clears the
// macros for the next one.
#include "simd_math.h"
#include "lstm_body.h"
#include "gru_body.h"
#include "log_body.h"
#include "winograd_body.h"
#include "depthwise_body.h"
#include "strided_body.h"

#undef NAME
#undef TARGET
#undef VW
#undef FROWS
#undef BROWS
#undef BNB
#undef V
#undef VI
#undef FN
#undef VEVENS
#undef VODDS
#undef VZIP_LO
#undef VZIP_HI
