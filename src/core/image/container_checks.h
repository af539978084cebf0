#pragma once
// Internal to digitlab_image: what an image file's own header says, judged before stb decodes the file. stb reads
// past the end of its buffer as zeros and takes header fields on trust, so a cut or lying file would otherwise
// decode into a partly black picture, or be reported with a size read from the wrong bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace digitlab::detail {

/// The container format named by the first bytes ("PNG", "JPEG", "BMP", "GIF" or "TGA"), or nullptr if it is
/// none of those. stb also decodes PSD, PIC, PNM and HDR; those are refused so that only the formats the app
/// documents reach a decoder. Never throws.
const char* sniff_format(const uint8_t* data, size_t size);

/// Checks the header of a file sniffed as `format`: a PNG must open with its 13-byte IHDR chunk, a BMP must hold
/// its headers whole and use a compression stb decodes. Throws std::runtime_error "<name>: <what>" otherwise.
void check_header(const uint8_t* data, size_t size, const char* format, const std::string& name);

/// The width and height a PNG, BMP or GIF header declares (the BMP height without its sign), or 0x0 for other
/// formats or a header too short to hold them: read before stb sees the file, which refuses some absurd sizes
/// itself with a less helpful message (JPEG sides, at most 65535, are left to stb). Call after check_header().
/// Never throws.
std::pair<int64_t, int64_t> declared_size(const uint8_t* data, size_t size, const char* format);

/// Checks that a BMP, TGA or GIF file holds all the pixel data its header calls for, `width` x `height` pixels as
/// stb read them from that header. Throws std::runtime_error "<name>: truncated <format> data: ..." otherwise.
/// PNG and JPEG are not checked here: stb itself refuses a PNG whose zlib stream or IEND chunk is missing and a
/// JPEG without its end-of-image marker.
void check_pixel_data(const uint8_t* data, size_t size, const char* format, int width, int height,
                      const std::string& name);

}  // namespace digitlab::detail
