#include <digitlab/sha256.h>

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace digitlab {
namespace {

// FIPS 180-4, 4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
constexpr std::array<uint32_t, 64> kRoundConstants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// FIPS 180-4, 5.3.3: first 32 bits of the fractional parts of the square roots of the first 8 primes.
constexpr std::array<uint32_t, 8> kInitialState = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr size_t kReadChunk = 1 << 18;

uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Describes zlib's last error on `in` without the path prefix zlib adds itself.
std::string gz_error_text(gzFile in, const std::filesystem::path& file) {
  int code = Z_OK;
  std::string message = gzerror(in, &code);
  const std::string prefix = file.string() + ": ";
  if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
  const char* kind =
      code == Z_ERRNO ? "read error" : code == Z_BUF_ERROR ? "truncated gzip data" : "corrupt gzip data";
  return file.string() + ": " + kind + ": " + message;
}

}  // namespace

Sha256::Sha256() : state_(kInitialState) {}

void Sha256::update(const void* data, size_t n) {
  if (finished_) throw std::runtime_error("Sha256::update called after hex_digest()");
  if (n == 0) return;
  const auto* p = static_cast<const uint8_t*>(data);
  total_bytes_ += n;
  if (buffered_ > 0) {
    const size_t take = std::min(n, kBlockSize - buffered_);
    std::memcpy(buffer_.data() + buffered_, p, take);
    buffered_ += take;
    p += take;
    n -= take;
    if (buffered_ < kBlockSize) return;
    compress(buffer_.data());
    buffered_ = 0;
  }
  for (; n >= kBlockSize; p += kBlockSize, n -= kBlockSize) compress(p);
  std::memcpy(buffer_.data(), p, n);
  buffered_ = n;
}

std::string Sha256::hex_digest() {
  if (finished_) return digest_;
  // Padding (5.1.1): a 1 bit, zeros up to 56 mod 64 bytes, then the message length in bits, big-endian.
  const uint64_t bit_length = total_bytes_ * 8;
  buffer_[buffered_++] = 0x80;
  if (buffered_ > kBlockSize - 8) {
    std::fill(buffer_.begin() + buffered_, buffer_.end(), 0);
    compress(buffer_.data());
    buffered_ = 0;
  }
  std::fill(buffer_.begin() + buffered_, buffer_.end() - 8, 0);
  for (int i = 0; i < 8; ++i) buffer_[kBlockSize - 1 - i] = static_cast<uint8_t>(bit_length >> (8 * i));
  compress(buffer_.data());

  static const char kHexDigits[] = "0123456789abcdef";
  digest_.clear();
  for (const uint32_t word : state_) {
    for (int shift = 28; shift >= 0; shift -= 4) digest_ += kHexDigits[(word >> shift) & 0xf];
  }
  finished_ = true;
  return digest_;
}

std::string Sha256::hex_of(const std::string& bytes) {
  Sha256 hash;
  hash.update(bytes.data(), bytes.size());
  return hash.hex_digest();
}

void Sha256::compress(const uint8_t* block) {
  // Message schedule (6.2.2, step 1).
  std::array<uint32_t, 64> w;
  for (int t = 0; t < 16; ++t) w[t] = load_be32(block + 4 * t);
  for (int t = 16; t < 64; ++t) {
    const uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    const uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  // 64 rounds (steps 2-4).
  uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
  uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
  for (int t = 0; t < 64; ++t) {
    const uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRoundConstants[t] + w[t];
    const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
  state_[5] += f;
  state_[6] += g;
  state_[7] += h;
}

std::string sha256_of_content(const std::filesystem::path& file) {
  errno = 0;
  // gzopen reads files without a gzip header as they are, so raw and gzipped files take the same path.
  std::unique_ptr<gzFile_s, int (*)(gzFile)> in(gzopen(file.c_str(), "rb"), &gzclose);
  if (!in) throw std::runtime_error(file.string() + ": cannot open: " + std::strerror(errno ? errno : ENOMEM));
  gzbuffer(in.get(), kReadChunk);
  std::vector<uint8_t> chunk(kReadChunk);
  Sha256 hash;
  int n = 0;
  while ((n = gzread(in.get(), chunk.data(), static_cast<unsigned>(chunk.size()))) > 0) {
    hash.update(chunk.data(), static_cast<size_t>(n));
  }
  int code = Z_OK;
  gzerror(in.get(), &code);
  if (n < 0 || code != Z_OK) throw std::runtime_error(gz_error_text(in.get(), file));
  return hash.hex_digest();
}

}  // namespace digitlab
