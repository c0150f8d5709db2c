// Training checkpoints: a model file (nn/model_file.h) that is also a valid
// model (AsrModel::Load reads it and ignores the rest), plus the optimizer's
// state ("adam.*" or "adadelta.*" tensors) and the trainer's state as `train-state.<name> =
// value` lines after the model's config (unknown keys to the model's
// parser). Written atomically, so a kill at any moment leaves either the old
// or the new checkpoint, never a torn one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/asr_model.h"
#include "training/optimizer.h"

namespace attend::training {

// A kept checkpoint and the loss that ranks it (dev loss, or the epoch's
// train loss without a dev set).
struct RankedCheckpoint {
  std::string path;
  double loss = 0;
};

// Everything besides the model and the optimizer that a resumed run needs to
// continue exactly where the interrupted one stopped.
struct TrainState {
  int64_t step = 0;                    // optimizer steps done
  int64_t epoch = 0;                   // current epoch (0-based)
  int64_t batch_position = 0;          // next position in the epoch's batch order
  double elapsed_s = 0;                // training wall time so far, over all sessions
  double plateau_scale = 1;            // reduce-on-plateau multiplier
  double best_loss = 0;                // best ranking loss so far (valid when epochs_ranked > 0)
  int64_t epochs_ranked = 0;           // evaluations so far
  int64_t stalled_epochs = 0;          // evaluations since the best one
  double window_loss = 0;              // train loss summed since the last log line
  int64_t window_steps = 0;            // steps in that sum
  double epoch_loss = 0;               // train loss summed over this epoch
  int64_t epoch_steps = 0;             // steps in that sum
  int64_t bad_in_a_row = 0;            // non-finite steps skipped since the last good one
  int64_t metrics_rows = 0;            // metrics.csv data rows by then (-1: an older checkpoint)
  std::string dropout_rng;             // Rng::SaveState of the dropout generator
  std::string sampling_rng;            // Rng::SaveState of the scheduled-sampling generator
  std::vector<RankedCheckpoint> kept;  // best checkpoints, best first

  // `train-state.<name> = value` lines, and back (throws attend::Error naming
  // `source` when a field is missing or malformed).
  std::string ToText() const;
  static TrainState FromText(const std::string& text, const std::string& source);
};

// Writes model + optimizer + state to `path` atomically.
void SaveCheckpoint(const std::string& path, const model::AsrModel& model,
                    const Optimizer& optimizer, const TrainState& state);

// Reads the optimizer state and the trainer state of a checkpoint written by
// SaveCheckpoint (the model itself: AsrModel::Load on the same path). Throws
// attend::Error naming the file when it is not a checkpoint.
TrainState LoadCheckpoint(const std::string& path, Optimizer* optimizer);

// The element-wise mean of the parameters of `paths` (models or
// checkpoints with the same config and shapes); config, vocabulary and CMVN
// come from the first. Throws attend::Error naming the file that differs.
std::unique_ptr<model::AsrModel> AverageModels(const std::vector<std::string>& paths);

}  // namespace attend::training
