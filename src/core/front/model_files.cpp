#include <digitlab/model_files.h>

#include "front/engine.h"

namespace digitlab {

ModelEvaluation evaluate_model_file(const std::filesystem::path& path, const std::string& device, bool trusted,
                                    const Dataset& data, int64_t limit) {
  return engine().evaluate_model_file(path, device, trusted, data, limit);
}

ModelExport export_model_file(const std::filesystem::path& path, bool trusted, const std::filesystem::path& onnx,
                              const IdxDataset* calibration, int64_t count) {
  return engine().export_model_file(path, trusted, onnx, calibration, count);
}

}  // namespace digitlab
