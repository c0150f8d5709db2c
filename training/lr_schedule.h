// Learning-rate schedules for training, as a function of the optimizer step
// (1-based) and, for reduce-on-plateau, of a scale the trainer lowers when
// the dev loss stops improving:
//   noam      peak · min(step / warmup, sqrt(warmup / step))   (Vaswani et al. 2017,
//             normalized so the peak is reached at step = warmup)
//   constant  peak · min(1, step / warmup)
//   plateau   the constant schedule times the plateau scale
// Pure functions of their inputs, so a resumed run recomputes the same rates.
#pragma once

#include <cstdint>
#include <string>

#include <boost/program_options/options_description.hpp>

namespace attend::training {

struct LrScheduleOptions {
  std::string schedule = "noam";  // --lr-schedule: noam | constant | plateau
  float peak = 1e-3f;             // --lr: the highest learning rate
  int64_t warmup_steps = 1000;    // --warmup-steps: linear warmup length; 0 = none
  float plateau_factor = 0.5f;    // --plateau-factor: scale multiplier when dev loss stalls
  int64_t plateau_patience = 1;   // --plateau-patience: epochs without improvement before a cut
  float min_lr = 0.0f;            // --min-lr: floor on the learning rate

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag and the bad value.
  void Validate() const;
  std::string ToString() const;
};

// The learning rate at `step` (1-based) with the plateau `scale` (1 unless
// the schedule is plateau).
float LearningRate(const LrScheduleOptions& options, int64_t step, double scale = 1.0);

}  // namespace attend::training
