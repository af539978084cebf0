#pragma once
// Internal to digitlab_explain: occlusion, the explanation that needs nothing but the model's answers, so it works
// for every model the Predictor runs (foreign TorchScript models included).

#include <digitlab/predictor.h>

#include <vector>

namespace digitlab {

/// Side of the square patch occlusion blacks out, in input pixels. One pixel at a time scored best in the deletion
/// test (on 300 MNIST test images: 8.8 times the fall of random removal, 5.6 with 2x2 patches, 5.0 with 3x3).
constexpr int kOcclusionPatch = 1;
/// Patches whose pixels are all at most this bright (the soft fringe of a stroke, faint noise) are not occluded: their
/// map stays 0. It saves a fifth of the work on MNIST digits (124 pixels left of 151 on average).
constexpr float kFaintInk = 0.25f;

/// The occlusion map of `input` (kInputPixels floats): every kOcclusionPatch-square patch that holds ink (a pixel
/// brighter than kFaintInk) is set to 0 (the background) in turn, all of them classified in one batch by `predictor`;
/// a pixel's value is the mean fall, over the patches covering it, of the score log p(target) - log p(versus) (the
/// target's log-odds when versus < 0).
/// Throws what Predictor::predict_batch throws.
std::vector<float> occlusion_map(const Predictor& predictor, const std::vector<float>& input, int target, int versus);

/// The score occlusion_map() measures, from one answer's probabilities.
double occlusion_score(const std::vector<float>& probabilities, int target, int versus);

}  // namespace digitlab
