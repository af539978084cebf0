#include "datasets/emnist.h"

#include "datasets/idx_files.h"

#include <digitlab/emnist_downloader.h>

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

constexpr long kMaxCodePoint = 0x10FFFF;

std::string utf8(long code) {
  std::string out;
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
  return out;
}

// EMNIST stores each image column by column: swap rows and columns to get MNIST's upright digits.
IdxDataset upright(IdxDataset data) {
  const int side = data.rows();
  std::vector<uint8_t> pixels(data.pixels().size());
  const uint8_t* in = data.pixels().data();
  const size_t image = static_cast<size_t>(side) * side;
  for (size_t n = 0; n < data.size(); ++n) {
    for (int r = 0; r < side; ++r) {
      for (int c = 0; c < side; ++c) pixels[n * image + r * side + c] = in[n * image + c * side + r];
    }
  }
  return IdxDataset(std::move(pixels), data.labels(), side, side, data.classes());
}

// Labels as the mapping numbers them -> 0..K-1 in the mapping's order; -1 for labels it lacks.
std::vector<uint8_t> renumbered(const std::vector<uint8_t>& labels, const std::array<int, kMaxClasses>& index,
                                const std::string& where) {
  std::vector<uint8_t> out(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    const int to = index[labels[i]];
    if (to < 0) {
      throw std::runtime_error(where + ": label " + std::to_string(labels[i]) + " at index " + std::to_string(i) +
                               " is not in the mapping file");
    }
    out[i] = static_cast<uint8_t>(to);
  }
  return out;
}

}  // namespace

EmnistMapping read_emnist_mapping(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open (EMNIST's label-to-character mapping)");
  EmnistMapping mapping;
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream fields(line);
    long label = -1, code = -1;
    if (!(fields >> label >> code) || label < 0 || label >= kMaxClasses || code <= 0x20 || code > kMaxCodePoint) {
      throw std::runtime_error(file.string() + ":" + std::to_string(line_number) +
                               ": expected \"label character-code...\" with a label 0..255, got \"" + line + "\"");
    }
    mapping.labels.push_back(static_cast<int>(label));
    mapping.names.push_back(utf8(code));
  }
  if (mapping.labels.size() < 2) throw std::runtime_error(file.string() + ": maps fewer than 2 labels");
  return mapping;
}

Dataset load_emnist(const fs::path& dir, const std::string& split) {
  // A missing file most likely means EMNIST was never fetched: say how to fetch it.
  if (const auto missing = EmnistDownloader::missing_files(dir, {split}); !missing.empty()) {
    throw std::runtime_error("EMNIST " + split + ": " + missing.front() + " not found in " + dir.string() +
                             "; to fetch EMNIST: digitlab-cli download --dataset emnist:" + dir.string());
  }
  const std::string prefix = "emnist-" + split + "-";
  const fs::path mapping_file = dir / (prefix + "mapping.txt");
  const EmnistMapping mapping = read_emnist_mapping(mapping_file);
  std::array<int, kMaxClasses> index;
  index.fill(-1);
  for (size_t i = 0; i < mapping.labels.size(); ++i) {
    if (index[mapping.labels[i]] >= 0) {
      throw std::runtime_error(mapping_file.string() + ": label " + std::to_string(mapping.labels[i]) +
                               " is mapped twice");
    }
    index[mapping.labels[i]] = static_cast<int>(i);
  }
  Dataset data = load_idx_files(dir, prefix, "EMNIST " + split);
  const int classes = static_cast<int>(mapping.names.size());
  auto train_labels = renumbered(data.train.labels(), index, (dir / (prefix + "train-labels-idx1-ubyte")).string());
  auto test_labels = renumbered(data.test.labels(), index, (dir / (prefix + "test-labels-idx1-ubyte")).string());
  data.train = upright(std::move(data.train).with_labels(std::move(train_labels), classes));
  data.test = upright(std::move(data.test).with_labels(std::move(test_labels), classes));
  data.class_names = mapping.names;
  return data;
}

}  // namespace digitlab
