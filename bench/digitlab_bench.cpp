// digitlab-bench: DigitLab's C++ trainer and inference beside the same model in Python
// (Debian's python3-torch: same LibTorch, same thread count, same BLAS), and its inference beside
// the same weights exported to ONNX and run by onnxruntime-node and OpenCV dnn, in one run.
#include <digitlab/digit_net.h>
#include <digitlab/digit_reader.h>
#include <digitlab/explainer.h>
#include <digitlab/image_loader.h>
#include <digitlab/mnist.h>
#include <digitlab/onnx_export.h>
#include <digitlab/predictor.h>
#include <digitlab/runtime.h>
#include <digitlab/torchscript.h>

#include "int8_check.h"
#include "runtime/freed_memory.h"

#include <nlohmann/json.hpp>

#ifdef DIGITLAB_BENCH_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int threads = 0;
  int steps = 30;
  int rounds = 3;
  int batch = 128;
  int latency_runs = 500;
  int big_batch = 1000;
  std::string python = "/usr/bin/python3";
  std::string node = "node";
  bool peer = true;
  bool ort = true;
  bool opencv = true;
  bool int8 = true;
  bool explain = true;
  int explain_runs = 50;
  bool number = true;  ///< Time reading a number from a 12 MP photo.
  int number_runs = 20;
  std::string data;  ///< MNIST for the int8 section; empty: DigitLab's default folder.
};

/// Batch calls timed per runtime; throughput is the batch size over the median call, so that a burst of load
/// from elsewhere skews one call rather than the figure. The peers do the same.
constexpr int kBatchRounds = 7;
/// Largest difference in a probability at which two runtimes count as running the same model.
constexpr double kSameModelTolerance = 1e-3;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// A new folder for this run's model files, so that two benchmarks never share them. POSIX calls rather
/// than std::filesystem, whose calls PyTorch 2.x wheels can capture (see the README's CUDA section).
std::string make_run_folder() {
  const char* tmp = std::getenv("TMPDIR");
  const std::string parent = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  std::string pattern = parent + "/digitlab-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a folder in " + parent + " for the model files: " + std::strerror(errno));
  }
  return pattern;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double train_images_per_second(const Options& o) {
  const digitlab::KeepFreedMemory keep_freed_memory;  // as the trainer does for a run
  torch::manual_seed(0);
  digitlab::DigitNet net;
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  const auto x = torch::rand({o.batch, 1, 28, 28});
  const auto y = torch::randint(0, 10, {o.batch}, torch::kLong);
  net->train();
  const auto step = [&] {
    const auto loss = torch::nn::functional::cross_entropy(net->forward(x), y) + net->l2_penalty();
    opt.zero_grad();
    loss.backward();
    opt.step();
  };
  for (int i = 0; i < 5; ++i) step();
  const auto start = Clock::now();
  for (int i = 0; i < o.steps; ++i) step();
  return o.steps * o.batch / seconds_since(start);
}

struct InferenceFigures {
  double latency_ms = 0;
  double batch_images_per_second = 0;
  std::vector<double> probabilities;  ///< For the single image, to check every runtime runs the same model.
};

/// The single image every runtime is timed on: a horizontal gradient.
std::vector<float> latency_image() {
  std::vector<float> one(digitlab::kInputPixels, 0.0f);
  for (size_t i = 0; i < one.size(); ++i) one[i] = static_cast<float>(i % 28) / 27.0f;
  return one;
}

/// The median time, in seconds, of `calls` calls of run: a burst of load from elsewhere skews one call
/// rather than the figure.
double median_seconds(int calls, const std::function<void()>& run) {
  std::vector<double> times;
  for (int i = 0; i < calls; ++i) {
    const auto start = Clock::now();
    run();
    times.push_back(seconds_since(start));
  }
  return median(times);
}

