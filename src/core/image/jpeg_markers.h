#pragma once
// Internal to digitlab_image: JPEG segments judged before stb_image decodes them. The stb_image in Debian 12
// (git 2022-09-08) builds Huffman tables from a DHT segment without checking that its 16 code counts add up to at
// most 256 symbols, so a crafted file writes past the table arrays (found by fuzzing with the decoder
// instrumented: fuzz/fuzz_image.cpp).

#include <cstddef>
#include <cstdint>
#include <string>

namespace digitlab::detail {

/// Walks every marker segment of a JPEG (skipping entropy-coded data between them) and checks each Huffman table
/// definition: a class and destination stb accepts, at most 256 symbols, and all of them inside the segment.
/// Throws std::runtime_error "<name>: corrupt JPEG data: <what>" for a table that breaks those rules; segments
/// it cannot follow (a cut file) are left to the decoder, which reports them. Never reads outside `data`.
void check_jpeg_huffman_tables(const uint8_t* data, size_t size, const std::string& name);

}  // namespace digitlab::detail
