#include <digitlab/preprocessor.h>

#include "image/digit_pieces.h"
#include "image/ink_analysis.h"
#include "image/rendering.h"
#include "image/stroke_selection.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace digitlab {
namespace detail {
namespace {

// A digit whose box is smaller than this (working pixels) in a downscaled input is looked at again, in its
// neighbourhood only, at a finer resolution.
constexpr int kRefineBelow = 64;
constexpr float kRefineMargin = 0.25f;  // neighbourhood around the digit, as a share of its longer side
// A digit smaller than this share of the image's longer side (and 3 pixels) is a speck on blank paper.
constexpr float kMinDigitShare = 0.04f;
constexpr int kMinDigitPixels = 3;

// A digit that came out small from a downscaled input is cut again from the input's pixels around it, at a
// finer resolution, with the same polarity. Returns the better crop.
std::pair<Crop, const InkAnalysis*> refine(const GrayImage& image, const InkAnalysis& coarse, Crop crop,
                                           const PreprocessOptions& options, InkAnalysis& fine) {
  if (coarse.factor <= 1 || crop.box.longer() >= kRefineBelow) return {std::move(crop), &coarse};
  const DigitBox box = input_box(coarse, crop.box);
  const int margin = static_cast<int>(kRefineMargin * std::max(box.width, box.height)) + coarse.factor;
  Region region;
  region.x = std::max(0, box.x - margin);
  region.y = std::max(0, box.y - margin);
  region.width = std::min(image.width(), box.x + box.width + margin) - region.x;
  region.height = std::min(image.height(), box.y + box.height + margin) - region.y;
  fine = analyse_ink(image, region, options, coarse.dark_ink ? InkPolarity::kDarkOnLight : InkPolarity::kLightOnDark);
  if (fine.ink.empty() || fine.factor >= coarse.factor) return {std::move(crop), &coarse};
  Component target;
  target.x0 = (box.x - region.x) / fine.factor;
  target.y0 = (box.y - region.y) / fine.factor;
  target.x1 = (box.x - region.x + box.width - 1) / fine.factor;
  target.y1 = (box.y - region.y + box.height - 1) / fine.factor;
  Crop fine_crop = crop_digit(fine, select_in_box(fine, target));
  if (fine_crop.ink.empty()) return {std::move(crop), &coarse};
  return {std::move(fine_crop), &fine};
}

PreprocessResult not_found(const InkAnalysis& a, const char* reason) {
  PreprocessResult r;
  r.grayscale = a.work;
  r.ink_mask = GrayImage(a.work.width(), a.work.height());
  r.reason = reason;
  return r;
}

GrayImage chosen_mask(const InkAnalysis& a, const std::vector<int>& chosen) {
  GrayImage mask(a.work.width(), a.work.height());
  std::vector<uint8_t> is_chosen(a.components.size(), 0);
  for (int i : chosen) is_chosen[i] = 1;
  for (size_t p = 0; p < a.labels.size(); ++p) {
    if (a.labels[p] >= 0 && is_chosen[a.labels[p]]) mask.data()[p] = 1.0f;
  }
  return mask;
}

PreprocessResult render_digit(const GrayImage& image, const InkAnalysis& a, const std::vector<int>& chosen,
                              const PreprocessOptions& options) {
  Crop crop = crop_digit(a, chosen);
  const int longer = crop.box.longer();
  const int work_longer = std::max(a.work.width(), a.work.height());
  if (crop.ink.empty() || longer < kMinDigitPixels || longer < kMinDigitShare * work_longer) {
    return not_found(a, "no digit found");
  }
  InkAnalysis fine;
  auto [best, source] = refine(image, a, std::move(crop), options, fine);
  PreprocessResult r;
  r.found = true;
  r.grayscale = a.work;
  r.ink_mask = chosen_mask(a, chosen);
  InputTransform in_crop;
  r.input28 = render_input(best.ink, options, &in_crop);
  r.box = input_box(*source, best.box);
  r.transform = input_transform(*source, best.box, in_crop);
  r.cropped = std::move(best.ink);
  return r;
}

}  // namespace
}  // namespace detail

PreprocessResult preprocess(const GrayImage& image, const PreprocessOptions& options) {
  if (image.empty()) {
    PreprocessResult r;
    r.reason = "empty image";
    return r;
  }
  const detail::InkAnalysis a = detail::analyse_ink(image, detail::whole(image), options, options.polarity);
  if (a.candidates.empty()) return detail::not_found(a, "no digit found");
  return detail::render_digit(image, a, detail::select_digit(a), options);
}

std::vector<PreprocessResult> preprocess_multi(const GrayImage& image, const PreprocessOptions& options) {
  return detail::digits_by_overlap(image, options);
}

std::vector<DigitBox> segment_digits(const GrayImage& image, const PreprocessOptions& options) {
  std::vector<DigitBox> boxes;
  for (const PreprocessResult& r : preprocess_multi(image, options)) boxes.push_back(r.box);
  return boxes;
}

}  // namespace digitlab