/// Inference through DigitLab's Predictor (its DigitNet fast path) on a freshly saved model.
InferenceFigures inference(const Options& o, const std::filesystem::path& model) {
  const digitlab::Predictor predictor(model);
  const std::vector<float> one = latency_image();
  for (int i = 0; i < 50; ++i) predictor.predict(one);
  InferenceFigures f;
  f.latency_ms = median_seconds(o.latency_runs, [&] { predictor.predict(one); }) * 1000;
  const auto p = predictor.predict(one).probabilities;
  f.probabilities.assign(p.begin(), p.end());
  const std::vector<float> batch(static_cast<size_t>(o.big_batch) * digitlab::kInputPixels, 0.5f);
  predictor.predict_batch(batch, o.big_batch);
  f.batch_images_per_second =
      o.big_batch / median_seconds(kBatchRounds, [&] { predictor.predict_batch(batch, o.big_batch); });
  return f;
}

/// The inputs the explanation timings cycle through: the first 50 MNIST test images (occlusion's work grows with the
/// ink, and these have as much as MNIST digits have), or, without MNIST, an 8 of two soft rings (more ink: 240 pixels).
std::vector<std::vector<float>> explained_digits(const Options& o) {
  try {
    const auto test =
        digitlab::load_mnist(o.data.empty() ? digitlab::default_data_dir() : std::filesystem::path(o.data)).test;
    std::vector<std::vector<float>> digits;
    for (size_t i = 0; i < std::min<size_t>(50, test.size()); ++i) {
      const auto* first = test.pixels().data() + i * digitlab::kInputPixels;
      digits.emplace_back(first, first + digitlab::kInputPixels);
      for (float& v : digits.back()) v /= 255.0f;
    }
    return digits;
  } catch (const std::exception&) {
    std::vector<float> eight(digitlab::kInputPixels, 0.0f);
    for (int y = 0; y < digitlab::kInputSide; ++y) {
      for (int x = 0; x < digitlab::kInputSide; ++x) {
        const double top = std::hypot(x - 13.5, y - 8.5), bottom = std::hypot(x - 13.5, y - 18.5);
        const double from_stroke = std::min(std::abs(top - 4.5), std::abs(bottom - 5.0));
        eight[static_cast<size_t>(y) * digitlab::kInputSide + x] =
            static_cast<float>(std::clamp(2.0 - from_stroke, 0.0, 1.0));
      }
    }
    return {eight};
  }
}

/// Time of one explanation per method (issue 14: Grad-CAM <= 5 ms, occlusion <= 50 ms on the CPU): the median wall
/// time, and the process's CPU time per call, which a shared machine's load does not inflate.
void explanation_timings(const Options& o, const std::filesystem::path& model) {
  const digitlab::Explainer explainer(std::make_shared<const digitlab::Predictor>(model));
  const auto digits = explained_digits(o);
  std::printf("\nExplaining one image (%zu images in turn; median wall time of %d calls, CPU time per call):\n",
              digits.size(), o.explain_runs);
  for (const auto method :
       {digitlab::ExplainMethod::kGradCam, digitlab::ExplainMethod::kSmoothGrad, digitlab::ExplainMethod::kOcclusion}) {
    digitlab::ExplainRequest request;
    request.method = method;
    size_t next = 0;
    const auto explain_next = [&] { explainer.explain(digits[next++ % digits.size()], request); };
    for (int i = 0; i < 5; ++i) explain_next();
    const std::clock_t cpu_start = std::clock();
    const double ms = median_seconds(o.explain_runs, explain_next) * 1000;
    const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC / o.explain_runs;
    std::printf("  %-10s %8.2f ms  (CPU %.2f ms)\n", digitlab::method_name(method).c_str(), ms, cpu_ms);
  }
}

/// Reading a number from a 12-megapixel photo, after decoding (issue 17: at most 30 ms): the shipped model on the
/// development set's 8-digit photo; the median wall time, and the CPU time per call, which a shared machine's load
/// does not inflate (but OpenMP threads spinning while they wait for a core do).
void number_timing(const Options& o) {
  const std::filesystem::path source = DIGITLAB_BENCH_SOURCE_DIR;
  const std::filesystem::path photo =
      source.parent_path() / "shared/datasets/realworld-numbers/images/muztagh_IMG_1703.jpg";
  if (!std::filesystem::exists(photo)) {
    std::printf("\nReading a number from a 12 MP photo: skipped (%s not found)\n", photo.c_str());
    return;
  }
  const digitlab::Predictor predictor(source / "models/digitnet.pt");
  const digitlab::GrayImage image = digitlab::load_image(photo);
  digitlab::ReadOptions number;
  number.number = true;
  std::string text;
  for (int i = 0; i < 3; ++i) text = digitlab::read_digits(predictor, image, number).text();
  const std::clock_t cpu_start = std::clock();
  const double ms = median_seconds(o.number_runs, [&] { digitlab::read_digits(predictor, image, number); }) * 1000;
  const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC / o.number_runs;
  std::printf(
      "\nReading a number from a %dx%d photo (median of %d, after decoding): %.1f ms (CPU %.1f ms), read \"%s\"\n",
      image.width(), image.height(), o.number_runs, ms, cpu_ms, text.c_str());
}

