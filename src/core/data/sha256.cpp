#include "data/sha256.h"

#include "data/gzip_error.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace digitlab {
namespace {

constexpr size_t kShaReadChunk = 1 << 18;

}  // namespace

struct Sha256::Context {
  EVP_MD_CTX* evp = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(evp); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  if (context_->evp == nullptr || EVP_DigestInit_ex(context_->evp, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256: OpenSSL's libcrypto cannot start a digest");
  }
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t n) {
  if (finished_) throw std::runtime_error("Sha256::update called after hex_digest()");
  if (n > 0 && EVP_DigestUpdate(context_->evp, data, n) != 1) throw std::runtime_error("SHA-256: digest update failed");
}

std::string Sha256::hex_digest() {
  if (finished_) return digest_;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context_->evp, digest, &size) != 1) throw std::runtime_error("SHA-256: digest failed");
  static const char kHexDigits[] = "0123456789abcdef";
  for (unsigned int i = 0; i < size; ++i) {
    digest_ += kHexDigits[digest[i] >> 4];
    digest_ += kHexDigits[digest[i] & 0xf];
  }
  finished_ = true;
  return digest_;
}

std::string Sha256::hex_of(const std::string& bytes) {
  Sha256 hash;
  hash.update(bytes.data(), bytes.size());
  return hash.hex_digest();
}

std::string sha256_of_content(const std::filesystem::path& file) {
  errno = 0;
  // gzopen reads files without a gzip header as they are, so raw and gzipped files take the same path.
  std::unique_ptr<gzFile_s, int (*)(gzFile)> in(gzopen(file.c_str(), "rb"), &gzclose);
  if (!in) throw std::runtime_error(file.string() + ": cannot open: " + std::strerror(errno ? errno : ENOMEM));
  gzbuffer(in.get(), kShaReadChunk);
  std::vector<uint8_t> chunk(kShaReadChunk);
  Sha256 hash;
  int n = 0;
  while ((n = gzread(in.get(), chunk.data(), static_cast<unsigned>(chunk.size()))) > 0) {
    hash.update(chunk.data(), static_cast<size_t>(n));
  }
  int code = Z_OK;
  gzerror(in.get(), &code);
  if (n < 0 || code != Z_OK) throw std::runtime_error(detail::gzip_error_text(in.get(), file));
  return hash.hex_digest();
}

}  // namespace digitlab
