#include "train/learning_rate.h"

#include <algorithm>
#include <cmath>

namespace digitlab {
namespace {

/// From `from` to `to` along half a cosine as t goes from 0 to 1.
double cosine_between(double from, double to, double t) { return to + (from - to) * (1 + std::cos(M_PI * t)) / 2; }

}  // namespace

LearningRate::LearningRate(const TrainConfig& config, int64_t steps_per_epoch)
    : schedule_(config.schedule),
      peak_(config.lr),
      decay_(config.lr_decay),
      steps_per_epoch_(std::max<int64_t>(1, steps_per_epoch)),
      total_steps_(std::max<int64_t>(1, steps_per_epoch_ * config.epochs)) {}

double LearningRate::at(int epoch, int64_t step) const {
  if (schedule_ == LrSchedule::kExponential) return peak_ * std::pow(decay_, epoch);
  const double position = static_cast<double>(epoch * steps_per_epoch_ + step);
  const double rise = std::max(1.0, kOneCycleWarmup * static_cast<double>(total_steps_));
  if (position < rise) return cosine_between(peak_ / kOneCycleStartDivisor, peak_, position / rise);
  const double fall = std::max(1.0, static_cast<double>(total_steps_) - rise);
  return cosine_between(peak_, peak_ / kOneCycleFinalDivisor, std::min(1.0, (position - rise) / fall));
}

}  // namespace digitlab