#ifdef DIGITLAB_BENCH_OPENCV
/// The same timings through OpenCV dnn's own CPU backend on the ONNX export.
InferenceFigures opencv_inference(const Options& o, const std::filesystem::path& onnx) {
  try {
    cv::setNumThreads(o.threads);
    cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx.string());
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    const auto forward = [&net](std::vector<float>& pixels, int n) {
      const std::array<int, 4> shape{n, 1, 28, 28};
      net.setInput(cv::Mat(4, shape.data(), CV_32F, pixels.data()));
      return net.forward();
    };
    std::vector<float> one = latency_image();
    InferenceFigures f;
    for (int i = 0; i < 50; ++i) forward(one, 1);
    const cv::Mat p = forward(one, 1);
    f.probabilities.assign(p.ptr<float>(), p.ptr<float>() + p.total());
    f.latency_ms = median_seconds(o.latency_runs, [&] { forward(one, 1); }) * 1000;
    std::vector<float> batch(static_cast<size_t>(o.big_batch) * digitlab::kInputPixels, 0.5f);
    forward(batch, o.big_batch);
    f.batch_images_per_second = o.big_batch / median_seconds(kBatchRounds, [&] { forward(batch, o.big_batch); });
    return f;
  } catch (const cv::Exception& e) {
    throw std::runtime_error("OpenCV dnn cannot run " + onnx.string() + ": " + e.err);
  }
}
#endif

/// The string as one shell word.
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// True when program names an executable, by path or on PATH.
bool program_found(const std::string& program) {
  return std::system(("command -v " + quoted(program) + " >/dev/null 2>&1").c_str()) == 0;
}

/// Runs a peer and parses the one JSON object it prints; the peer reports its own error on stderr.
nlohmann::json run_json(const std::string& peer, const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out += buf.data();
  if (pclose(pipe.release()) != 0) throw std::runtime_error("the " + peer + " peer failed (" + cmd + ")");
  try {
    return nlohmann::json::parse(out);
  } catch (const std::exception&) {
    throw std::runtime_error("the " + peer + " peer printed no JSON (" + cmd + "): " + out);
  }
}

nlohmann::json run_peer(const Options& o, const std::filesystem::path& model, bool train_only) {
  return run_json("Python", quoted(o.python) + " " + quoted(DIGITLAB_BENCH_PEER) + " --threads " +
                                std::to_string(o.threads) + " --steps " + std::to_string(o.steps) + " --batch " +
                                std::to_string(o.batch) + " --latency-runs " + std::to_string(o.latency_runs) +
                                " --model " + quoted(model.string()) + " --big-batch " + std::to_string(o.big_batch) +
                                (train_only ? " --train-only" : ""));
}

nlohmann::json run_ort_peer(const Options& o, const std::filesystem::path& onnx) {
  return run_json("onnxruntime-node", quoted(o.node) + " " + quoted(DIGITLAB_BENCH_ORT_PEER) + " --threads " +
                                          std::to_string(o.threads) + " --latency-runs " +
                                          std::to_string(o.latency_runs) + " --model " + quoted(onnx.string()) +
                                          " --big-batch " + std::to_string(o.big_batch));
}

InferenceFigures inference_figures(const nlohmann::json& peer) {
  InferenceFigures f;
  f.latency_ms = peer.at("latency_ms").get<double>();
  f.batch_images_per_second = peer.at("batch_images_per_second").get<double>();
  f.probabilities = peer.at("probabilities").get<std::vector<double>>();
  return f;
}

