#include "image/jpeg_markers.h"

#include <stdexcept>

namespace digitlab::detail {
namespace {

constexpr uint8_t kDefineHuffmanTable = 0xC4;
constexpr uint8_t kStartOfScan = 0xDA;
constexpr uint8_t kEndOfImage = 0xD9;
constexpr size_t kMaxSymbols = 256;

/// Markers that stand alone, without a length: SOI, EOI, TEM and the restart markers RST0..RST7.
bool stands_alone(uint8_t marker) {
  return marker == 0xD8 || marker == 0xD9 || marker == 0x01 || (marker & 0xF8) == 0xD0;
}

/// After a scan's header, the entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart.
size_t skip_entropy_coded_data(const uint8_t* data, size_t size, size_t at) {
  while (at + 1 < size) {
    if (data[at] == 0xFF && data[at + 1] != 0x00 && (data[at + 1] & 0xF8) != 0xD0 && data[at + 1] != 0xFF) return at;
    ++at;
  }
  return size;
}

/// Checks the tables of one DHT segment, `length` bytes at `at` (after its length field), of which the file holds
/// only those before `size`: stb reads bytes past the end of a cut file as zeros, so counts that are missing
/// count as zero and the ones present must still add up to at most 256.
void check_tables(const uint8_t* data, size_t size, size_t at, size_t length, const std::string& name) {
  const auto fail = [&](const std::string& what) { return std::runtime_error(name + ": corrupt JPEG data: " + what); };
  const size_t end = at + length;
  while (at < end && at < size) {
    const uint8_t id = data[at];
    if ((id >> 4) > 1 || (id & 15) > 3) throw fail("bad Huffman table class or destination");
    size_t symbols = 0;
    for (size_t i = 1; i <= 16 && at + i < size; ++i) symbols += data[at + i];
    if (symbols > kMaxSymbols) throw fail("Huffman table with " + std::to_string(symbols) + " symbols (at most 256)");
    if (end - at < 17) throw fail("Huffman table header cut short");
    at += 17 + symbols;
    if (at > end) throw fail("Huffman table longer than its segment");
  }
}

}  // namespace

void check_jpeg_huffman_tables(const uint8_t* data, size_t size, const std::string& name) {
  size_t at = 2;  // after SOI
  while (at + 1 < size) {
    if (data[at] != 0xFF) {  // stb skips stray bytes between segments, looking for the next marker: so do we
      ++at;
      continue;
    }
    const uint8_t marker = data[at + 1];
    at += 2;
    if (marker == 0xFF) {  // fill byte
      --at;
      continue;
    }
    if (marker == kEndOfImage) return;
    if (stands_alone(marker)) continue;
    if (at + 2 > size) return;
    const size_t length = (size_t{data[at]} << 8) | data[at + 1];
    if (length < 2) return;  // the decoder reports it
    // A cut DHT is still judged on what it holds: stb reads on past the end of the file.
    if (marker == kDefineHuffmanTable) check_tables(data, size, at + 2, length - 2, name);
    if (at + length > size) return;  // a cut segment: the decoder reports it
    at += length;
    if (marker == kStartOfScan) at = skip_entropy_coded_data(data, size, at);
  }
}

}  // namespace digitlab::detail
