// OpenBLAS's CBLAS interface plus its thread-count control.
// pkg-config `openblas` supplies the include path (Debian: openblas-pthread/).
#include <cblas.h>
