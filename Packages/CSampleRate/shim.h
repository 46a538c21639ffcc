// libsamplerate (Secret Rabbit Code): band-limited sinc sample-rate conversion.
// pkg-config `samplerate` supplies the include path.
#include <samplerate.h>
