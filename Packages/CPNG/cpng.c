#include "cpng.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

// The most decoded bytes a PNG file of `file_size` bytes can describe: deflate expands at most
// 1032:1, and the transforms here at most 32:1 (1-bit palette -> RGBA8), plus slack for tiny
// files. A header claiming more is lying; refusing it before the pixel buffer is allocated keeps
// a 100-byte file from reserving gigabytes.
static uint64_t max_decoded_bytes(FILE *fp) {
  struct stat st;
  if (fstat(fileno(fp), &st) != 0 || st.st_size < 0) return UINT64_MAX;
  return (uint64_t)st.st_size * 1032u * 32u + (1u << 20);
}

// Every libpng allocation is held to what the file can describe (max_decoded_bytes). The chunk
// limit alone is not enough: libpng 1.6.39 reports an ancillary chunk longer than
// png_set_chunk_malloc_max as a benign error (a warning on read) and then allocates its claimed
// length anyway — the png fuzz target found a 502-byte file whose sCAL chunk claims 1.9 GB,
// which `graft vision info` touched in full (1.9 GB RSS) before failing. With the cap the
// allocation fails, libpng skips the chunk and the short file ends in a read error.
typedef struct {
  uint64_t cap;
} cpng_alloc_limit;

static _Thread_local size_t cpng_largest_grant = 0;

size_t cpng_largest_allocation(void) { return cpng_largest_grant; }
void cpng_reset_largest_allocation(void) { cpng_largest_grant = 0; }

static png_voidp cpng_bounded_malloc(png_structp png, png_alloc_size_t size) {
  const cpng_alloc_limit *limit = (const cpng_alloc_limit *)png_get_mem_ptr(png);
  if (limit && (uint64_t)size > limit->cap) return NULL;
  png_voidp p = malloc(size);
  if (p && size > cpng_largest_grant) cpng_largest_grant = size;
  return p;
}

static void cpng_bounded_free(png_structp png, png_voidp pointer) {
  (void)png;
  free(pointer);
}

typedef struct {
  char *message;
  size_t message_size;
  char *warnings;       // may be NULL
  size_t warnings_size;
} cpng_error_sink;

static void cpng_on_error(png_structp png, png_const_charp text) {
  cpng_error_sink *sink = (cpng_error_sink *)png_get_error_ptr(png);
  if (sink && sink->message && sink->message_size > 0) {
    snprintf(sink->message, sink->message_size, "%s", text ? text : "libpng error");
  }
  png_longjmp(png, 1);
}

// Warnings (bad ancillary chunks, ...) do not fail a decode; they are collected
// one per line when the caller gave a buffer, and dropped once it is full.
static void cpng_on_warning(png_structp png, png_const_charp text) {
  cpng_error_sink *sink = (cpng_error_sink *)png_get_error_ptr(png);
  if (!sink || !sink->warnings || sink->warnings_size == 0) return;
  size_t used = strlen(sink->warnings);
  if (used + 1 >= sink->warnings_size) return;
  snprintf(sink->warnings + used, sink->warnings_size - used, "%s\n", text ? text : "libpng warning");
}

static void set_message(char *message, size_t size, const char *text) {
  if (message && size > 0) snprintf(message, size, "%s", text);
}

static FILE *open_png(const char *path, char *message, size_t size, int *sys_errno,
                      cpng_status *status) {
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    if (sys_errno) *sys_errno = errno;
    set_message(message, size, strerror(errno));
    *status = CPNG_ERR_OPEN;
    return NULL;
  }
  unsigned char sig[8];
  size_t n = fread(sig, 1, 8, fp);
  if (n != 8 || png_sig_cmp(sig, 0, 8) != 0) {
    fclose(fp);
    set_message(message, size, n < 8 ? "file shorter than the PNG signature" : "not a PNG signature");
    *status = CPNG_ERR_SIGNATURE;
    return NULL;
  }
  *status = CPNG_OK;
  return fp;
}

static void fill_info(png_structp png, png_infop info, cpng_info *out) {
  out->width = png_get_image_width(png, info);
  out->height = png_get_image_height(png, info);
  out->bit_depth = png_get_bit_depth(png, info);
  out->color_type = png_get_color_type(png, info);
  out->interlace = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
  out->has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
}

