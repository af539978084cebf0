// DigitLab's own model files read and run without LibTorch's loader (src/core/native): the same probabilities as
// LibTorch running the file, files that are not DigitLab's DigitNet declined (they go to LibTorch), and hostile
// bytes answered with an error, never a crash.
#include "native/native_model.h"
#include "native/pickle_reader.h"
#include "native/torchscript_archive.h"

#include <digitlab/mnist.h>
#include <digitlab/predictor.h>
#include <digitlab/torchscript.h>

#include <gtest/gtest.h>

#include "test_helpers.h"

#include <fstream>
#include <random>

namespace digitlab {
namespace {

using testing::shipped_model;

std::vector<float> mnist_test_pixels(size_t n) {
  const auto test = load_mnist(testing::mnist_dir()).test;
  std::vector<float> pixels(n * kInputPixels);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = test.pixels()[i] / 255.0f;
  return pixels;
}

/// Largest difference between the native model's probabilities and those of LibTorch running the same file.
double difference_from_libtorch(const NativeModel& native, const std::filesystem::path& file,
                                std::vector<float> pixels) {
  const auto n = static_cast<int64_t>(pixels.size() / kInputPixels);
  std::vector<float> probs(static_cast<size_t>(n * native.num_classes()));
  native.network().probabilities(pixels.data(), n, 2, probs.data());
  auto module = torch::jit::load(file.string());
  module.eval();
  torch::NoGradGuard no_grad;
  const auto expected = module.forward({torch::from_blob(pixels.data(), {n, 1, kInputSide, kInputSide})}).toTensor();
  const auto got = torch::from_blob(probs.data(), {n, native.num_classes()});
  return (got - expected).abs().max().item<double>();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(NativeModel, ReadsTheShippedModelAsLibTorchRunsIt) {
  std::string why;
  const auto native = NativeModel::open(shipped_model(), &why);
  ASSERT_TRUE(native.has_value()) << why;
  EXPECT_EQ(native->num_classes(), 10);
  EXPECT_EQ(native->class_names().front(), "0");
  EXPECT_NEAR(native->test_accuracy().value_or(0), 0.9964, 1e-9);
  EXPECT_LE(difference_from_libtorch(*native, shipped_model(), mnist_test_pixels(300)), 1e-5);
}

TEST(NativeModel, ReadsAnotherDescriptionWithItsNamesAndNormalization) {
  testing::TempDir dir;
  ModelSpec spec;
  spec.block_channels = {32, 48, 96};
  spec.hidden = {128, 64};
  spec.num_classes = 4;
  spec.class_names = {"alpha", "beta", "gamma", "delta"};
  spec.mean = 0.5;
  spec.std = 0.25;
  save_torchscript(testing::random_net(11, spec), dir / "other.pt", R"({"test_accuracy":0.75})");
  std::string why;
  const auto native = NativeModel::open(dir / "other.pt", &why);
  ASSERT_TRUE(native.has_value()) << why;
  EXPECT_EQ(native->class_names(), spec.class_names);
  EXPECT_EQ(native->network().spec().mean, 0.5);
  EXPECT_NEAR(native->test_accuracy().value_or(0), 0.75, 1e-9);
  EXPECT_LE(difference_from_libtorch(*native, dir / "other.pt", mnist_test_pixels(40)), 1e-5);
}

TEST(NativeModel, DeclinesAFileWithoutDigitLabsCard) {
  testing::TempDir dir;
  build_torchscript(testing::random_net(5)).save((dir / "plain.pt").string());
  std::string why;
  EXPECT_FALSE(NativeModel::open(dir / "plain.pt", &why).has_value());
  EXPECT_NE(why.find("no DigitLab model card"), std::string::npos) << why;
  // LibTorch then runs it, on the checked fast path.
  EXPECT_TRUE(Predictor(dir / "plain.pt").uses_fast_path());
}

TEST(NativeModel, DeclinesDigitNetWeightsWithAnotherForwardAndThePredictorRunsTheFilesOwnCode) {
  // DigitLab's card and DigitNet's weights, but a forward without the input normalization and with a sigmoid.
  testing::TempDir dir;
  auto other = testing::digitnet_weights_with_another_forward("DigitNet", "sigmoid");
  other.save((dir / "other.pt").string(), {{kModelCardEntry, R"({"name":"DigitNet"})"}});

  std::string why;
  EXPECT_FALSE(NativeModel::open(dir / "other.pt", &why).has_value());
  EXPECT_NE(why.find("not DigitNet's forward"), std::string::npos) << why;
  const Predictor predictor(dir / "other.pt");
  EXPECT_FALSE(predictor.uses_fast_path());
  auto pixels = mnist_test_pixels(3);
  const auto answers = predictor.predict_batch(pixels, 3);
  torch::NoGradGuard no_grad;
  const auto expected = other.forward({torch::from_blob(pixels.data(), {3, 1, kInputSide, kInputSide})}).toTensor();
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t c = 0; c < 10; ++c) {
      EXPECT_NEAR(answers[static_cast<size_t>(i)].probabilities[static_cast<size_t>(c)],
                  expected[i][c].item<float>(), 1e-5);
    }
  }
}

TEST(NativeModel, DamagedCopiesOfTheShippedModelAreDeclinedWithoutACrash) {
  testing::TempDir dir;
  const std::string good = read_file(shipped_model());
  std::mt19937 random(7);
  int opened = 0;
  for (int trial = 0; trial < 120; ++trial) {
    std::string bytes = good;
    if (trial < 40) {
      bytes.resize(random() % bytes.size());  // truncated
    } else {
      for (int k = 0; k < 1 + trial % 4; ++k) bytes[random() % bytes.size()] ^= static_cast<char>(1 + random() % 255);
    }
    write_file(dir / "damaged.pt", bytes);
    std::string why;
    const auto model = NativeModel::open(dir / "damaged.pt", &why);
    if (model) {
      ++opened;  // a flip in a byte no check covers (the ZIP comment, a local header's time) changes nothing read
      EXPECT_LE(difference_from_libtorch(*model, shipped_model(), mnist_test_pixels(2)), 1e-5);
    } else {
      EXPECT_FALSE(why.empty());
    }
  }
  EXPECT_LT(opened, 120);
}

/// The bytes that `hex` ("8002...") spells.
std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

TEST(Pickle, ReadsWhatPythonWritesWithoutRunningIt) {
  // pickle.dumps({"a": (1, -2, 70000, 3.5, True, None), "b": ["x"]}, protocol=2)
  const Pickle p(from_hex(
      "80027d7100285801000000617101284b014afeffffff4a7011010047400c000000000000884e74710258010000006271035d71045801000000"
      "78710561752e"));
  const auto* a = p.root().find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items.size(), 6u);
  EXPECT_EQ(a->items[1]->integer, -2);
  EXPECT_EQ(a->items[2]->integer, 70000);
  EXPECT_EQ(a->items[3]->real, 3.5);
  EXPECT_EQ(a->items[4]->integer, 1);
  EXPECT_TRUE(a->items[5]->is(PickleValue::Kind::kNone));
  EXPECT_EQ(p.root().find("b")->items.at(0)->text, "x");
  // os.system("echo hi") as GLOBAL + REDUCE only becomes a value describing the call.
  const Pickle call(from_hex("8002636f730a73797374656d0a710058070000006563686f20686971018571025271032e"));
  EXPECT_TRUE(call.root().is(PickleValue::Kind::kCall));
  EXPECT_EQ(call.root().items.at(0)->text, "os system");
}

