#include "image/container_checks.h"

#include "image/jpeg_markers.h"

#include "util/byte_order.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace digitlab::detail {
namespace {

constexpr size_t kBmpFileHeader = 14;  // "BM", file size, reserved, pixel data offset; the info header follows
constexpr size_t kTgaHeader = 18;
constexpr size_t kGifScreenDescriptor = 13;       // "GIF89a", width, height, flags, background, aspect
constexpr size_t kPngHeaderEnd = 8 + 8 + 13 + 4;  // signature, IHDR's length and type, its fields, its CRC

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::runtime_error(name + ": " + what);
}

bool is(const char* format, const char* expected) { return std::strcmp(format, expected) == 0; }

std::string size_text(int width, int height) { return std::to_string(width) + "x" + std::to_string(height); }

// Bytes from a file as text, each byte that is not printable ASCII written as \xNN, so that messages stay text.
std::string printable(const uint8_t* bytes, size_t n) {
  std::string text;
  for (size_t i = 0; i < n; ++i) {
    if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '\\') {
      text += static_cast<char>(bytes[i]);
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", bytes[i]);
      text += escaped;
    }
  }
  return text;
}

void check_png_header(const uint8_t* data, size_t size, const std::string& name) {
  if (size < 16) {
    fail(name, "truncated PNG header: expected at least " + std::to_string(kPngHeaderEnd) + " bytes, the file has " +
                   std::to_string(size));
  }
  const uint32_t length = load_be32(data + 8);
  if (std::memcmp(data + 12, "IHDR", 4) != 0 || length != 13) {
    fail(name, "corrupt PNG: its first chunk is \"" + printable(data + 12, 4) + "\" of " + std::to_string(length) +
                   " bytes; expected the 13-byte IHDR image header");
  }
  if (size < kPngHeaderEnd) {
    fail(name, "truncated PNG header: expected at least " + std::to_string(kPngHeaderEnd) + " bytes, the file has " +
                   std::to_string(size));
  }
}

void check_bmp_header(const uint8_t* data, size_t size, const std::string& name) {
  const uint64_t headers = size >= kBmpFileHeader + 4 ? kBmpFileHeader + uint64_t{load_le32(data + 14)} : 18;
  if (size < headers) {
    fail(name, "truncated BMP header: its headers take " + std::to_string(headers) + " bytes, the file has " +
                   std::to_string(size));
  }
  if (headers < kBmpFileHeader + 40) return;  // an OS/2 header, always uncompressed
  const uint32_t compression = load_le32(data + 30);
  if (compression == 1 || compression == 2 || compression >= 4) {
    fail(name, "BMP compression " + std::to_string(compression) + (compression <= 2 ? " (run-length)" : "") +
                   " is not supported; expected an uncompressed BMP");
  }
}

// An uncompressed BMP (the only kind stb decodes; check_header() refused the others) stores its rows from the
// offset in its file header on, each row width * bits-per-pixel long and padded to a multiple of 4 bytes. The
// last row's padding is not needed to decode it.
void check_bmp_pixels(const uint8_t* data, size_t size, int width, int height, const std::string& name) {
  const uint32_t offset = load_le32(data + 10);
  const uint32_t info_size = load_le32(data + 14);
  const uint32_t bits = info_size == 12 ? load_le16(data + 24) : load_le16(data + 28);
  if (offset < kBmpFileHeader + uint64_t{info_size}) {
    fail(name, "corrupt BMP header: its pixel data offset " + std::to_string(offset) + " lies inside its " +
                   std::to_string(kBmpFileHeader + info_size) + " bytes of headers");
  }
  const uint64_t row_bits = uint64_t(width) * bits;
  const uint64_t row_bytes = (row_bits + 31) / 32 * 4;
  const uint64_t needed = offset + row_bytes * uint64_t(height - 1) + (row_bits + 7) / 8;
  if (needed > size) {
    fail(name, "truncated BMP data: its " + size_text(width, height) + " pixels of " + std::to_string(bits) +
                   " bits need " + std::to_string(needed) + " bytes, the file has " + std::to_string(size));
  }
}

// A TGA's pixels follow its 18-byte header, its ID field and, in a colour-mapped image, its palette (before which
// stb skips as many bytes as the colour map's first index, and so does this count). Each pixel takes
// (bits + 7) / 8 bytes. Uncompressed, width * height pixels follow. Run-length encoded, the packets are walked as
// stb reads them: a byte with its high bit set starts a run of (byte & 127) + 1 copies of one pixel, any other
// byte a literal run of that many pixels; a packet reaching past the last pixel is read only up to it.
void check_tga_pixels(const uint8_t* data, size_t size, int width, int height, const std::string& name) {
  const bool colour_mapped = data[1] == 1;
  const bool run_length = data[2] >= 8;
  uint64_t pos = kTgaHeader + data[0];
  if (colour_mapped) pos += load_le16(data + 3) + uint64_t{load_le16(data + 5)} * ((data[7] + 7u) / 8u);
  const uint64_t pixel_bytes = (data[16] + 7u) / 8u;
  const uint64_t pixels = uint64_t(width) * uint64_t(height);
  if (!run_length) {
    const uint64_t needed = pos + pixels * pixel_bytes;
    if (needed > size) {
      fail(name, "truncated TGA data: its " + size_text(width, height) + " pixels need " + std::to_string(needed) +
                     " bytes, the file has " + std::to_string(size));
    }
    return;
  }
  for (uint64_t left = pixels; left > 0;) {
    const uint8_t packet = pos < size ? data[pos] : 0;
    const uint64_t count = std::min<uint64_t>(left, (packet & 0x7fu) + 1u);
    pos += 1 + ((packet & 0x80u) ? pixel_bytes : count * pixel_bytes);
    if (pos > size) {
      fail(name, "truncated TGA data: the run-length packets of its " + size_text(width, height) +
                     " pixels run past the end of the file (" + std::to_string(size) + " bytes)");
    }
    left -= count;
  }
}

