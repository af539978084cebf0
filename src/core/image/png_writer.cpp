#include <digitlab/png_writer.h>

#include "util/atomic_write.h"

#include <stb/stb_image_write.h>

#include <stdexcept>
#include <string>

namespace digitlab {

void write_png(const std::filesystem::path& path, int width, int height, int channels, const uint8_t* samples) {
  if (width <= 0 || height <= 0 || channels < 1 || channels > 4 || samples == nullptr) {
    throw std::invalid_argument("cannot write " + path.string() + ": not a whole picture (" + std::to_string(width) +
                                "x" + std::to_string(height) + ", " + std::to_string(channels) + " channels)");
  }
  std::string bytes;
  const auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  if (!stbi_write_png_to_func(append, &bytes, width, height, channels, samples, width * channels)) {
    throw std::runtime_error("cannot write " + path.string() + ": PNG encoding failed");
  }
  write_text_atomically(path, bytes);
}

void write_png(const std::filesystem::path& path, const GrayImage& image) {
  const std::vector<uint8_t> samples = image.to_u8();
  write_png(path, image.width(), image.height(), 1, samples.data());
}

}  // namespace digitlab
