#include "training/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include <boost/program_options.hpp>

#include "base/config_text.h"
#include "base/error.h"

namespace attend::training {

namespace po = boost::program_options;

void LrScheduleOptions::Register(po::options_description* desc) {
  desc->add_options()("lr-schedule", po::value(&schedule)->default_value(schedule),
                      "learning-rate schedule: noam | constant | plateau (warmup, then constant "
                      "with cuts when the dev loss stalls)")(
      "lr", po::value(&peak)->default_value(peak), "peak learning rate")(
      "warmup-steps", po::value(&warmup_steps)->default_value(warmup_steps),
      "optimizer steps of linear warmup; 0 = none")(
      "plateau-factor", po::value(&plateau_factor)->default_value(plateau_factor),
      "plateau: multiply the learning rate by this when the dev loss stalls")(
      "plateau-patience", po::value(&plateau_patience)->default_value(plateau_patience),
      "plateau: epochs without a better dev loss before a cut")(
      "min-lr", po::value(&min_lr)->default_value(min_lr), "lower bound of the learning rate");
}

void LrScheduleOptions::Validate() const {
  ATTEND_CHECK(schedule == "noam" || schedule == "constant" || schedule == "plateau",
               "--lr-schedule must be noam, constant or plateau, got '", schedule, "'");
  ATTEND_CHECK(peak > 0 && std::isfinite(peak), "--lr must be positive, got ", peak);
  ATTEND_CHECK(warmup_steps >= 0, "--warmup-steps must be >= 0, got ", warmup_steps);
  ATTEND_CHECK(schedule != "noam" || warmup_steps > 0,
               "--lr-schedule noam needs --warmup-steps > 0");
  ATTEND_CHECK(plateau_factor > 0 && plateau_factor <= 1,
               "--plateau-factor must be in (0, 1], got ", plateau_factor);
  ATTEND_CHECK(plateau_patience >= 1, "--plateau-patience must be >= 1, got ", plateau_patience);
  ATTEND_CHECK(min_lr >= 0 && min_lr <= peak, "--min-lr must be in [0, --lr], got ", min_lr);
}

std::string LrScheduleOptions::ToString() const {
  LrScheduleOptions copy = *this;
  po::options_description desc;
  copy.Register(&desc);
  return ConfigText(desc);
}

float LearningRate(const LrScheduleOptions& options, int64_t step, double scale) {
  const double s = static_cast<double>(std::max<int64_t>(step, 1));
  const double w = static_cast<double>(options.warmup_steps);
  double factor = 1.0;
  if (options.schedule == "noam") {
    factor = std::min(s / w, std::sqrt(w / s));
  } else {
    factor = w > 0 ? std::min(1.0, s / w) : 1.0;
    if (options.schedule == "plateau") factor *= scale;
  }
  return static_cast<float>(std::max<double>(options.peak * factor, options.min_lr));
}

}  // namespace attend::training