/// Throws when a runtime's answer for the single image is not DigitLab's: its timings would not
/// be of the same model.
void check_same_model(const std::string& runtime, const InferenceFigures& ours, const InferenceFigures& theirs) {
  if (theirs.probabilities.size() != ours.probabilities.size())
    throw std::runtime_error(runtime + " returned " + std::to_string(theirs.probabilities.size()) +
                             " probabilities for one image, expected " + std::to_string(ours.probabilities.size()));
  double worst = 0;
  for (size_t i = 0; i < ours.probabilities.size(); ++i)
    worst = std::max(worst, std::abs(ours.probabilities[i] - theirs.probabilities[i]));
  if (worst > kSameModelTolerance)
    throw std::runtime_error(runtime + " and DigitLab disagree on the same image (a probability differs by " +
                             std::to_string(worst) + "): they are not running the same model");
}

void print_inference_row(const std::string& runtime, const InferenceFigures& f) {
  std::printf("%-28s %16s %22.3f %22.0f\n", runtime.c_str(), "-", f.latency_ms, f.batch_images_per_second);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&] {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "--threads")
      o.threads = std::stoi(value());
    else if (a == "--steps")
      o.steps = std::stoi(value());
    else if (a == "--rounds")
      o.rounds = std::max(1, std::stoi(value()));
    else if (a == "--batch")
      o.batch = std::stoi(value());
    else if (a == "--latency-runs")
      o.latency_runs = std::stoi(value());
    else if (a == "--big-batch")
      o.big_batch = std::stoi(value());
    else if (a == "--python")
      o.python = value();
    else if (a == "--node")
      o.node = value();
    else if (a == "--no-peer")
      o.peer = false;
    else if (a == "--no-ort")
      o.ort = false;
    else if (a == "--no-opencv")
      o.opencv = false;
    else if (a == "--no-int8")
      o.int8 = false;
    else if (a == "--data")
      o.data = value();
    else if (a == "--no-explain")
      o.explain = false;
    else if (a == "--no-number")
      o.number = false;
    else {
      std::printf(
          "usage: digitlab-bench [--threads N] [--steps N] [--rounds N] [--batch N] [--latency-runs N] "
          "[--big-batch N] [--python PATH] [--node PATH] [--no-peer] [--no-ort] [--no-opencv] [--no-int8] "
          "[--data DIR] [--no-explain] [--no-number]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  std::string folder;  // this run's model files; removed at the end, whatever happens
  const auto remove_folder = [&folder] {
    if (folder.empty()) return;
    for (const char* name : {"/model.pt", "/model.onnx"}) ::unlink((folder + name).c_str());
    for (const char* name : digitlab::bench::kInt8CheckFiles) ::unlink((folder + name).c_str());
    ::rmdir(folder.c_str());
  };
  try {
    folder = make_run_folder();
    o.threads = digitlab::configure_threads(o.threads);
    std::printf("DigitNet, batch %d, %d thread(s), LibTorch %s\n", o.batch, o.threads,
                digitlab::torch_version().c_str());
    // Every runtime runs the same weights: DigitLab's DigitNet (random weights) as TorchScript for
    // DigitLab and Python, exported to ONNX for onnxruntime and OpenCV dnn.
    const std::filesystem::path model = folder + "/model.pt";
    const std::filesystem::path onnx = folder + "/model.onnx";
    const bool have_onnx = (o.ort || o.opencv) && digitlab::onnx_export_available();
    {
      torch::manual_seed(0);
      digitlab::DigitNet net;
      net->eval();
      digitlab::save_torchscript(net, model, "{}");
      if (have_onnx) digitlab::export_onnx(net, onnx, std::nullopt);
    }
    // Training is timed in alternating rounds (DigitLab, then Python, again and again) and each side's median
    // is reported: a burst of load from elsewhere on a shared machine then skews one round, not the ratio.
    std::vector<double> ours_rounds, python_rounds;
    nlohmann::json peer;
    for (int r = 0; r < o.rounds; ++r) {
      ours_rounds.push_back(train_images_per_second(o));
      if (!o.peer) continue;
      const bool last = r + 1 == o.rounds;  // the last round also times Python's inference
      const auto round = run_peer(o, model, /*train_only=*/!last);
      python_rounds.push_back(round.at("train_images_per_second").get<double>());
      if (last) peer = round;
    }
    const double ours_train = median(ours_rounds);
    const InferenceFigures ours = inference(o, model);
    std::printf("\n%-28s %16s %22s %22s\n", "", "train images/s", "1-image latency (ms)",
                ("batch-" + std::to_string(o.big_batch) + " images/s").c_str());
    std::printf("%-28s %16.0f %22.3f %22.0f\n", "DigitLab (C++)", ours_train, ours.latency_ms,
                ours.batch_images_per_second);
    std::optional<InferenceFigures> python;
    double python_train = 0;
    if (o.peer) {
      python_train = median(python_rounds);
      python =
          InferenceFigures{peer.at("latency_ms").get<double>(), peer.at("batch_images_per_second").get<double>(), {}};
      std::printf("%-28s %16.0f %22.3f %22.0f\n", peer.at("runtime").get<std::string>().c_str(), python_train,
                  python->latency_ms, python->batch_images_per_second);
    }
    std::optional<InferenceFigures> ort;
    if (o.ort) {
      const bool installed = program_found(o.node) && std::filesystem::exists(DIGITLAB_BENCH_ORT_PACKAGE);
      if (!have_onnx) {
        std::printf("onnxruntime-node: skipped (this DigitLab was built without ONNX export; install libonnx-dev)\n");
      } else if (!installed) {
        std::printf("onnxruntime-node: not installed (npm ci --ignore-scripts --prefix bench)\n");
      } else {
        const auto peer = run_ort_peer(o, onnx);
        ort = inference_figures(peer);
        const auto runtime = peer.at("runtime").get<std::string>();
        check_same_model(runtime, ours, *ort);
        print_inference_row(runtime, *ort);
      }
    }
    // The int8 export beside the float one, both in onnxruntime-node (issue 16).
    if (o.int8 && ort) {
      digitlab::bench::run_int8_check(
          {o.node, o.threads, o.data.empty() ? digitlab::default_data_dir() : std::filesystem::path(o.data), folder});
    } else if (o.int8) {
      std::printf("int8 export check: skipped (it needs onnxruntime-node and ONNX export)\n");
    }
    if (o.opencv) {
#ifdef DIGITLAB_BENCH_OPENCV
      // Built only with ONNX export, so the ONNX file is there.
      const std::string runtime = std::string("OpenCV dnn ") + CV_VERSION;
      const InferenceFigures cv_figures = opencv_inference(o, onnx);
      check_same_model(runtime, ours, cv_figures);
      print_inference_row(runtime, cv_figures);
#else
      std::printf("OpenCV dnn: not built in (configure with libonnx-dev and libopencv-dnn-dev installed)\n");
#endif
    }
    // Ratios: latency ours / theirs (below 1 is faster), throughput ours / theirs (above 1 is faster).
    if (python || ort) std::printf("\n");
    if (python) {
      std::printf("DigitLab / Python: training throughput %.2fx, single-image latency %.2fx, batch throughput %.2fx\n",
                  ours_train / python_train, ours.latency_ms / python->latency_ms,
                  ours.batch_images_per_second / python->batch_images_per_second);
      const auto list = [](const std::vector<double>& v) {
        std::string text;
        for (const double x : v) text += " " + std::to_string(static_cast<int>(std::lround(x)));
        return text;
      };
      std::printf("Training images/s per round (median above): DigitLab%s; Python%s\n", list(ours_rounds).c_str(),
                  list(python_rounds).c_str());
    }
    if (ort) {
      std::printf("DigitLab / onnxruntime-node: single-image latency %.2fx, batch throughput %.2fx\n",
                  ours.latency_ms / ort->latency_ms, ours.batch_images_per_second / ort->batch_images_per_second);
    }
    if (o.explain) explanation_timings(o, model);
    if (o.number) number_timing(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "digitlab-bench: error: %s\n", e.what());
    remove_folder();
    return 1;
  }
  remove_folder();
  return 0;
}
