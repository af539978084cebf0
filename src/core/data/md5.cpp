#include "data/md5.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace digitlab {
namespace {

constexpr size_t kMd5ReadChunk = 1 << 18;

}  // namespace

std::string Md5::hex_of_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open: " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("MD5: OpenSSL's libcrypto cannot start a digest");
  }
  std::vector<char> chunk(kMd5ReadChunk);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    if (EVP_DigestUpdate(context.get(), chunk.data(), static_cast<size_t>(in.gcount())) != 1) {
      throw std::runtime_error("MD5: digest update failed");
    }
  }
  if (in.bad()) throw std::runtime_error(file.string() + ": read error");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context.get(), digest, &size) != 1) throw std::runtime_error("MD5: digest failed");
  static const char kHexDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHexDigits[digest[i] >> 4];
    hex += kHexDigits[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace digitlab
