#include <digitlab/idx_dataset.h>

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_helpers.h"

#ifndef DIGITLAB_MNIST_DIR
#error "DIGITLAB_MNIST_DIR must name the folder holding the MNIST .gz files"
#endif

namespace fs = std::filesystem;
using digitlab::IdxDataset;

namespace {

using digitlab::testing::TempDir;
using digitlab::testing::write_gz;
using digitlab::testing::write_raw;

// Three 28x28 images with distinct pixels and their labels.
constexpr uint32_t kCount = 3;
constexpr uint32_t kSide = 28;

std::vector<uint8_t> sample_pixels(uint32_t count = kCount, uint32_t rows = kSide, uint32_t cols = kSide) {
  std::vector<uint8_t> pixels(size_t{count} * rows * cols);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 31 % 256);
  return pixels;
}

const std::vector<uint8_t> kLabels = {7, 0, 9};

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string be32(std::initializer_list<uint32_t> values) {
  std::string out;
  for (uint32_t v : values) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
  }
  return out;
}

std::string load_error(const fs::path& images, const fs::path& labels) {
  try {
    IdxDataset::load(images, labels);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

// Expects the message to name `file` and to contain every one of `words`.
void expect_mentions(const std::string& message, const fs::path& file, std::initializer_list<const char*> words) {
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  for (const char* word : words) EXPECT_NE(message.find(word), std::string::npos) << "'" << word << "' in " << message;
}

// Address space this process has mapped, in bytes (VmSize in /proc/self/status).
size_t mapped_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  size_t kib = 0;
  while (status >> key) {
    if (key == "VmSize:" && status >> kib) return kib * 1024;
    status.ignore(1 << 10, '\n');
  }
  return 0;
}

// Runs `f` with at most `budget` bytes of address space beyond what is mapped now (RLIMIT_AS); returns "" if it
// ran within it, else what it threw.
std::string run_within(size_t budget, const std::function<void()>& f) {
  rlimit before{};
  getrlimit(RLIMIT_AS, &before);
  rlimit limited = before;
  limited.rlim_cur = mapped_bytes() + budget;
  if (setrlimit(RLIMIT_AS, &limited) != 0) return "setrlimit failed";
  std::string outcome;
  try {
    f();
  } catch (const std::bad_alloc&) {
    outcome = "bad_alloc: more than the budget was allocated";
  } catch (const std::exception& e) {
    outcome = e.what();
  }
  setrlimit(RLIMIT_AS, &before);
  return outcome;
}

// A valid pair of files in a temp folder that each test can then spoil.
class IdxFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    digitlab::write_idx_images(images_, sample_pixels(), kCount, kSide, kSide, false);
    digitlab::write_idx_labels(labels_, kLabels, false);
  }
  TempDir dir_;
  const fs::path images_ = dir_.path() / "images-idx3-ubyte";
  const fs::path labels_ = dir_.path() / "labels-idx1-ubyte";
};

}  // namespace

TEST(IdxDataset, RoundTripsRawAndGzip) {
  TempDir dir;
  for (const bool gzip : {false, true}) {
    const fs::path images = dir.path() / (gzip ? "images.gz" : "images");
    const fs::path labels = dir.path() / (gzip ? "labels.gz" : "labels");
    digitlab::write_idx_images(images, sample_pixels(), kCount, kSide, kSide, gzip);
    digitlab::write_idx_labels(labels, kLabels, gzip);
    EXPECT_EQ(read_all(images).substr(0, 2) == "\x1f\x8b", gzip);
    const IdxDataset data = IdxDataset::load(images, labels);
    EXPECT_EQ(data.size(), kCount);
    EXPECT_EQ(data.rows(), 28);
    EXPECT_EQ(data.cols(), 28);
    EXPECT_EQ(data.pixels(), sample_pixels());
    EXPECT_EQ(data.labels(), kLabels);
  }
}

