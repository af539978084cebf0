#include <digitlab/train_recipe.h>

#include <stdexcept>

namespace digitlab {

Recipe parse_recipe(const std::string& name) {
  if (name == "default") return Recipe::kDefault;
  if (name == "quick") return Recipe::kQuick;
  throw std::runtime_error("unknown recipe \"" + name + "\" (choose default or quick)");
}

std::string recipe_name(Recipe recipe) { return recipe == Recipe::kQuick ? "quick" : "default"; }

std::vector<std::string> recipe_names() { return {"default", "quick"}; }

TrainConfig with_recipe(TrainConfig base, Recipe recipe) {
  const TrainConfig defaults;
  TrainConfig c = std::move(base);
  c.recipe = recipe_name(recipe);
  if (recipe == Recipe::kDefault) {
    c.epochs = defaults.epochs;
    c.batch_size = defaults.batch_size;
    c.lr = defaults.lr;
    c.lr_decay = defaults.lr_decay;
    c.patience = defaults.patience;
    c.schedule = defaults.schedule;
    c.label_smoothing = defaults.label_smoothing;
    c.augment_strength = defaults.augment_strength;
    c.cpu_bf16 = defaults.cpu_bf16;
    c.cudnn_autotune = defaults.cudnn_autotune;
    c.images_per_epoch = defaults.images_per_epoch;
    c.model.conv_dropout = defaults.model.conv_dropout;
    c.model.dense_dropout = defaults.model.dense_dropout;
    return c;
  }
  // Chosen on the validation split (docs/benchmarks.md): three epochs of 40,000 images drawn afresh, with lighter
  // dropout than the default recipe's (the augmentation and the label smoothing regularize a short run enough).
  c.epochs = 3;
  c.images_per_epoch = kQuickImagesPerEpoch;
  c.model.conv_dropout = kQuickConvDropout;
  c.model.dense_dropout = kQuickDenseDropout;
  c.batch_size = 256;
  c.lr = 4e-3;
  c.schedule = LrSchedule::kOneCycle;
  c.label_smoothing = 0.1;
  c.augment_strength = 1.0;
  c.cpu_bf16 = true;
  // Autotuning costs about 3 s of the first epoch on an H200, more than it saves in three short epochs.
  c.cudnn_autotune = false;
  run_one_cycle_to_the_end(c);
  return c;
}

void run_one_cycle_to_the_end(TrainConfig& config) {
  if (config.schedule == LrSchedule::kOneCycle) config.patience = config.epochs;
}

}  // namespace digitlab
