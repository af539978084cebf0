// Datasets beyond MNIST: EMNIST's transposed files and mapping, any IDX set with names, a folder per class,
// MNIST plus a user's own samples, Fashion-MNIST from Debian; class names from the dataset to the model card, the
// Predictor and the answer.
#include <digitlab/dataset.h>

#include <digitlab/digit_reader.h>
#include <digitlab/predictor.h>
#include <digitlab/sample_store.h>
#include <digitlab/trainer.h>

#include "datasets/folder_dataset.h"
#include "image_fixtures.h"
#include "test_helpers.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <random>

namespace digitlab {
namespace {

namespace fs = std::filesystem;
using namespace testing;

constexpr int kImageSide = 28;

void write_text(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

void write_bytes(const fs::path& file, const std::vector<uint8_t>& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// An upright 28x28 image with one horizontal bar on row `row`: stored transposed, the bar becomes a column.
std::vector<uint8_t> bar_image(int row, bool transposed) {
  std::vector<uint8_t> image(kImageSide * kImageSide, 0);
  for (int c = 4; c < 24; ++c) image[transposed ? c * kImageSide + row : row * kImageSide + c] = 255;
  return image;
}

// A small EMNIST letters split laid out as NIST ships it: transposed images, labels 1..26, a mapping file.
void write_emnist_letters(const fs::path& dir, const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> pixels;
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto image = bar_image(3 + static_cast<int>(i), /*transposed=*/true);
    pixels.insert(pixels.end(), image.begin(), image.end());
  }
  const auto n = static_cast<uint32_t>(labels.size());
  for (const std::string part : {"train", "test"}) {
    write_idx_images(dir / ("emnist-letters-" + part + "-images-idx3-ubyte.gz"), pixels, n, kImageSide, kImageSide,
                     true);
    write_idx_labels(dir / ("emnist-letters-" + part + "-labels-idx1-ubyte.gz"), labels, true);
  }
  std::string mapping;
  for (int letter = 1; letter <= 26; ++letter) {
    mapping += std::to_string(letter) + " " + std::to_string(64 + letter) + " " + std::to_string(96 + letter) + "\n";
  }
  write_text(dir / "emnist-letters-mapping.txt", mapping);
}

void write_idx_set(const fs::path& dir, const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> pixels(labels.size() * kImageSide * kImageSide, 128);
  const auto n = static_cast<uint32_t>(labels.size());
  write_idx_images(dir / "train-images-idx3-ubyte", pixels, n, kImageSide, kImageSide, false);
  write_idx_labels(dir / "train-labels-idx1-ubyte", labels, false);
  write_idx_images(dir / "t10k-images-idx3-ubyte", pixels, n, kImageSide, kImageSide, false);
  write_idx_labels(dir / "t10k-labels-idx1-ubyte", labels, false);
}

using Shape = std::function<void(GrayImage&, std::mt19937&)>;

// Symbols drawn as a hand would: dark strokes on white paper, a little off in place, size and slant each time.
const std::map<std::string, Shape>& symbols() {
  static const std::map<std::string, Shape> kShapes{
      {"bar",
       [](GrayImage& im, std::mt19937& rng) {
         std::uniform_real_distribution<float> jitter(-5, 5);
         draw_stroke(im, 48 + jitter(rng), 14 + jitter(rng), 48 + jitter(rng), 82 + jitter(rng), 7, 0.0f);
       }},
      {"cross",
       [](GrayImage& im, std::mt19937& rng) {
         std::uniform_real_distribution<float> jitter(-5, 5);
         draw_stroke(im, 18 + jitter(rng), 18 + jitter(rng), 78 + jitter(rng), 78 + jitter(rng), 7, 0.0f);
         draw_stroke(im, 78 + jitter(rng), 18 + jitter(rng), 18 + jitter(rng), 78 + jitter(rng), 7, 0.0f);
       }},
      {"ring",
       [](GrayImage& im, std::mt19937& rng) {
         std::uniform_real_distribution<float> jitter(-4, 4);
         draw_zero(im, 20 + jitter(rng), 16 + jitter(rng), 64 + jitter(rng), 7, 0.0f);
       }},
  };
  return kShapes;
}

GrayImage draw_symbol(const std::string& name, std::mt19937& rng) {
  GrayImage image(96, 96, 1.0f);
  symbols().at(name)(image, rng);
  return image;
}

void write_png(const fs::path& file, const GrayImage& image) {
  write_bytes(file, encode_png(image.width(), image.height(), 1, to_samples(image)));
}

// root/<symbol>/<i>.png, `per_class` drawings of each symbol.
void write_symbol_folders(const fs::path& root, int per_class, uint32_t seed) {
  std::mt19937 rng(seed);
  for (const auto& [name, shape] : symbols()) {
    for (int i = 0; i < per_class; ++i) write_png(root / name / (std::to_string(i) + ".png"), draw_symbol(name, rng));
  }
}

TEST(DatasetSource, ReadsEveryForm) {
  const fs::path mnist = "/data/digitlab/mnist";
  EXPECT_EQ(DatasetSource::parse("mnist", mnist).dir(), mnist);
  EXPECT_EQ(DatasetSource::parse("fashion-mnist", mnist).dir(), fs::path(kDebianFashionMnistDir));
  const auto emnist = DatasetSource::parse("emnist-letters", mnist);
  EXPECT_EQ(emnist.kind(), DatasetSource::Kind::kEmnist);
  EXPECT_EQ(emnist.split(), "letters");
  EXPECT_EQ(emnist.dir(), fs::path("/data/digitlab/emnist"));
  EXPECT_EQ(DatasetSource::parse("folder:/home/me/symbols", mnist).kind(), DatasetSource::Kind::kFolder);
  const auto both = DatasetSource::parse("mnist+folder:/home/me/symbols", mnist);
  EXPECT_EQ(both.mnist_dir(), mnist);
  EXPECT_EQ(both.dir(), fs::path("/home/me/symbols"));
  EXPECT_EQ(DatasetSource::parse(emnist.text(), mnist).text(), emnist.text());
}

TEST(DatasetSource, RefusesWhatItCannotRead) {
  const auto message = [](const std::string& text) {
    try {
      DatasetSource::parse(text, "/data");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("emnist-greek").find("no EMNIST split greek"), std::string::npos);
  EXPECT_NE(message("folder").find("needs a folder"), std::string::npos);
  EXPECT_NE(message("cifar10").find("unknown kind \"cifar10\""), std::string::npos);
}

TEST(Emnist, LettersAreUprightAndNamedFromTheMapping) {
  TempDir dir;
  write_emnist_letters(dir.path(), {1, 2, 26, 1});
  const Dataset data = load_dataset(DatasetSource::parse("emnist-letters:" + dir.path().string(), "/unused"));
  ASSERT_EQ(data.class_names.size(), 26u);
  EXPECT_EQ(data.class_names.front(), "A");
  EXPECT_EQ(data.class_names.back(), "Z");
  EXPECT_EQ(data.train.classes(), 26);
  EXPECT_EQ(data.train.labels(), (std::vector<uint8_t>{0, 1, 25, 0}));
  // Image 2's bar was stored as column 5: upright, it is row 5 again.
  const std::vector<uint8_t> image(data.train.pixels().begin() + 2 * kImageSide * kImageSide,
                                   data.train.pixels().begin() + 3 * kImageSide * kImageSide);
  EXPECT_EQ(image, bar_image(5, /*transposed=*/false));
  EXPECT_EQ(data.file_sha256.size(), 4u);
}

TEST(Emnist, NamesTheFileOfALabelTheMappingLacks) {
  TempDir dir;
  write_emnist_letters(dir.path(), {1, 27});
  try {
    load_dataset(DatasetSource(DatasetSource::Kind::kEmnist, dir.path(), "letters"));
    FAIL() << "label 27 was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("emnist-letters-train-labels-idx1-ubyte: label 27 at index 1"),
              std::string::npos)
        << e.what();
  }
}

TEST(Emnist, NamesTheLineOfABrokenMapping) {
  TempDir dir;
  write_emnist_letters(dir.path(), {1, 2});
  write_text(dir / "emnist-letters-mapping.txt", "1 65 97\nB 66 98\n");
  try {
    load_dataset(DatasetSource(DatasetSource::Kind::kEmnist, dir.path(), "letters"));
    FAIL() << "a broken mapping was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("emnist-letters-mapping.txt:2"), std::string::npos) << e.what();
  }
}

TEST(IdxSet, TakesNamesFromClassesTxtOrCountsTheLabels) {
  TempDir dir;
  write_idx_set(dir.path(), {0, 2, 1, 2});
  const auto source = DatasetSource::parse("idx:" + dir.path().string(), "/unused");
  EXPECT_EQ(load_dataset(source).class_names, (std::vector<std::string>{"0", "1", "2"}));
  write_text(dir / "classes.txt", "cat\n  dog \n\nbird\n");
  const Dataset named = load_dataset(source);
  EXPECT_EQ(named.class_names, (std::vector<std::string>{"cat", "dog", "bird"}));
  EXPECT_EQ(named.train.classes(), 3);
  write_text(dir / "classes.txt", "cat\ndog\n");
  try {
    load_dataset(source);
    FAIL() << "label 2 with two names was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("label 2 but only 2 class names"), std::string::npos) << e.what();
  }
}

TEST(FolderDataset, PreprocessesEveryImageAndHoldsOutEveryFifth) {
  TempDir dir;
  write_symbol_folders(dir.path(), 6, 1);
  write_png(dir / "ring" / "blank.png", GrayImage(96, 96, 1.0f));
  const Dataset data = load_dataset(DatasetSource(DatasetSource::Kind::kFolder, dir.path()));
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"bar", "cross", "ring"}));
  EXPECT_EQ(data.train.size(), 15u);
  EXPECT_EQ(data.test.size(), 3u);
  ASSERT_EQ(data.skipped.size(), 1u);
  EXPECT_NE(data.skipped[0].find("blank.png: no digit found"), std::string::npos) << data.skipped[0];
  // Preprocessed like `predict`: white ink on black, centred, not the paper's white.
  const auto& px = data.train.pixels();
  const double mean =
      std::accumulate(px.begin(), px.begin() + kImageSide * kImageSide, 0.0) / (kImageSide * kImageSide * 255.0);
  EXPECT_GT(mean, 0.03);
  EXPECT_LT(mean, 0.5);
  const auto counts = count_folder_samples(dir.path());
  EXPECT_EQ(counts.at("ring"), 7);
}

