#pragma once
// Unsigned integers read from bytes stored in a stated byte order (file headers: IDX, PNG, BMP, GIF, JPEG, TIFF),
// whatever the machine's own order. The caller checks that the bytes exist.

#include <cstdint>
#include <cstring>

namespace digitlab::detail {

/// The 16-bit value stored most significant byte first at `p`.
inline uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

/// The 16-bit value stored least significant byte first at `p`.
inline uint16_t load_le16(const uint8_t* p) { return static_cast<uint16_t>((p[1] << 8) | p[0]); }

/// The 32-bit value stored most significant byte first at `p`.
inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

/// The 32-bit value stored least significant byte first at `p`.
inline uint32_t load_le32(const uint8_t* p) {
  return (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | uint32_t{p[0]};
}

/// The IEEE float whose bits are stored least significant byte first at `p` (a TorchScript file's tensor data).
inline float load_le_float(const uint8_t* p) {
  const uint32_t bits = load_le32(p);
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

/// The 16-bit value at `p` in the byte order a file declares (TIFF's "MM" or "II").
inline uint16_t load_u16(const uint8_t* p, bool big_endian) { return big_endian ? load_be16(p) : load_le16(p); }

/// The 32-bit value at `p` in the byte order a file declares.
inline uint32_t load_u32(const uint8_t* p, bool big_endian) { return big_endian ? load_be32(p) : load_le32(p); }

}  // namespace digitlab::detail
