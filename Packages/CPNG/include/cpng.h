// CPNG: the only C Graft writes. libpng's classic API reports errors with
// longjmp, which Swift frames cannot survive, so every call that may fail runs
// here under a setjmp guard and comes back as a status code plus libpng's
// message. Swift turns that into a typed PNGError.
#ifndef CPNG_H
#define CPNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CPNG_OK = 0,
  CPNG_ERR_OPEN = 1,        // fopen failed (errno in `sys_errno`)
  CPNG_ERR_SIGNATURE = 2,   // not a PNG signature
  CPNG_ERR_LIBPNG = 3,      // libpng called png_error (message in `message`)
  CPNG_ERR_MEMORY = 4,      // allocation failed or image too large
} cpng_status;

/// Header fields as stored in IHDR.
typedef struct {
  uint32_t width;
  uint32_t height;
  int bit_depth;      // 1, 2, 4, 8, 16 as in the file
  int color_type;     // PNG_COLOR_TYPE_* as in the file
  int interlace;      // 0 none, 1 Adam7
  int has_trns;       // a tRNS chunk is present
} cpng_info;

/// Decoded pixels: `channels` interleaved samples per pixel, row-major,
/// `bytes_per_sample` 1 or 2 (host byte order for 2). Free with cpng_free.
typedef struct {
  cpng_info info;
  int channels;          // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA after expansion
  int bytes_per_sample;  // 1 or 2
  uint8_t *pixels;       // width * height * channels * bytes_per_sample bytes
} cpng_image;

/// Decodes the whole file with the raw-pixel transforms: palette and low-bit
/// gray expanded to 8 bits, tRNS turned into an alpha channel, interlace
/// handled, no gamma, no colour management. 16-bit samples are kept when
/// `keep16` is non-zero, otherwise reduced to their high byte (png_set_strip_16).
/// Trailing chunks are read and checked (png_read_end).
/// On failure returns a non-zero status and writes a message into `message`.
cpng_status cpng_decode_file(const char *path, int keep16, cpng_image *out,
                             char *message, size_t message_size, int *sys_errno);

/// cpng_decode_file with two additions: images with more than `max_pixels`
/// pixels (width * height; 0 means no limit) fail with CPNG_ERR_MEMORY before
/// any pixel memory is allocated, and libpng's warnings (damaged ancillary
/// chunks, ...) are appended to `warnings` one per line, when it is not NULL.
cpng_status cpng_decode_file_ex(const char *path, int keep16, uint64_t max_pixels,
                                cpng_image *out, char *message, size_t message_size,
                                int *sys_errno, char *warnings, size_t warnings_size);

/// Reads only the header (IHDR and chunks before IDAT).
cpng_status cpng_read_info(const char *path, cpng_info *out,
                           char *message, size_t message_size, int *sys_errno);

/// Encodes 8-bit gray (1), gray+alpha (2), RGB (3) or RGBA (4) pixels to `path`.
cpng_status cpng_encode_file(const char *path, const uint8_t *pixels,
                             uint32_t width, uint32_t height, int channels,
                             char *message, size_t message_size, int *sys_errno);

/// Encodes like cpng_encode_file but into memory (png_set_write_fn), so the
/// caller can publish the bytes atomically. On success `*out` holds `*out_size`
/// bytes that the caller releases with cpng_free_buffer.
cpng_status cpng_encode_memory(const uint8_t *pixels, uint32_t width, uint32_t height,
                               int channels, uint8_t **out, size_t *out_size,
                               char *message, size_t message_size);

void cpng_free_buffer(uint8_t *buffer);

void cpng_free(cpng_image *image);

/// The largest single allocation libpng was granted on this thread since the last
/// cpng_reset_largest_allocation (every read goes through an allocator bounded by what the file
/// can describe; this lets a test see that a header's claim was not honoured).
size_t cpng_largest_allocation(void);
void cpng_reset_largest_allocation(void);

/// libpng's version number, e.g. 10639.
uint32_t cpng_libpng_version(void);

#ifdef __cplusplus
}
#endif
#endif