cpng_status cpng_read_info(const char *path, cpng_info *out, char *message,
                           size_t message_size, int *sys_errno) {
  cpng_status status;
  FILE *fp = open_png(path, message, message_size, sys_errno, &status);
  if (!fp) return status;
  cpng_error_sink sink = {message, message_size, NULL, 0};
  cpng_alloc_limit alloc_limit = {max_decoded_bytes(fp)};
  png_structp png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &sink, cpng_on_error, cpng_on_warning,
                                             &alloc_limit, cpng_bounded_malloc, cpng_bounded_free);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    set_message(message, message_size, "out of memory");
    return CPNG_ERR_MEMORY;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    return CPNG_ERR_LIBPNG;
  }
  png_init_io(png, fp);
  png_set_sig_bytes(png, 8);
  png_read_info(png, info);
  fill_info(png, info, out);
  png_destroy_read_struct(&png, &info, NULL);
  fclose(fp);
  return CPNG_OK;
}

cpng_status cpng_decode_file(const char *path, int keep16, cpng_image *out, char *message,
                             size_t message_size, int *sys_errno) {
  return cpng_decode_file_ex(path, keep16, 0, out, message, message_size, sys_errno, NULL, 0);
}

cpng_status cpng_decode_file_ex(const char *path, int keep16, uint64_t max_pixels,
                                cpng_image *out, char *message, size_t message_size,
                                int *sys_errno, char *warnings, size_t warnings_size) {
  memset(out, 0, sizeof(*out));
  if (warnings && warnings_size > 0) warnings[0] = '\0';
  cpng_status status;
  FILE *fp = open_png(path, message, message_size, sys_errno, &status);
  if (!fp) return status;
  cpng_error_sink sink = {message, message_size, warnings, warnings_size};
  cpng_alloc_limit alloc_limit = {max_decoded_bytes(fp)};
  png_structp png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &sink, cpng_on_error, cpng_on_warning,
                                             &alloc_limit, cpng_bounded_malloc, cpng_bounded_free);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    set_message(message, message_size, "out of memory");
    return CPNG_ERR_MEMORY;
  }
  // Locals changed after setjmp and read after a longjmp must be volatile.
  uint8_t *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  if (setjmp(png_jmpbuf(png))) {
    free(pixels);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    return CPNG_ERR_LIBPNG;
  }
  png_init_io(png, fp);
  png_set_sig_bytes(png, 8);
  // Limits against decompression bombs: 2^24 pixels a side is libpng's own cap;
  // keep ancillary chunks bounded.
  png_set_chunk_malloc_max(png, 64u << 20);
  png_read_info(png, info);
  fill_info(png, info, &out->info);
  if (max_pixels > 0 && (uint64_t)out->info.width * out->info.height > max_pixels) {
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    if (message && message_size > 0) {
      snprintf(message, message_size, "%u x %u pixels exceeds the limit of %llu", out->info.width,
               out->info.height, (unsigned long long)max_pixels);
    }
    return CPNG_ERR_MEMORY;
  }

  png_set_expand(png);  // palette -> RGB, low-bit gray -> 8 bit, tRNS -> alpha
  if (out->info.bit_depth == 16) {
    if (keep16) {
      png_set_swap(png);  // host (little-endian) byte order
    } else {
      png_set_strip_16(png);
    }
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);

  int channels = png_get_channels(png, info);
  int depth = png_get_bit_depth(png, info);
  size_t rowbytes = png_get_rowbytes(png, info);
  size_t height = out->info.height;
  if (height == 0 || rowbytes == 0 || height > ((size_t)1 << 31) / rowbytes) {
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    set_message(message, message_size, "image too large");
    return CPNG_ERR_MEMORY;
  }
  uint64_t limit = max_decoded_bytes(fp);
  if ((uint64_t)rowbytes * height > limit) {
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    if (message && message_size > 0) {
      snprintf(message, message_size, "%u x %u pixels (%llu bytes decoded) is more than a %llu-byte file can hold",
               out->info.width, out->info.height, (unsigned long long)rowbytes * height,
               (unsigned long long)((limit - (1u << 20)) / (1032u * 32u)));
    }
    return CPNG_ERR_LIBPNG;
  }
  pixels = (uint8_t *)malloc(rowbytes * height);
  rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
  if (!pixels || !rows) png_error(png, "out of memory for pixel buffer");
  for (size_t y = 0; y < height; y++) rows[y] = pixels + y * rowbytes;
  png_read_image(png, rows);
  png_read_end(png, NULL);

  free(rows);
  out->pixels = pixels;
  out->channels = channels;
  out->bytes_per_sample = depth == 16 ? 2 : 1;
  png_destroy_read_struct(&png, &info, NULL);
  fclose(fp);
  return CPNG_OK;
}