TEST(IdxDataset, HeadTakesLeadingItems) {
  const IdxDataset data(sample_pixels(), kLabels, 28, 28);
  const IdxDataset first = data.head(2);
  EXPECT_EQ(first.size(), 2u);
  EXPECT_EQ(first.labels(), (std::vector<uint8_t>{7, 0}));
  const std::vector<uint8_t> all = sample_pixels();
  EXPECT_EQ(first.pixels(), std::vector<uint8_t>(all.begin(), all.begin() + 2 * 28 * 28));
  EXPECT_EQ(data.head(10).size(), kCount);
  EXPECT_EQ(data.head(0).size(), 0u);
}

TEST(IdxDataset, ConstructorRejectsInconsistentSizes) {
  EXPECT_THROW(IdxDataset(sample_pixels(), {7, 0}, 28, 28), std::runtime_error);
  EXPECT_THROW(IdxDataset({}, {}, 0, 28), std::runtime_error);
  EXPECT_THROW(IdxDataset(std::vector<uint8_t>(4), {10}, 2, 2), std::runtime_error);
}

TEST_F(IdxFiles, RejectsBadMagicInImages) {
  expect_mentions(load_error(labels_, labels_), labels_, {"bad magic number 2049", "expected 2051", "images"});
}

TEST_F(IdxFiles, RejectsBadMagicInLabels) {
  expect_mentions(load_error(images_, images_), images_, {"bad magic number 2051", "expected 2049", "labels"});
}

TEST_F(IdxFiles, RejectsWrongImageSize) {
  digitlab::write_idx_images(images_, sample_pixels(kCount, 27, 28), kCount, 27, 28, false);
  expect_mentions(load_error(images_, labels_), images_, {"27x28", "expected 28x28"});
}

TEST_F(IdxFiles, RejectsCountMismatch) {
  digitlab::write_idx_labels(labels_, {7, 0}, false);
  const std::string message = load_error(images_, labels_);
  expect_mentions(message, images_, {"3", "2", "does not match"});
  expect_mentions(message, labels_, {});
}

TEST_F(IdxFiles, RejectsTruncatedImageData) {
  const std::string whole = read_all(images_);
  write_raw(images_, whole.substr(0, whole.size() - 100));
  expect_mentions(load_error(images_, labels_), images_,
                  {"truncated", "expected 2352 bytes of image data, found 2252"});
}

TEST_F(IdxFiles, RejectsTruncatedGzipImageData) {
  const fs::path gz = dir_.path() / "images.gz";
  const std::string whole = read_all(images_);
  write_gz(gz, whole.substr(0, whole.size() - 100));
  expect_mentions(load_error(gz, labels_), gz, {"truncated", "expected 2352 bytes of image data, found 2252"});
}

TEST_F(IdxFiles, RejectsTruncatedLabels) {
  write_raw(labels_, be32({2049, kCount}) + "\x07");
  expect_mentions(load_error(images_, labels_), labels_, {"truncated", "expected 3 bytes of label data, found 1"});
}

TEST_F(IdxFiles, RejectsTruncatedHeader) {
  write_raw(images_, be32({2051, kCount, kSide}));
  expect_mentions(load_error(images_, labels_), images_, {"truncated", "16-byte header", "found 12 bytes"});
  write_raw(images_, "");
  expect_mentions(load_error(images_, labels_), images_, {"truncated", "found 0 bytes"});
}

TEST_F(IdxFiles, RejectsCorruptGzip) {
  const fs::path gz = dir_.path() / "images.gz";
  write_raw(gz, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + std::string(64, '\xff'));
  expect_mentions(load_error(gz, labels_), gz, {"corrupt gzip data"});
}

TEST_F(IdxFiles, RejectsGzipWithBadChecksum) {
  const fs::path gz = dir_.path() / "images.gz";
  write_gz(gz, read_all(images_));
  std::string bytes = read_all(gz);
  bytes[bytes.size() - 8] ^= 0x55;  // the CRC-32 in the trailer
  write_raw(gz, bytes);
  expect_mentions(load_error(gz, labels_), gz, {"corrupt gzip data"});
}

