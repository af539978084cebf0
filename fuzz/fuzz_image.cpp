// libFuzzer target: arbitrary bytes through the image decoder and the preprocessing pipeline. A decoder must
// either return an image or throw std::runtime_error; preprocess() must never throw or crash, whatever the pixels.
//
//   CXX=clang++ cmake -S . -B build-fuzz -DDIGITLAB_FUZZ=ON -DDIGITLAB_GUI=OFF -DDIGITLAB_TESTS=OFF
//   cmake --build build-fuzz --target fuzz_image make_seed_corpus   (digitlab_image is instrumented too)
//   build-fuzz/fuzz/fuzz_image -max_total_time=600 CORPUS_DIR   (seeds: fuzz/make_seed_corpus.cpp)
//
// Each input is used three ways: as an image file; as 8-bit pixels (the first two bytes pick the width);
// as 32-bit floats (NaN, infinities and values outside [0, 1] included).

#include <digitlab/image_loader.h>
#include <digitlab/preprocessor.h>

#include "image/container_checks.h"

#include <stb/stb_image.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace {

// Images the decoder accepts may be up to 50 megapixels; decoding those would only slow the fuzzer down.
constexpr int64_t kFuzzMaxPixels = 4'000'000;

void run_pipeline(const digitlab::GrayImage& image, bool multi, digitlab::InkPolarity polarity) {
  digitlab::PreprocessOptions options;
  options.polarity = polarity;
  digitlab::preprocess(image, options);
  if (multi) digitlab::preprocess_multi(image, options);
}

/// True when stb says the image is larger than the fuzzer should decode. The header is judged first, as
/// decode_image() does, because stb's own header parsing is what some hostile files attack.
bool too_large_to_fuzz(const uint8_t* data, size_t size) {
  const char* format = digitlab::detail::sniff_format(data, size);
  if (format == nullptr || size >= static_cast<size_t>(INT_MAX)) return false;
  try {
    digitlab::detail::check_header(data, size, format, "fuzz");
  } catch (const std::runtime_error&) {
    return false;  // decode_image() refuses it the same way
  }
  int width = 0, height = 0, channels = 0;
  return stbi_info_from_memory(data, static_cast<int>(size), &width, &height, &channels) &&
         int64_t{width} * height > kFuzzMaxPixels;
}

void as_file(const uint8_t* data, size_t size) {
  if (too_large_to_fuzz(data, size)) return;
  digitlab::read_exif_orientation(data, size);
  try {
    run_pipeline(digitlab::decode_image(data, size, "fuzz"), true, digitlab::InkPolarity::kAuto);
  } catch (const std::runtime_error&) {
    // Rejected with a message: the expected outcome for most inputs.
  }
}

void as_pixels(const uint8_t* data, size_t size) {
  if (size < 3) return;
  const int width = 1 + ((data[0] << 8 | data[1]) % 512);
  const size_t pixels = size - 2;
  const int height = static_cast<int>(pixels / static_cast<size_t>(width));
  if (height == 0) return;
  run_pipeline(digitlab::GrayImage::from_u8(width, height, data + 2), true, digitlab::InkPolarity::kAuto);
}

void as_floats(const uint8_t* data, size_t size) {
  if (size < 8) return;
  const int width = 1 + data[0] % 64;
  const size_t count = (size - 1) / sizeof(float);
  const int height = static_cast<int>(count / static_cast<size_t>(width));
  if (height == 0) return;
  std::vector<float> values(static_cast<size_t>(width) * height);
  std::memcpy(values.data(), data + 1, values.size() * sizeof(float));
  run_pipeline(digitlab::GrayImage(width, height, std::move(values)), false,
               data[0] & 0x80 ? digitlab::InkPolarity::kLightOnDark : digitlab::InkPolarity::kDarkOnLight);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  as_file(data, size);
  as_pixels(data, size);
  as_floats(data, size);
  return 0;
}