TEST(FolderDataset, SaysWhichClassHasNoUsableImage) {
  TempDir dir;
  write_symbol_folders(dir.path(), 5, 2);
  testing::remove_tree(dir / "cross");
  write_png(dir / "cross" / "blank.png", GrayImage(96, 96, 1.0f));
  try {
    load_dataset(DatasetSource(DatasetSource::Kind::kFolder, dir.path()));
    FAIL() << "a class without ink was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cross: no usable training image"), std::string::npos) << e.what();
  }
}

TEST(MnistPlusFolder, OwnDigitsJoinTheirDigitAndNewSymbolsAddClasses) {
  TempDir dir;
  std::mt19937 rng(3);
  for (int i = 0; i < 5; ++i) {
    write_png(dir / "7" / (std::to_string(i) + ".png"), draw_symbol("bar", rng));
    write_png(dir / "ring" / (std::to_string(i) + ".png"), draw_symbol("ring", rng));
  }
  const Dataset data = load_dataset(DatasetSource::parse("mnist+folder:" + dir.path().string(), testing::mnist_dir()));
  ASSERT_EQ(data.class_names.size(), 11u);
  EXPECT_EQ(data.class_names[7], "7");
  EXPECT_EQ(data.class_names[10], "ring");
  EXPECT_EQ(data.train.size(), 60000u + 8u);
  EXPECT_EQ(data.test.size(), 10000u + 2u);
  const auto& labels = data.train.labels();
  EXPECT_EQ(std::count(labels.end() - 8, labels.end(), 7), 4);
  EXPECT_EQ(std::count(labels.end() - 8, labels.end(), 10), 4);
}