TEST_F(IdxFiles, RejectsGzipWithoutTrailer) {
  const fs::path gz = dir_.path() / "images.gz";
  write_gz(gz, read_all(images_));
  const std::string bytes = read_all(gz);
  write_raw(gz, bytes.substr(0, bytes.size() - 8));  // all the data, but no CRC-32 and length to verify it
  expect_mentions(load_error(gz, labels_), gz, {"truncated gzip data"});
}

TEST_F(IdxFiles, RejectsMissingFile) {
  const fs::path missing = dir_.path() / "nowhere-idx1-ubyte.gz";
  expect_mentions(load_error(images_, missing), missing, {"cannot open", "No such file"});
}

TEST_F(IdxFiles, RejectsLabelAboveNine) {
  digitlab::write_idx_labels(labels_, {7, 12, 3}, false);
  expect_mentions(load_error(images_, labels_), labels_, {"label 12 at index 1", "0..9"});
}

TEST_F(IdxFiles, IgnoresTrailingData) {
  write_raw(labels_, read_all(labels_) + "extra");
  EXPECT_EQ(IdxDataset::load(images_, labels_).labels(), kLabels);
}

TEST(IdxDataset, LoadsRealMnist) {
  const fs::path dir = DIGITLAB_MNIST_DIR;
  const IdxDataset test = IdxDataset::load(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(test.size(), 10000u);
  EXPECT_EQ(test.rows(), 28);
  EXPECT_EQ(test.cols(), 28);
  EXPECT_EQ(test.pixels().size(), 10000u * 28 * 28);
  EXPECT_EQ(test.labels()[0], 7);
}

TEST_F(IdxFiles, RejectsEmptySet) {
  digitlab::write_idx_images(images_, {}, 0, kSide, kSide, false);
  digitlab::write_idx_labels(labels_, {}, false);
  expect_mentions(load_error(images_, labels_), images_, {"no images"});
}

TEST_F(IdxFiles, ClaimOfMillionsAllocatesNothingBeforeTheDataArrives) {
  // Headers claiming 2 million images, followed by 1000.
  constexpr uint32_t kClaimed = 2'000'000, kPresent = 1000;
  const fs::path gz_images = dir_.path() / "images.gz", gz_labels = dir_.path() / "labels.gz";
  write_gz(gz_images, be32({2051, kClaimed, kSide, kSide}) + std::string(size_t{kPresent} * kSide * kSide, '\0'));
  write_gz(gz_labels, be32({2049, kClaimed}) + std::string(kPresent, '\0'));
  // 64 MB of headroom: far below the 1.5 GB the header claims, and above what glibc may reserve for its heap.
  const std::string outcome = run_within(size_t{64} << 20, [&] { IdxDataset::load(gz_images, gz_labels); });
  expect_mentions(outcome, gz_images, {"truncated", "expected 1568000000 bytes of image data, found 784000"});
}

TEST_F(IdxFiles, LargeSetIsAllocatedOnceAtItsSize) {
  // 70 MB of pixels, compressed to a few hundred KB: read in one allocation of its size, not in doubling steps.
  constexpr uint32_t kImages = 90'000;
  const size_t pixel_bytes = size_t{kImages} * kSide * kSide;
  const fs::path gz_images = dir_.path() / "images.gz", gz_labels = dir_.path() / "labels.gz";
  write_gz(gz_images, be32({2051, kImages, kSide, kSide}) + std::string(pixel_bytes, '\0'));
  write_gz(gz_labels, be32({2049, kImages}) + std::string(kImages, '\3'));
  size_t loaded = 0;
  const std::string outcome =
      run_within(pixel_bytes + pixel_bytes / 4, [&] { loaded = IdxDataset::load(gz_images, gz_labels).size(); });
  EXPECT_EQ(outcome, "");
  EXPECT_EQ(loaded, kImages);
}
