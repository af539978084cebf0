// Runs load_image() + preprocess() over a labelled image folder and writes every 28x28 input as one raw float32
// file, so that a model's accuracy on real images can be measured outside the app (tools/eval_preprocessed.py).
//
//   preprocess_dump DATASET OUT [--naive] [--stroke WIDTH] [--work SIDE]
//
// DATASET holds labels.csv ("file,label,..." with a header line) and images/. Writes OUT.f32 (N x 28 x 28
// float32, little-endian, white digit on black), OUT.csv (file,label,found,milliseconds) and OUT.png (the inputs
// side by side, 16 per row). --naive replaces preprocess() by the naive baseline: invert if the mean is
// bright, resize the whole image to 28x28 bilinearly. --stroke and --work set PreprocessOptions::min_stroke_width
// and ::work_max_side.

#include <digitlab/image_loader.h>
#include <digitlab/preprocessor.h>

#include <stb/stb_image_write.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using digitlab::GrayImage;
using digitlab::kInputSide;

struct Entry {
  std::string file;
  int label = -1;
};

std::vector<Entry> read_labels(const std::string& csv) {
  std::ifstream in(csv);
  if (!in) throw std::runtime_error(csv + ": cannot open");
  std::vector<Entry> entries;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const size_t first = line.find(',');
    if (first == std::string::npos) continue;
    const size_t second = line.find(',', first + 1);
    entries.push_back({line.substr(0, first), std::stoi(line.substr(first + 1, second - first - 1))});
  }
  return entries;
}

GrayImage naive_input(const GrayImage& image) {
  double mean = 0.0;
  for (float v : image.pixels()) mean += v;
  mean /= static_cast<double>(image.size());
  GrayImage out(kInputSide, kInputSide);
  for (int y = 0; y < kInputSide; ++y) {
    for (int x = 0; x < kInputSide; ++x) {
      const double sx = std::clamp((x + 0.5) * image.width() / kInputSide - 0.5, 0.0, image.width() - 1.0);
      const double sy = std::clamp((y + 0.5) * image.height() / kInputSide - 0.5, 0.0, image.height() - 1.0);
      const int x0 = static_cast<int>(sx), y0 = static_cast<int>(sy);
      const int x1 = std::min(x0 + 1, image.width() - 1), y1 = std::min(y0 + 1, image.height() - 1);
      const double fx = sx - x0, fy = sy - y0;
      const double v = (1 - fy) * ((1 - fx) * image.at(x0, y0) + fx * image.at(x1, y0)) +
                       fy * ((1 - fx) * image.at(x0, y1) + fx * image.at(x1, y1));
      out.at(x, y) = static_cast<float>(mean > 0.5 ? 1.0 - v : v);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: preprocess_dump DATASET OUT [--naive] [--stroke WIDTH] [--work SIDE]\n";
    return 2;
  }
  const std::string dataset = argv[1];
  const std::string out = argv[2];
  bool naive = false;
  digitlab::PreprocessOptions options;
  try {
    for (int i = 3; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--naive") {
        naive = true;
      } else if (arg == "--stroke" && i + 1 < argc) {
        options.min_stroke_width = std::stof(argv[++i]);
      } else if (arg == "--work" && i + 1 < argc) {
        options.work_max_side = std::stoi(argv[++i]);
      } else {
        throw std::runtime_error("unknown argument " + arg);
      }
    }
    const std::vector<Entry> entries = read_labels(dataset + "/labels.csv");
    std::vector<float> inputs;
    std::ofstream csv(out + ".csv");
    csv << "file,label,found,milliseconds\n";
    for (const Entry& e : entries) {
      const GrayImage image = digitlab::load_image(dataset + "/images/" + e.file);
      const auto start = std::chrono::steady_clock::now();
      GrayImage input(kInputSide, kInputSide);
      bool found = true;
      if (naive) {
        input = naive_input(image);
      } else {
        const digitlab::PreprocessResult r = digitlab::preprocess(image, options);
        found = r.found;
        if (found) input = r.input28;
      }
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      inputs.insert(inputs.end(), input.pixels().begin(), input.pixels().end());
      csv << e.file << ',' << e.label << ',' << found << ',' << ms << '\n';
    }
    std::ofstream raw(out + ".f32", std::ios::binary);
    raw.write(reinterpret_cast<const char*>(inputs.data()), static_cast<std::streamsize>(inputs.size() * 4));
    if (!raw || !csv) throw std::runtime_error(out + ": cannot write the outputs");

    // Contact sheet: 16 inputs per row.
    const int n = static_cast<int>(entries.size());
    const int columns = 16;
    const int rows = (n + columns - 1) / columns;
    std::vector<uint8_t> sheet(static_cast<size_t>(columns * kInputSide) * rows * kInputSide, 40);
    for (int i = 0; i < n; ++i) {
      for (int y = 0; y < kInputSide; ++y) {
        for (int x = 0; x < kInputSide; ++x) {
          const float v = inputs[(static_cast<size_t>(i) * kInputSide + y) * kInputSide + x];
          const size_t px = static_cast<size_t>(i % columns) * kInputSide + x;
          const size_t py = static_cast<size_t>(i / columns) * kInputSide + y;
          sheet[py * columns * kInputSide + px] = static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255));
        }
      }
    }
    stbi_write_png((out + ".png").c_str(), columns * kInputSide, rows * kInputSide, 1, sheet.data(),
                   columns * kInputSide);
    std::cout << "wrote " << n << " inputs to " << out << ".f32\n";
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  return 0;
}