TEST(FashionMnist, ReadsDebiansPackageWithZalandosNames) {
  if (!fs::exists(kDebianFashionMnistDir)) GTEST_SKIP() << "install dataset-fashion-mnist (scripts/test.sh does)";
  const Dataset data = load_dataset(DatasetSource::parse("fashion-mnist", "/unused"));
  EXPECT_EQ(data.train.size(), 60000u);
  EXPECT_EQ(data.test.size(), 10000u);
  EXPECT_EQ(data.class_names[0], "T-shirt/top");
  EXPECT_EQ(data.class_names[9], "Ankle boot");
}

TEST(SampleStore, FilesDrawingsUnderTheirNameForTraining) {
  TempDir dir;
  const SampleStore store(dir / "my-samples");
  EXPECT_TRUE(store.counts().empty());
  std::mt19937 rng(5);
  const fs::path first = store.add("α", draw_symbol("ring", rng));
  const fs::path second = store.add("α", draw_symbol("ring", rng));
  store.add("+", draw_symbol("cross", rng));
  EXPECT_NE(first, second);
  EXPECT_EQ(first.parent_path(), dir / "my-samples" / "α");
  EXPECT_EQ(store.counts(), (std::map<std::string, int>{{"+", 1}, {"α", 2}}));
  for (const std::string& bad :
       std::vector<std::string>{"", "a/b", "..", ".hidden", "tab\there", std::string(41, 'x')}) {
    EXPECT_THROW(store.add(bad, draw_symbol("bar", rng)), std::invalid_argument) << bad;
  }
  EXPECT_THROW(store.add("ok", GrayImage()), std::invalid_argument);
}

