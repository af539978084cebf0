// Compiled instead of onnx_export.cpp when the build has no libonnx (e.g. PyTorch's LibTorch on a
// GPU machine): exporting says so clearly instead of failing to link.
#include <digitlab/onnx_export.h>

#include <stdexcept>

namespace digitlab {

bool onnx_export_available() { return false; }

namespace {

[[noreturn]] void unavailable(const std::filesystem::path& path) {
  throw std::runtime_error("cannot write " + path.string() +
                           ": this DigitLab was built without ONNX support (install libonnx-dev and rebuild)");
}

}  // namespace

void export_onnx(const DigitNet&, const std::filesystem::path& path, std::optional<double>) { unavailable(path); }

void export_onnx_int8(const DigitNet&, const torch::Tensor&, const std::filesystem::path& path, std::optional<double>) {
  unavailable(path);
}

}  // namespace digitlab
