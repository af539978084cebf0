#pragma once
// Named training recipes: the settings a run starts from, before any option the user changes.
//
//   digitlab::TrainConfig config = digitlab::with_recipe(digitlab::TrainConfig{}, digitlab::Recipe::kQuick);
//
// default: the recipe of the shipped model (TrainConfig's defaults: 30 epochs, exponential decay, early stopping).
// quick:   a good model in a few epochs: 3 epochs at batch 256 with a one-cycle learning rate (Adam, peak 4e-3),
//          label smoothing 0.1, the usual augmentation, and bfloat16 on CPUs that compute it natively. Chosen on the
//          validation split among 12 variants (epochs 1-3, peak 2e-3/4e-3, augmentation half/full) trained by the
//          PyTorch peer (bench/peer_train.py --sweep); see docs/benchmarks.md for its figures.

#include <digitlab/trainer.h>

#include <string>
#include <vector>

namespace digitlab {

enum class Recipe { kDefault, kQuick };

/// "default" or "quick"; throws std::runtime_error naming the choices for anything else.
Recipe parse_recipe(const std::string& name);
std::string recipe_name(Recipe recipe);
std::vector<std::string> recipe_names();

/// `base` with the recipe's settings (epochs, batch, learning rate and schedule, label smoothing, augmentation,
/// precision, patience); data, output, device, seed and limits stay as they were.
TrainConfig with_recipe(TrainConfig base, Recipe recipe);

}  // namespace digitlab