// After its 13-byte screen descriptor and optional global colour table, a GIF is a sequence of blocks:
// extensions (0x21, a label, then data sub-blocks) and images (0x2C, a 9-byte descriptor, an optional local colour
// table, the LZW code size, then data sub-blocks), where data sub-blocks are a length byte and that many bytes,
// ending with a zero length. stb decodes the first image only, so the blocks are walked to the end of the first
// image's data: a file that ends before it is truncated, whatever its LZW codes say. What follows (more frames,
// the trailer 0x3B) is not needed and not checked; a block stb does not know is left to stb to refuse.
void check_gif_blocks(const uint8_t* data, size_t size, const std::string& name) {
  uint64_t pos = kGifScreenDescriptor;
  const auto require = [&](uint64_t bytes) {
    if (pos + bytes > size) {
      fail(name, "truncated GIF data: the file (" + std::to_string(size) + " bytes) ends before its first image does");
    }
  };
  const auto colour_table = [](uint8_t flags) -> uint64_t { return (flags & 0x80u) ? 3 * (2u << (flags & 7u)) : 0; };
  const auto skip_sub_blocks = [&] {
    for (;;) {
      require(1);
      const uint8_t length = data[pos++];
      if (length == 0) return;
      require(length);
      pos += length;
    }
  };
  require(0);
  pos += colour_table(data[10]);
  for (;;) {
    require(1);
    const uint8_t block = data[pos++];
    if (block == 0x21) {
      require(1);
      ++pos;  // the extension's label
      skip_sub_blocks();
    } else if (block == 0x2c) {
      require(9);
      pos += 9 + colour_table(data[pos + 8]);
      require(1);
      ++pos;  // the LZW code size
      skip_sub_blocks();
      return;
    } else {
      return;
    }
  }
}

}  // namespace

const char* sniff_format(const uint8_t* data, size_t size) {
  static const uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (size >= sizeof kPng && std::memcmp(data, kPng, sizeof kPng) == 0) return "PNG";
  if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) return "JPEG";
  if (size >= 2 && data[0] == 'B' && data[1] == 'M') return "BMP";
  if (size >= 6 && (std::memcmp(data, "GIF87a", 6) == 0 || std::memcmp(data, "GIF89a", 6) == 0)) return "GIF";
  // TGA has no signature: accept the header fields stb's TGA reader accepts.
  if (size >= kTgaHeader) {
    const uint8_t colour_map = data[1];
    const uint8_t type = data[2];
    const uint8_t bits = data[16];
    const bool known_type = type == 1 || type == 2 || type == 3 || type == 9 || type == 10 || type == 11;
    const bool known_bits = bits == 8 || bits == 15 || bits == 16 || bits == 24 || bits == 32;
    if (colour_map <= 1 && known_type && known_bits) return "TGA";
  }
  return nullptr;
}

void check_header(const uint8_t* data, size_t size, const char* format, const std::string& name) {
  if (is(format, "PNG")) check_png_header(data, size, name);
  if (is(format, "BMP")) check_bmp_header(data, size, name);
  if (is(format, "JPEG")) check_jpeg_huffman_tables(data, size, name);
}

std::pair<int64_t, int64_t> declared_size(const uint8_t* data, size_t size, const char* format) {
  if (is(format, "PNG") && size >= 24) return {load_be32(data + 16), load_be32(data + 20)};
  if (is(format, "BMP") && size >= 26 && load_le32(data + 14) == 12) {  // OS/2: 16-bit sides
    return {load_le16(data + 18), load_le16(data + 20)};
  }
  if (is(format, "BMP") && size >= 26) {
    const auto height = static_cast<int32_t>(load_le32(data + 22));  // negative for top-down rows
    return {static_cast<int32_t>(load_le32(data + 18)), height < 0 ? -int64_t{height} : height};
  }
  if (is(format, "GIF") && size >= 10) return {load_le16(data + 6), load_le16(data + 8)};
  return {0, 0};
}

void check_pixel_data(const uint8_t* data, size_t size, const char* format, int width, int height,
                      const std::string& name) {
  if (is(format, "BMP")) check_bmp_pixels(data, size, width, height, name);
  if (is(format, "TGA")) check_tga_pixels(data, size, width, height, name);
  if (is(format, "GIF")) check_gif_blocks(data, size, name);
}

}  // namespace digitlab::detail
