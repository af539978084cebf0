#include <digitlab/mnist.h>
#include "data/sha256.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "test_helpers.h"

#ifndef DIGITLAB_MNIST_DIR
#error "DIGITLAB_MNIST_DIR must name the folder holding the MNIST .gz files"
#endif

namespace fs = std::filesystem;
using digitlab::Sha256;
using digitlab::sha256_of_content;

namespace {

using digitlab::testing::TempDir;
using digitlab::testing::write_gz;
using digitlab::testing::write_raw;

std::string error_of(const fs::path& file) {
  try {
    sha256_of_content(file);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256::hex_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256::hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256::hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MillionAsInOddChunks) {
  const std::string a(1000000, 'a');
  Sha256 hash;
  const size_t chunk_sizes[] = {1, 7, 63, 64, 65, 127, 1000, 3};
  size_t done = 0;
  for (size_t i = 0; done < a.size(); ++i) {
    const size_t n = std::min(chunk_sizes[i % 8], a.size() - done);
    hash.update(a.data() + done, n);
    done += n;
  }
  EXPECT_EQ(hash.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(hash.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_THROW(hash.update("a", 1), std::runtime_error);
}

TEST(Sha256, ContentHashIgnoresGzipWrapping) {
  TempDir dir;
  std::string bytes;
  for (int i = 0; i < 300000; ++i) bytes += static_cast<char>(i * 7 % 251);
  write_raw(dir.path() / "data", bytes);
  write_gz(dir.path() / "data.gz", bytes);
  EXPECT_EQ(sha256_of_content(dir.path() / "data"), Sha256::hex_of(bytes));
  EXPECT_EQ(sha256_of_content(dir.path() / "data.gz"), Sha256::hex_of(bytes));
}

TEST(Sha256, ContentHashRejectsBadFiles) {
  TempDir dir;
  const fs::path missing = dir.path() / "missing.gz";
  EXPECT_NE(error_of(missing).find(missing.string() + ": cannot open"), std::string::npos) << error_of(missing);

  const fs::path corrupt = dir.path() / "corrupt.gz";
  write_raw(corrupt, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + std::string(64, '\xff'));
  EXPECT_NE(error_of(corrupt).find(corrupt.string() + ": corrupt gzip data"), std::string::npos) << error_of(corrupt);

  const fs::path whole = dir.path() / "whole.gz";
  write_gz(whole, std::string(100000, 'z'));
  std::string gz_bytes;
  {
    std::ifstream in(whole, std::ios::binary);
    gz_bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const fs::path cut = dir.path() / "cut.gz";
  write_raw(cut, gz_bytes.substr(0, gz_bytes.size() - 4));  // drops the length field of the trailer
  EXPECT_NE(error_of(cut).find(cut.string() + ": truncated gzip data"), std::string::npos) << error_of(cut);
}

TEST(Sha256, RealMnistLabelsMatchKnownHash) {
  const fs::path file = fs::path(DIGITLAB_MNIST_DIR) / "t10k-labels-idx1-ubyte.gz";
  EXPECT_EQ(sha256_of_content(file), digitlab::mnist_files()[3].sha256);
  EXPECT_STREQ(digitlab::mnist_files()[3].name, "t10k-labels-idx1-ubyte");
}