cpng_status cpng_encode_file(const char *path, const uint8_t *pixels, uint32_t width,
                             uint32_t height, int channels, char *message, size_t message_size,
                             int *sys_errno) {
  static const int types[5] = {-1, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                               PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
  if (channels < 1 || channels > 4 || width == 0 || height == 0) {
    set_message(message, message_size, "unsupported channel count or empty image");
    return CPNG_ERR_LIBPNG;
  }
  FILE *fp = fopen(path, "wb");
  if (!fp) {
    if (sys_errno) *sys_errno = errno;
    set_message(message, message_size, strerror(errno));
    return CPNG_ERR_OPEN;
  }
  cpng_error_sink sink = {message, message_size, NULL, 0};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, cpng_on_error, cpng_on_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    fclose(fp);
    set_message(message, message_size, "out of memory");
    return CPNG_ERR_MEMORY;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fclose(fp);
    return CPNG_ERR_LIBPNG;
  }
  png_init_io(png, fp);
  png_set_IHDR(png, info, width, height, 8, types[channels], PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  size_t stride = (size_t)width * (size_t)channels;
  for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + y * stride));
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  if (fclose(fp) != 0) {
    if (sys_errno) *sys_errno = errno;
    set_message(message, message_size, strerror(errno));
    return CPNG_ERR_OPEN;
  }
  return CPNG_OK;
}

typedef struct {
  uint8_t *bytes;
  size_t size;
  size_t capacity;
} cpng_buffer;

static void cpng_buffer_write(png_structp png, png_bytep data, size_t length) {
  cpng_buffer *buffer = (cpng_buffer *)png_get_io_ptr(png);
  if (length > SIZE_MAX - buffer->size) png_error(png, "encoded PNG too large");
  size_t needed = buffer->size + length;
  if (needed > buffer->capacity) {
    size_t capacity = buffer->capacity ? buffer->capacity : 4096;
    while (capacity < needed) capacity = capacity > SIZE_MAX / 2 ? needed : capacity * 2;
    uint8_t *grown = (uint8_t *)realloc(buffer->bytes, capacity);
    if (!grown) png_error(png, "out of memory for encoded PNG");
    buffer->bytes = grown;
    buffer->capacity = capacity;
  }
  memcpy(buffer->bytes + buffer->size, data, length);
  buffer->size = needed;
}

static void cpng_buffer_flush(png_structp png) { (void)png; }

cpng_status cpng_encode_memory(const uint8_t *pixels, uint32_t width, uint32_t height,
                               int channels, uint8_t **out, size_t *out_size, char *message,
                               size_t message_size) {
  static const int types[5] = {-1, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                               PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
  *out = NULL;
  *out_size = 0;
  if (channels < 1 || channels > 4 || width == 0 || height == 0) {
    set_message(message, message_size, "unsupported channel count or empty image");
    return CPNG_ERR_LIBPNG;
  }
  cpng_error_sink sink = {message, message_size, NULL, 0};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, cpng_on_error, cpng_on_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    set_message(message, message_size, "out of memory");
    return CPNG_ERR_MEMORY;
  }
  // Read after a longjmp, so volatile (its fields are only changed through the pointer).
  cpng_buffer buffer = {NULL, 0, 0};
  cpng_buffer *volatile target = &buffer;
  if (setjmp(png_jmpbuf(png))) {
    free(target->bytes);
    png_destroy_write_struct(&png, &info);
    return CPNG_ERR_LIBPNG;
  }
  png_set_write_fn(png, target, cpng_buffer_write, cpng_buffer_flush);
  png_set_IHDR(png, info, width, height, 8, types[channels], PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  size_t stride = (size_t)width * (size_t)channels;
  for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + y * stride));
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  *out = target->bytes;
  *out_size = target->size;
  return CPNG_OK;
}

void cpng_free_buffer(uint8_t *buffer) { free(buffer); }

void cpng_free(cpng_image *image) {
  if (image && image->pixels) {
    free(image->pixels);
    image->pixels = NULL;
  }
}

uint32_t cpng_libpng_version(void) { return (uint32_t)png_access_version_number(); }
