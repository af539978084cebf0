#pragma once
// digitlab-bench's int8 section (issue 16): the shipped model exported in float and in int8, both run by
// onnxruntime-node on the 10,000 MNIST test images, their accuracies and file sizes side by side.

#include <filesystem>
#include <string>

namespace digitlab::bench {

struct Int8CheckOptions {
  std::string node = "node";       ///< Node.js, which runs peer_ort_accuracy.mjs.
  int threads = 1;                 ///< onnxruntime's intra-op threads.
  std::filesystem::path data_dir;  ///< MNIST: training images calibrate, test images measure.
  std::filesystem::path folder;    ///< Where the two ONNX files are written (and removed by the caller).
};

/// The files run_int8_check() writes in its folder, for the caller to remove.
inline const char* const kInt8CheckFiles[] = {"/shipped.onnx", "/shipped-int8.onnx"};

/// Exports models/digitnet.pt both ways, runs both through onnxruntime-node and prints one table and whether
/// the int8 model met the goals (at most 0.1 points less accurate, at most a third of the size). Throws
/// std::runtime_error when MNIST, the model or the peer fails.
void run_int8_check(const Int8CheckOptions& o);

}  // namespace digitlab::bench