TEST(ClassNames, TravelInTheModelDescription) {
  ModelSpec spec;
  spec.num_classes = 3;
  spec.class_names = {"α", "+", "T-shirt/top"};
  const ModelSpec back = ModelSpec::from_json(spec.to_json());
  EXPECT_EQ(back.class_names, spec.class_names);
  EXPECT_EQ(back, spec);
  EXPECT_EQ(ModelSpec::digits().class_name(7), "7");
  spec.class_names = {"a", "a", "b"};
  EXPECT_THROW(spec.validate(), std::invalid_argument);
  spec.class_names = {"a", "b"};
  EXPECT_THROW(spec.validate(), std::invalid_argument);
  spec.class_names = {"a", "b\n", "c"};
  EXPECT_THROW(spec.validate(), std::invalid_argument);
}

/// Training on 20 drawings of each of three symbols in `dir`, as the app trains a user's symbols: from the shipped
/// model's features, with a new output layer.
TrainConfig own_symbols_config(const TempDir& dir) {
  write_symbol_folders(dir / "symbols", 20, 4);
  TrainConfig config;
  config.dataset = DatasetSource(DatasetSource::Kind::kFolder, dir / "symbols");
  config.out_dir = dir / "run";
  config.init_from = fs::path(DIGITLAB_SOURCE_DIR) / "models" / "digitnet.pt";
  config.threads = 2;
  return config;
}

// The whole path on a user's own symbols: a folder per class -> a model whose card, Predictor and answers say
// the symbols' names.
TEST(OwnSymbolsSlow, TrainedModelReadsNewDrawingsByName) {
  TempDir dir;
  TrainConfig config = own_symbols_config(dir);
  config.epochs = 15;
  config.batch_size = 16;
  const TrainResult result = Trainer(config).run();
  ASSERT_TRUE(result.test_accuracy.has_value());
  const auto metrics = nlohmann::json::parse(std::ifstream(result.metrics_path));
  EXPECT_EQ(metrics["class_names"], nlohmann::json({"bar", "cross", "ring"}));

  const Predictor predictor(result.model_path);
  EXPECT_EQ(predictor.class_names(), (std::vector<std::string>{"bar", "cross", "ring"}));
  std::mt19937 rng(99);
  int right = 0, total = 0;
  for (const auto& [name, shape] : symbols()) {
    for (int i = 0; i < 10; ++i, ++total) right += read_digits(predictor, draw_symbol(name, rng)).text() == name;
  }
  std::printf("own symbols: %d of %d new drawings read by name (test accuracy %.1f%%, %.1f s)\n", right, total,
              *result.test_accuracy * 100, result.wall_seconds);
  EXPECT_GE(right, total * 9 / 10) << right << " of " << total << " new drawings read by name";
}

// A digit model's answers cannot be kept while it learns other classes: refused before any training, by name.
TEST(OwnSymbols, KeepingTheAnswersOfAModelWithOtherClassesIsRefused) {
  TempDir dir;
  TrainConfig config = own_symbols_config(dir);
  config.keep_answers = 1.0;
  try {
    Trainer(config).run();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("digitnet.pt"), std::string::npos) << what;
    EXPECT_NE(what.find("classes"), std::string::npos) << what;
    EXPECT_NE(what.find("--keep-answers"), std::string::npos) << what;
  }
  EXPECT_FALSE(fs::exists(dir / "run" / "digitnet.pt"));
}

}  // namespace
}  // namespace digitlab
