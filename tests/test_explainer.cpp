// Explanations that mean something: the sanity checks of the saliency literature (deletion, model randomization),
// not only "a map is produced". MNIST from ../shared/datasets/mnist, real images from realworld-digits.
#include <digitlab/digit_reader.h>
#include <digitlab/explainer.h>
#include <digitlab/heatmap.h>
#include <digitlab/image_loader.h>
#include <digitlab/mnist.h>
#include <digitlab/torchscript.h>

#include "explain/gradient_explainer.h"
#include "labelled_images.h"
#include "test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <numeric>
#include <random>

namespace digitlab {
namespace {

using testing::shipped_model;

using Image = std::vector<float>;
/// A map maker: input -> kInputPixels saliency values for the predicted class.
using MapMaker = std::function<Image(const Image&)>;

constexpr ExplainMethod kOffered[] = {ExplainMethod::kOcclusion, ExplainMethod::kSmoothGrad, ExplainMethod::kGradCam};
/// Pixels at least this bright count as ink in the deletion test (the stroke, not its soft fringe).
constexpr float kInk = 0.5f;

std::shared_ptr<const Predictor> shipped_predictor() {
  static const auto predictor = std::make_shared<const Predictor>(shipped_model());
  return predictor;
}

const Explainer& shipped_explainer() {
  static const Explainer explainer(shipped_predictor());
  return explainer;
}

/// The first n MNIST test images as floats in [0,1].
std::vector<Image> mnist_test_images(size_t n) {
  static const auto test = load_mnist(testing::mnist_dir()).test;
  std::vector<Image> images(std::min(n, test.size()), Image(kInputPixels));
  for (size_t i = 0; i < images.size(); ++i) {
    for (size_t p = 0; p < kInputPixels; ++p) images[i][p] = test.pixels()[i * kInputPixels + p] / 255.0f;
  }
  return images;
}

MapMaker maker(const Explainer& explainer, ExplainMethod method) {
  return [&explainer, method](const Image& x) {
    ExplainRequest request;
    request.method = method;
    return explainer.explain(x, request).map;
  };
}

/// `x` with `pixels` set to the background.
Image removed(Image x, const std::vector<size_t>& pixels) {
  for (const size_t p : pixels) x[p] = 0.0f;
  return x;
}

struct DeletionMeans {
  double salient = 0.0;  ///< Mean fall in the predicted class's probability, the most salient 10% of ink removed.
  double random = 0.0;   ///< The same for a random 10% of the ink (four draws per image).
};

/// The deletion test over `images`: removing the 10% of ink pixels a map rates highest, against a random 10%.
DeletionMeans deletion_test(const Predictor& predictor, const std::vector<Image>& images, const MapMaker& make_map) {
  constexpr int kDraws = 4;
  std::mt19937 generator(7);
  std::vector<float> batch;
  for (const Image& x : images) {
    const Image map = make_map(x);
    std::vector<size_t> ink;
    for (size_t p = 0; p < kInputPixels; ++p) {
      if (x[p] >= kInk) ink.push_back(p);
    }
    const size_t k = (ink.size() + 9) / 10;
    std::vector<size_t> by_salience = ink;
    std::stable_sort(by_salience.begin(), by_salience.end(), [&](size_t a, size_t b) { return map[a] > map[b]; });
    by_salience.resize(k);
    const auto append = [&](const Image& image) { batch.insert(batch.end(), image.begin(), image.end()); };
    append(x);
    append(removed(x, by_salience));
    for (int d = 0; d < kDraws; ++d) {
      std::shuffle(ink.begin(), ink.end(), generator);
      append(removed(x, std::vector<size_t>(ink.begin(), ink.begin() + static_cast<long>(k))));
    }
  }
  const auto answers = predictor.predict_batch(batch, images.size() * (2 + kDraws));
  DeletionMeans means;
  for (size_t i = 0; i < images.size(); ++i) {
    const auto* a = &answers[i * (2 + kDraws)];
    const auto label = static_cast<size_t>(a[0].label);
    means.salient += a[0].probabilities[label] - a[1].probabilities[label];
    for (int d = 0; d < kDraws; ++d)
      means.random += (a[0].probabilities[label] - a[2 + d].probabilities[label]) / kDraws;
  }
  means.salient /= static_cast<double>(images.size());
  means.random /= static_cast<double>(images.size());
  return means;
}

/// Ranks of `values` (ties get their mean rank).
std::vector<double> ranks(const std::vector<float>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> r(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    for (size_t t = i; t <= j; ++t) r[order[t]] = (i + j) / 2.0;
    i = j + 1;
  }
  return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / a.size();
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / b.size();
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) * (a[i] - ma);
    bb += (b[i] - mb) * (b[i] - mb);
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

/// Spearman's rank correlation of two maps of `x`, over its ink (the background is 0 in most maps of both models).
double rank_correlation(const Image& x, const Image& a, const Image& b) {
  std::vector<float> on_a, on_b;
  for (size_t p = 0; p < kInputPixels; ++p) {
    if (x[p] > 0.0f) {
      on_a.push_back(a[p]);
      on_b.push_back(b[p]);
    }
  }
  return pearson(ranks(on_a), ranks(on_b));
}

/// Pearson correlation of two maps over all their pixels.
double correlation(const Image& a, const Image& b) {
  return pearson(std::vector<double>(a.begin(), a.end()), std::vector<double>(b.begin(), b.end()));
}

Image shifted(const Image& x, int dx, int dy) {
  Image out(kInputPixels, 0.0f);
  for (int y = 0; y < kInputSide; ++y) {
    for (int u = 0; u < kInputSide; ++u) {
      const int tx = u + dx, ty = y + dy;
      if (tx >= 0 && ty >= 0 && tx < kInputSide && ty < kInputSide) {
        out[static_cast<size_t>(ty) * kInputSide + tx] = x[static_cast<size_t>(y) * kInputSide + u];
      }
    }
  }
  return out;
}

// Deletion: every method offered must point at ink that matters. Plain Grad-CAM is measured for reference only.
TEST(ExplainerSlow, EveryMethodOfferedPassesTheDeletionTest) {
  const auto images = mnist_test_images(300);
  for (const ExplainMethod method : kOffered) {
    const DeletionMeans m = deletion_test(*shipped_predictor(), images, maker(shipped_explainer(), method));
    std::printf("deletion test, %s over %zu images: salient 10%% %.4f, random 10%% %.4f, ratio %.1f\n",
                method_name(method).c_str(), images.size(), m.salient, m.random, m.salient / m.random);
    EXPECT_GT(m.salient, 2.0 * m.random) << method_name(method);
  }
  std::string why_not;
  const auto gradients = GradientExplainer::from_predictor(*shipped_predictor(), &why_not);
  ASSERT_TRUE(gradients) << why_not;
  const DeletionMeans plain = deletion_test(*shipped_predictor(), images, [&](const Image& x) {
    return gradients->gradcam_coarse(x, shipped_predictor()->predict(x).label, -1);
  });
  std::printf("deletion test, plain Grad-CAM (not offered): salient %.4f, random %.4f, ratio %.1f\n", plain.salient,
              plain.random, plain.salient / plain.random);
}

// Adebayo et al. (2018): a map that survives re-initializing the weights shows the input, not the model.
TEST(Explainer, MapsOfAReinitializedModelDifferFromTheTrainedOnes) {
  testing::TempDir dir;
  save_torchscript(testing::random_net(/*seed=*/3), dir / "random.pt", "{}");
  const Explainer random_model(std::make_shared<const Predictor>(dir / "random.pt"));
  const Explainer same_model(std::make_shared<const Predictor>(shipped_model()));
  const auto images = mnist_test_images(40);
  for (const ExplainMethod method : kOffered) {
    double versus_random = 0, versus_same = 0;
    for (const Image& x : images) {
      ExplainRequest request;
      request.method = method;
      request.target = shipped_predictor()->predict(x).label;
      const Image trained = shipped_explainer().explain(x, request).map;
      versus_random += rank_correlation(x, trained, random_model.explain(x, request).map) / images.size();
      versus_same += rank_correlation(x, trained, same_model.explain(x, request).map) / images.size();
    }
    std::printf("rank correlation, %s: trained vs re-initialized %.3f, two runs of the trained model %.3f\n",
                method_name(method).c_str(), versus_random, versus_same);
    EXPECT_LT(versus_random, 0.5) << method_name(method);
    EXPECT_LT(versus_random, versus_same - 0.4) << method_name(method);
  }
}

TEST(Explainer, ContrastingAWithBIsNotContrastingBWithA) {
  const Image x = mnist_test_images(1).front();  // a 7
  for (const ExplainMethod method : kOffered) {
    ExplainRequest ab;
    ab.method = method;
    ab.contrastive = true;  // the runner-up by default
    const Explanation e_ab = shipped_explainer().explain(x, ab);
    EXPECT_EQ(e_ab.target, 7);
    EXPECT_EQ(e_ab.versus, top_classes(e_ab.prediction, 2)[1]);
    ExplainRequest ba = ab;
    ba.target = e_ab.versus;
    ba.versus = e_ab.target;
    const Explanation e_ba = shipped_explainer().explain(x, ba);
    // Gradient and occlusion scores change sign; Grad-CAM's rectified weights keep only the evidence for each side.
    EXPECT_LE(rank_correlation(x, e_ab.map, e_ba.map), 0.0) << method_name(method);
    EXPECT_NE(heat(e_ab.map), heat(e_ba.map)) << method_name(method);
    ExplainRequest plain;
    plain.method = method;
    EXPECT_NE(shipped_explainer().explain(x, plain).map, e_ab.map) << method_name(method);
  }
}

TEST(Explainer, TheMapOfAShiftedDigitShiftsWithIt) {
  const auto images = mnist_test_images(20);
  for (const ExplainMethod method : kOffered) {
    double moved_along = 0, left_behind = 0;
    for (const Image& x : images) {
      ExplainRequest request;
      request.method = method;
      request.target = shipped_predictor()->predict(x).label;
      const Image map = shipped_explainer().explain(x, request).map;
      // MNIST leaves a 4-pixel margin: no ink falls off.
      const Image map_of_moved = shipped_explainer().explain(shifted(x, 3, -2), request).map;
      moved_along += correlation(shifted(map, 3, -2), map_of_moved) / images.size();
      left_behind += correlation(map, map_of_moved) / images.size();
    }
    std::printf("shifted digit, %s: correlation with the shifted map %.3f, with the map left in place %.3f\n",
                method_name(method).c_str(), moved_along, left_behind);
    EXPECT_GT(moved_along, 0.5) << method_name(method);
    EXPECT_GT(moved_along, left_behind + 0.4) << method_name(method);
  }
}

TEST(Explainer, ForeignModelsFallBackToOcclusionAndSaySo) {
  testing::TempDir dir;
  const std::string script = R"PY(
import sys, torch
class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.fc = torch.nn.Linear(784, 10)
    def forward(self, x):
        return torch.softmax(self.fc(x.flatten(1)), 1)
torch.jit.script(Tiny().eval()).save(sys.argv[1])
)PY";
  std::ofstream(dir / "tiny.py") << script;
  const std::string cmd =
      std::string(DIGITLAB_PYTHON) + " " + (dir / "tiny.py").string() + " " + (dir / "tiny.pt").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const Explainer explainer(std::make_shared<const Predictor>(dir / "tiny.pt"));
  EXPECT_FALSE(explainer.supports(ExplainMethod::kSmoothGrad));
  EXPECT_TRUE(explainer.supports(ExplainMethod::kOcclusion));
  EXPECT_FALSE(explainer.gradient_note().empty());
  ExplainRequest request;
  request.method = ExplainMethod::kGradCam;
  const Explanation e = explainer.explain(mnist_test_images(1).front(), request);
  EXPECT_EQ(e.method, ExplainMethod::kOcclusion);
  EXPECT_NE(e.note.find("occlusion instead"), std::string::npos) << e.note;
  EXPECT_EQ(e.map.size(), kInputPixels);
  EXPECT_TRUE(shipped_explainer().supports(ExplainMethod::kGradCam)) << shipped_explainer().gradient_note();
}

TEST(Explainer, RefusesBadRequests) {
  const Image x = mnist_test_images(1).front();
  ExplainRequest request;
  request.target = 10;
  EXPECT_THROW(shipped_explainer().explain(x, request), std::invalid_argument);
  request.target = 3;
  request.contrastive = true;
  request.versus = 3;
  EXPECT_THROW(shipped_explainer().explain(x, request), std::invalid_argument);
  EXPECT_THROW(shipped_explainer().explain(Image(10), {}), std::invalid_argument);
  EXPECT_THROW(parse_method("saliency"), std::invalid_argument);
  for (const ExplainMethod m : kOffered) EXPECT_EQ(parse_method(method_name(m)), m);
}

// The transform of preprocess(): the 28x28 input, mapped back, lies where the digit's ink is on the image.
TEST(Explainer, InputMappedBackLiesOnTheInk) {
  GrayImage page(300, 200, 1.0f);  // a dark, slanted bar on white paper, off centre
  for (int y = 40; y < 160; ++y) {
    for (int x = 200 + (y - 40) / 4; x < 215 + (y - 40) / 4; ++x) page.at(x, y) = 0.1f;
  }
  const PreprocessResult r = preprocess(page);
  ASSERT_TRUE(r.found) << r.reason;
  const Image placed = map_to_image(r.input28.pixels(), r.transform, page.width(), page.height());
  double mass = 0, on_ink = 0;
  for (size_t i = 0; i < placed.size(); ++i) {
    mass += placed[i];
    if (page.data()[i] < 0.5f) on_ink += placed[i];
  }
  EXPECT_GT(on_ink / mass, 0.8);
}

// Maps placed on real photos and drawings: most of each map's mass falls inside the digit's box.
TEST(ExplainerSlow, MapsOnRealImagesLandOnTheInk) {
  double total_share = 0;
  int images = 0;
  for (const testing::LabelledImage& labelled : testing::labelled_images(DIGITLAB_REALWORLD_DIR)) {
    const std::string& file = labelled.file;
    const GrayImage image = load_image(labelled.path);
    const ImageReading reading = read_digits(*shipped_predictor(), image);
    ASSERT_TRUE(reading.found()) << file;
    const Image placed =
        place_on_image(reading, shipped_explainer().explain_reading(reading), image.width(), image.height());
    const DigitBox& box = reading.digits.front().input.box;
    double mass = 0, inside = 0;
    for (int y = 0; y < image.height(); ++y) {
      for (int x = 0; x < image.width(); ++x) {
        const double v = placed[static_cast<size_t>(y) * image.width() + x];
        mass += v;
        if (x >= box.x && y >= box.y && x < box.x + box.width && y < box.y + box.height) inside += v;
      }
    }
    ASSERT_GT(mass, 0.0) << file;
    EXPECT_GT(inside / mass, 0.6) << file;
    total_share += inside / mass;
    ++images;
  }
  std::printf("real images: on average %.1f%% of the map's mass inside the digit's box (%d images)\n",
              100 * total_share / images, images);
  EXPECT_GT(total_share / images, 0.85);
}

TEST(Explainer, NumbersGetOneMapPerDigitOnTheImage) {
  GrayImage page(240, 100, 1.0f);  // two bars far apart: the number "11"
  for (int y = 20; y < 80; ++y) {
    for (int x = 40; x < 50; ++x) page.at(x, y) = 0.0f;
    for (int x = 180; x < 190; ++x) page.at(x, y) = 0.0f;
  }
  ReadOptions options;
  options.number = true;
  const ImageReading reading = read_digits(*shipped_predictor(), page, options);
  ASSERT_EQ(reading.digits.size(), 2u);
  const auto explanations = shipped_explainer().explain_reading(reading);
  ASSERT_EQ(explanations.size(), 2u);
  const Image placed = place_on_image(reading, explanations, page.width(), page.height());
  double left = 0, right = 0;
  for (int y = 0; y < page.height(); ++y) {
    for (int x = 0; x < page.width(); ++x) (x < 120 ? left : right) += placed[static_cast<size_t>(y) * 240 + x];
  }
  EXPECT_GT(left, 0.0);
  EXPECT_GT(right, 0.0);
}

TEST(Heatmap, InfernoGrowsLighterFromBlackToPaleYellow) {
  const auto luminance = [](const std::array<uint8_t, 3>& c) { return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  EXPECT_LT(luminance(inferno(0.0f)), 5.0);
  EXPECT_GT(luminance(inferno(1.0f)), 230.0);
  for (int i = 1; i <= 64; ++i) EXPECT_GT(luminance(inferno(i / 64.0f)), luminance(inferno((i - 1) / 64.0f))) << i;
  const RgbImage picture = overlay(GrayImage(2, 1, 0.5f), {0.0f, 1.0f}, 1.0f);
  EXPECT_EQ(picture.rgb[0], 128);  // no heat: the image shows through
  EXPECT_EQ(picture.rgb[3], inferno(1.0f)[0]);
}

}  // namespace
}  // namespace digitlab
