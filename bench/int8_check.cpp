#include "int8_check.h"

#include <digitlab/evaluator.h>
#include <digitlab/mnist.h>
#include <digitlab/onnx_export.h>
#include <digitlab/torchscript.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include <sys/stat.h>

namespace digitlab::bench {
namespace {

/// The string as one shell word.
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// Size of a file in bytes, by stat() rather than std::filesystem (see make_run_folder in digitlab_bench.cpp).
double file_bytes(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot read the size of " + path.string());
  return static_cast<double>(st.st_size);
}

std::filesystem::path mnist_file(const std::filesystem::path& dir, const std::string& name) {
  const auto path = find_mnist_file(dir, name);
  if (!path) throw std::runtime_error("no " + name + " in " + dir.string());
  return *path;
}

/// onnxruntime-node's accuracy on the MNIST test set for one ONNX file: the peer's JSON.
nlohmann::json ort_accuracy(const Int8CheckOptions& o, const std::filesystem::path& onnx) {
  const std::string cmd = quoted(o.node) + " " + quoted(DIGITLAB_BENCH_ORT_ACCURACY_PEER) + " --threads " +
                          std::to_string(o.threads) + " --model " + quoted(onnx.string()) + " --images " +
                          quoted(mnist_file(o.data_dir, "t10k-images-idx3-ubyte").string()) + " --labels " +
                          quoted(mnist_file(o.data_dir, "t10k-labels-idx1-ubyte").string());
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out += buf.data();
  if (pclose(pipe.release()) != 0) throw std::runtime_error("the onnxruntime-node accuracy peer failed (" + cmd + ")");
  return nlohmann::json::parse(out);
}

/// Writes the float and the int8 export of the shipped model; returns the calibration image count.
int64_t export_both(const Int8CheckOptions& o, const std::filesystem::path& float_onnx,
                    const std::filesystem::path& int8_onnx) {
  const std::filesystem::path shipped = std::filesystem::path(DIGITLAB_BENCH_SOURCE_DIR) / "models/digitnet.pt";
  const LoadedModel model = load_torchscript(shipped);
  const DigitNet net = to_digitnet(model, shipped);
  const auto train = load_mnist(o.data_dir).train;
  const auto images = images_tensor(train, 0, kDefaultCalibrationImages).to(torch::kFloat).div_(255.0);
  export_onnx(net, float_onnx, model.test_accuracy);
  export_onnx_int8(net, images, int8_onnx, model.test_accuracy);
  return images.size(0);
}

void print_row(const char* name, const std::filesystem::path& onnx, const nlohmann::json& peer) {
  std::printf("%-30s %12.1f %12.2f%% %10lld %16.0f\n", name, file_bytes(onnx) / 1000.0,
              peer.at("accuracy").get<double>() * 100, peer.at("correct").get<long long>(),
              peer.at("images_per_second").get<double>());
}

}  // namespace

void run_int8_check(const Int8CheckOptions& o) {
  const auto float_onnx = o.folder / std::string(kInt8CheckFiles[0]).substr(1);
  const auto int8_onnx = o.folder / std::string(kInt8CheckFiles[1]).substr(1);
  const int64_t calibration = export_both(o, float_onnx, int8_onnx);
  const auto float_peer = ort_accuracy(o, float_onnx);
  const auto int8_peer = ort_accuracy(o, int8_onnx);
  std::printf(
      "\nThe shipped model on the 10,000 MNIST test images, %s, %d thread(s); int8 calibrated on %lld "
      "training images\n",
      float_peer.at("runtime").get<std::string>().c_str(), o.threads, static_cast<long long>(calibration));
  std::printf("%-30s %12s %13s %10s %16s\n", "", "size (kB)", "accuracy", "correct", "images/s");
  print_row("float ONNX (export)", float_onnx, float_peer);
  print_row("int8 QDQ ONNX (export --int8)", int8_onnx, int8_peer);
  const double drop = (float_peer.at("accuracy").get<double>() - int8_peer.at("accuracy").get<double>()) * 100;
  const double size = file_bytes(int8_onnx) / file_bytes(float_onnx);
  std::printf(
      "int8 / float: %.2f points less accurate (goal: at most 0.10), %.3f of the size (goal: at most 0.333): %s\n",
      drop, size, drop <= 0.1 + 1e-9 && size <= 1.0 / 3.0 ? "goals met" : "GOAL MISSED");
}

}  // namespace digitlab::bench
