#include "labelled_images.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace digitlab::testing {

std::vector<LabelledImage> labelled_images(const std::filesystem::path& dir) {
  const std::filesystem::path csv_path = dir / "labels.csv";
  std::ifstream csv(csv_path);
  if (!csv) throw std::runtime_error(csv_path.string() + ": cannot be read");
  std::string line;
  std::getline(csv, line);  // header
  std::vector<LabelledImage> images;
  for (int row = 2; std::getline(csv, line); ++row) {
    std::istringstream fields(line);
    LabelledImage image;
    std::getline(fields, image.file, ',');
    std::getline(fields, image.label, ',');
    if (image.file.empty() || image.label.empty()) {
      throw std::runtime_error(csv_path.string() + ": row " + std::to_string(row) + " has no file and label");
    }
    image.path = dir / "images" / image.file;
    images.push_back(std::move(image));
  }
  return images;
}

}  // namespace digitlab::testing