TEST(Pickle, BadBytesGiveOneLineErrors) {
  const auto error = [](const std::string& hex) {
    try {
      Pickle p(from_hex(hex));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error("80027d710028580100").find("truncated"), std::string::npos);
  EXPECT_NE(error("8002ff2e").find("unknown opcode 0xff"), std::string::npos);
  EXPECT_NE(error("800268072e").find("never PUT"), std::string::npos);
  EXPECT_NE(error("8002742e").find("no MARK"), std::string::npos);
  EXPECT_NE(error("8002522e").find("stack lacks"), std::string::npos);
  EXPECT_NE(error("80024b014b022e").find("2 values left"), std::string::npos);
  // A list appended to itself is a cycle, which the reader holds without leaking or looping.
  const Pickle cycle(from_hex("80025d71006800612e"));
  EXPECT_EQ(cycle.root().items.at(0), &cycle.root());
}

TEST(TorchScriptArchive, ViewsPastTheirStorageAndWrongStoragesAreRefused) {
  const TorchScriptArchive archive(shipped_model());
  const auto tensors = archive.module_tensors();
  ASSERT_EQ(tensors.size(), 40u);
  auto ref = tensors.at("fc2_bias");
  EXPECT_EQ(archive.read("fc2_bias", ref).values.size(), 10u);
  const auto error = [&](const TorchScriptArchive::TensorRef& r) {
    try {
      archive.read("fc2_bias", r);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto past = ref;
  past.offset = 5;
  EXPECT_NE(error(past).find("past its storage"), std::string::npos) << error(past);
  auto huge = ref;
  huge.sizes = {int64_t{1} << 40};
  huge.strides = {0};
  EXPECT_NE(error(huge).find("too many values"), std::string::npos) << error(huge);
  auto wrong = ref;
  wrong.storage_numel = 11;
  EXPECT_NE(error(wrong).find("holds 40 bytes, expected 44"), std::string::npos) << error(wrong);
  auto ints = ref;
  ints.dtype = "LongStorage";
  EXPECT_NE(error(ints).find("not float"), std::string::npos) << error(ints);
}

}  // namespace
}  // namespace digitlab
