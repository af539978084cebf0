#pragma once
// Evaluating and exporting a model file (`digitlab-cli eval` and `export`). Both run in DigitLab's LibTorch engine,
// which they load. Torch-free header.

#include <digitlab/confusion_matrix.h>
#include <digitlab/dataset.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace digitlab {

/// A model measured on a test set.
struct ModelEvaluation {
  ConfusionMatrix matrix{2};
  std::vector<std::string> class_names;
  std::string device;  ///< Description, e.g. "CPU (2 threads)".
};

/// Evaluates the TorchScript model in `path` (judged safe first unless `trusted`) on `data`'s test set, its first
/// `limit` images (0: all), on `device` ("cpu" or "cuda"). Throws std::runtime_error naming the file when it cannot
/// be loaded, returns something other than probabilities, or tells another number of classes apart than `data` has.
ModelEvaluation evaluate_model_file(const std::filesystem::path& path, const std::string& device, bool trusted,
                                    const Dataset& data, int64_t limit);

/// Training images an int8 export calibrates its activation ranges on, unless told otherwise (with the shipped model,
/// 500, 3,000, 10,000 and 60,000 all give the same test accuracy).
constexpr int64_t kDefaultCalibrationImages = 3000;

/// An ONNX file written from a model file.
struct ModelExport {
  int64_t classes = 0;
  int64_t calibration_images = 0;  ///< 0 for a float model.
};

/// Writes the ONNX twin of the DigitLab model in `path` to `onnx`: float, or, with `calibration`, int8 (QDQ) with
/// activation ranges from its first `count` images (at most all of them). Throws std::runtime_error naming the file
/// when it is not a DigitLab DigitNet or cannot be written.
ModelExport export_model_file(const std::filesystem::path& path, bool trusted, const std::filesystem::path& onnx,
                              const IdxDataset* calibration = nullptr, int64_t count = 0);

}  // namespace digitlab
