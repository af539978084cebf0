// Real photos, scans and drawings of single digits (../shared/datasets/realworld-digits, none from
// MNIST) through the same loading, preprocessing and model a user's upload goes through.
#include <digitlab/image_loader.h>
#include <digitlab/predictor.h>
#include <digitlab/preprocessor.h>

#include <gtest/gtest.h>

#include "labelled_images.h"

#include <string>

namespace digitlab {
namespace {

/// Accuracy measured with the shipped model when this test was last updated; it must not fall.
constexpr double kMeasuredAccuracy = DIGITLAB_REALWORLD_ACCURACY;

TEST(RealWorldImages, ShippedModelReadsThemAsWellAsMeasured) {
  const Predictor predictor(std::filesystem::path(DIGITLAB_SOURCE_DIR) / "models/digitnet.pt");
  int total = 0;
  int correct = 0;
  std::string wrong;
  for (const testing::LabelledImage& image : testing::labelled_images(DIGITLAB_REALWORLD_DIR)) {
    const PreprocessResult r = preprocess(load_image(image.path));
    ++total;
    ASSERT_TRUE(r.found) << image.file << ": " << r.reason;
    const Prediction p = predictor.predict(r.input28.pixels());
    if (p.label == std::stoi(image.label)) {
      ++correct;
    } else {
      wrong += " " + image.file + "->" + std::to_string(p.label);
    }
  }
  EXPECT_EQ(total, 146);
  const double accuracy = static_cast<double>(correct) / total;
  EXPECT_GE(accuracy, kMeasuredAccuracy) << correct << "/" << total << " correct; wrong:" << wrong;
  std::printf("real-world accuracy: %d/%d = %.1f%%; wrong:%s\n", correct, total, accuracy * 100, wrong.c_str());
}

}  // namespace
}  // namespace digitlab
