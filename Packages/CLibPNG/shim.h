// libpng 1.6 (classic API). Swift never calls the reading functions directly:
// they longjmp on error. Use the CPNG target's guarded functions instead.
#include <png.h>
