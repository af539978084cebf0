// digitlab-bench: DigitLab's C++ trainer and inference beside the same model in Python
// (Debian's python3-torch: same LibTorch, same thread count, same BLAS), in one run.
#include <digitlab/digit_net.h>
#include <digitlab/predictor.h>
#include <digitlab/runtime.h>
#include <digitlab/torchscript.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int threads = 0;
  int steps = 30;
  int batch = 128;
  int latency_runs = 500;
  int big_batch = 1000;
  std::string python = "/usr/bin/python3";
  bool peer = true;
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double train_images_per_second(const Options& o) {
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

/// Inference through DigitLab's Predictor (frozen, optimized TorchScript) on a freshly saved model.
struct InferenceFigures {
  double latency_ms = 0;
  double batch_images_per_second = 0;
};

InferenceFigures inference(const Options& o, const std::filesystem::path& model) {
  const digitlab::Predictor predictor(model);
  std::vector<float> one(digitlab::kInputPixels, 0.0f);
  for (size_t i = 0; i < one.size(); ++i) one[i] = static_cast<float>(i % 28) / 27.0f;
  for (int i = 0; i < 50; ++i) predictor.predict(one);
  std::vector<double> times;
  for (int i = 0; i < o.latency_runs; ++i) {
    const auto t = Clock::now();
    predictor.predict(one);
    times.push_back(seconds_since(t) * 1000);
  }
  InferenceFigures f;
  f.latency_ms = median(times);
  const std::vector<float> batch(static_cast<size_t>(o.big_batch) * digitlab::kInputPixels, 0.5f);
  predictor.predict_batch(batch, o.big_batch);
  const auto start = Clock::now();
  constexpr int kRounds = 5;
  for (int i = 0; i < kRounds; ++i) predictor.predict_batch(batch, o.big_batch);
  f.batch_images_per_second = kRounds * o.big_batch / seconds_since(start);
  return f;
}

nlohmann::json run_peer(const Options& o, const std::filesystem::path& model) {
  const std::string cmd = o.python + " " + DIGITLAB_BENCH_PEER + " --threads " + std::to_string(o.threads) +
                          " --steps " + std::to_string(o.steps) + " --batch " + std::to_string(o.batch) +
                          " --latency-runs " + std::to_string(o.latency_runs) + " --model " + model.string() +
                          " --big-batch " + std::to_string(o.big_batch);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out += buf.data();
  try {
    return nlohmann::json::parse(out);
  } catch (const std::exception&) {
    throw std::runtime_error("the Python peer failed (" + cmd + "): " + out);
  }
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
    if (a == "--threads") o.threads = std::stoi(value());
    else if (a == "--steps") o.steps = std::stoi(value());
    else if (a == "--batch") o.batch = std::stoi(value());
    else if (a == "--latency-runs") o.latency_runs = std::stoi(value());
    else if (a == "--big-batch") o.big_batch = std::stoi(value());
    else if (a == "--python") o.python = value();
    else if (a == "--no-peer") o.peer = false;
    else {
      std::printf("usage: digitlab-bench [--threads N] [--steps N] [--batch N] [--latency-runs N] "
                  "[--big-batch N] [--python PATH] [--no-peer]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  try {
    o.threads = digitlab::configure_threads(o.threads);
    std::printf("DigitNet, batch %d, %d thread(s), LibTorch %s\n", o.batch, o.threads,
                digitlab::torch_version().c_str());
    // Both sides run the same TorchScript file: DigitLab's exported DigitNet (random weights).
    const auto model = std::filesystem::temp_directory_path() / "digitlab-bench-model.pt";
    {
      torch::manual_seed(0);
      digitlab::DigitNet net;
      net->eval();
      digitlab::save_torchscript(net, model, "{}");
    }
    const double ours_train = train_images_per_second(o);
    const InferenceFigures ours = inference(o, model);
    std::printf("\n%-28s %16s %22s %22s\n", "", "train images/s", "1-image latency (ms)",
                ("batch-" + std::to_string(o.big_batch) + " images/s").c_str());
    std::printf("%-28s %16.0f %22.3f %22.0f\n", "DigitLab (C++)", ours_train, ours.latency_ms,
                ours.batch_images_per_second);
    if (o.peer) {
      const auto peer = run_peer(o, model);
      const double peer_train = peer["train_images_per_second"].get<double>();
      const double peer_latency = peer["latency_ms"].get<double>();
      const double peer_batch = peer["batch_images_per_second"].get<double>();
      std::printf("%-28s %16.0f %22.3f %22.0f\n", peer["runtime"].get<std::string>().c_str(), peer_train,
                  peer_latency, peer_batch);
      std::printf("\nDigitLab / Python: training throughput %.2fx, single-image latency %.2fx, batch throughput %.2fx\n",
                  ours_train / peer_train, ours.latency_ms / peer_latency, ours.batch_images_per_second / peer_batch);
    }
    std::filesystem::remove(model);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "digitlab-bench: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
