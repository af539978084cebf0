#pragma once
// The learning rate of every optimizer step of a run, from TrainConfig's schedule. Torch-free.

#include <digitlab/trainer.h>

#include <cstdint>

namespace digitlab {

class LearningRate {
 public:
  /// `steps_per_epoch` optimizer steps make one epoch; the run has config.epochs of them.
  LearningRate(const TrainConfig& config, int64_t steps_per_epoch);

  /// The rate for step `step` (0-based) of epoch `epoch` (0-based).
  double at(int epoch, int64_t step) const;

  static constexpr double kOneCycleWarmup = 0.25;       ///< Share of the run spent rising.
  static constexpr double kOneCycleStartDivisor = 25;   ///< The run starts at peak / this.
  static constexpr double kOneCycleFinalDivisor = 1e4;  ///< ... and ends at peak / this.

 private:
  LrSchedule schedule_;
  double peak_;
  double decay_;
  int64_t steps_per_epoch_;
  int64_t total_steps_;
};

}  // namespace digitlab
