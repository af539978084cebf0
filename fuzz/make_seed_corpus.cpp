// Writes the fuzzer's seed corpus: small valid images of every accepted kind, drawn here (no third-party files).
//
//   make_seed_corpus OUT_DIR
//
// Build: g++ -std=c++17 -Iinclude -Itests fuzz/make_seed_corpus.cpp tests/image_fixtures.cpp
//        src/core/gray_image.cpp -lstb -lz -o /tmp/make_seed_corpus

#include "image_fixtures.h"

#include <digitlab/gray_image.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

using digitlab::GrayImage;
namespace fx = digitlab::testing;

void write(const std::filesystem::path& dir, const std::string& name, const std::vector<uint8_t>& bytes) {
  std::ofstream out(dir / name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error((dir / name).string() + ": cannot write");
}

std::vector<uint8_t> with_channels(const std::vector<uint8_t>& grey, int channels, uint8_t alpha_threshold) {
  std::vector<uint8_t> out;
  for (uint8_t v : grey) {
    if (channels == 2) out.insert(out.end(), {255, static_cast<uint8_t>(v < alpha_threshold ? 255 : 0)});
    if (channels == 3) out.insert(out.end(), {v, static_cast<uint8_t>(v / 2 + 60), v});
    if (channels == 4) out.insert(out.end(), {v, v, v, static_cast<uint8_t>(v < alpha_threshold ? 255 : 0)});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_seed_corpus OUT_DIR\n";
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    GrayImage paper(24, 24, 0.9f);
    fx::draw_two(paper, 4, 3, 18, 2.5f, 0.1f);
    const std::vector<uint8_t> grey = fx::to_samples(paper);
    write(dir, "grey.png", fx::encode_png(24, 24, 1, grey));
    write(dir, "grey_alpha.png", fx::encode_png(24, 24, 2, with_channels(grey, 2, 128)));
    write(dir, "rgb.png", fx::encode_png(24, 24, 3, with_channels(grey, 3, 0)));
    write(dir, "rgba.png", fx::encode_png(24, 24, 4, with_channels(grey, 4, 128)));
    std::vector<uint16_t> deep;
    for (uint8_t v : grey) deep.push_back(static_cast<uint16_t>(v * 257));
    write(dir, "grey16.png", fx::encode_png16(24, 24, deep));
    std::vector<uint8_t> indices;
    for (uint8_t v : grey) indices.push_back(v < 128 ? 1 : 0);
    write(dir, "palette.png", fx::encode_png_palette(24, 24, {{240, 230, 200}, {20, 20, 120}}, indices));
    write(dir, "rgb.bmp", fx::encode_bmp(24, 24, with_channels(grey, 3, 0)));
    write(dir, "grey.gif", fx::encode_gif(24, 24, grey));
    write(dir, "grey.tga", fx::encode_tga(24, 24, 1, grey));
    write(dir, "rgb.jpg", fx::encode_jpeg(24, 24, 3, with_channels(grey, 3, 0)));
    write(dir, "exif6_mm.jpg", fx::encode_jpeg(24, 24, 1, grey, 6, true));
    write(dir, "exif3_ii.jpg", fx::encode_jpeg(24, 24, 1, grey, 3, false));
    GrayImage canvas(40, 32, 0.0f);  // light on dark, two digits
    fx::draw_zero(canvas, 2, 4, 22, 3.0f, 1.0f);
    fx::draw_two(canvas, 20, 5, 20, 3.0f, 1.0f);
    write(dir, "canvas.png", fx::encode_png(40, 32, 1, fx::to_samples(canvas)));
    std::cout << "wrote the seed corpus to " << dir << '\n';
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  return 0;
}
