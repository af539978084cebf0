#pragma once
// Named training recipes: the settings a run starts from, before any option the user changes.
//
//   digitlab::TrainConfig config = digitlab::with_recipe(digitlab::TrainConfig{}, digitlab::Recipe::kQuick);
//
// default: the recipe of the shipped model (TrainConfig's defaults: 30 epochs, exponential decay, early stopping).
// quick:   a good model in a few epochs: 3 epochs of 40,000 images drawn afresh from the training split, at batch
//          256 with a one-cycle learning rate (Adam, peak 4e-3), label smoothing 0.1, the usual augmentation,
//          dropout 0.05 after each block and 0.1 after the dense layer, and bfloat16 on CPUs that compute it
//          natively. Chosen on the validation split: first among 12 variants (epochs 1-3, peak 2e-3/4e-3,
//          augmentation half/full) trained by the PyTorch peer (bench/peer_train.py --sweep), then the images per
//          epoch, the batch and the dropout on a 2-core CPU; see docs/benchmarks.md for its figures.

#include <digitlab/trainer.h>

#include <cstdint>
#include <string>
#include <vector>

namespace digitlab {

enum class Recipe { kDefault, kQuick };

/// The quick recipe's images per epoch and dropout rates.
constexpr int64_t kQuickImagesPerEpoch = 40000;
constexpr double kQuickConvDropout = 0.05;
constexpr double kQuickDenseDropout = 0.1;
/// The share of joined-digit images (TrainConfig::non_digits) the bundled model was fine-tuned with, and the one the
/// app's Train tab uses when "Teach joined digits" is ticked.
constexpr double kNonDigitsShare = 0.15;
/// The share of 1s and 4s drawn in other writing styles (TrainConfig::writing_styles) the bundled model was
/// fine-tuned with, and the one the app's Train tab uses when "Teach more writing styles" is ticked.
constexpr double kWritingStylesShare = 0.2;

/// "default" or "quick"; throws std::runtime_error naming the choices for anything else.
Recipe parse_recipe(const std::string& name);
std::string recipe_name(Recipe recipe);
std::vector<std::string> recipe_names();

/// `base` with the recipe's settings (epochs, images per epoch, batch, learning rate and schedule, label smoothing,
/// augmentation, dropout, precision, patience); data, output, device, seed, limits and the rest of the network
/// stay as they were.
TrainConfig with_recipe(TrainConfig base, Recipe recipe);

/// A one-cycle run ends at its best, whatever its number of epochs, so it never stops early: with that schedule the
/// patience becomes the epochs. Call it after changing the epochs of a recipe's config (the CLI, the Train tab).
void run_one_cycle_to_the_end(TrainConfig& config);

}  // namespace digitlab
