// The math of one `attend train` optimizer step, apart from the trainer's
// bookkeeping so that bench/train_bench.cc runs exactly the trainer's step:
//   ComputeGradients: zero grads → encoder forward (training, dropout) →
//     JointLoss (CTC + attention decoder forward and backward, dL/dH) →
//     encoder backward → global grad-norm clipping
//   Update: the optimizer (Adam or AdaDelta) at the schedule's learning rate.
// Data-parallel (a Communicator of several ranks): each rank's batch is its
// share of a global batch. The ranks first sum the share sizes (utterances,
// tokens, frames), compute the loss normalized by the global batch, then sum
// every gradient with one allreduce over a flat buffer that also carries the
// loss and the ranks' non-finite and stop flags, so that every rank clips,
// skips or stops alike and applies the same update to the same weights.
// Each phase's wall time is summed into times(), so the trainer can say where
// a session's time went (a steady_clock read per phase: free beside the math).
#pragma once

#include <cstdint>
#include <vector>

#include "base/random.h"
#include "decoder/joint_loss.h"
#include "model/asr_model.h"
#include "training/dataset.h"
#include "training/distributed.h"
#include "training/optimizer.h"

namespace attend::training {

// Seconds spent in each phase, summed over steps.
struct StepTimes {
  double encoder_forward = 0;
  double heads = 0;  // CTC head and attention decoder, forward + backward (JointLoss)
  double encoder_backward = 0;
  double clip = 0;       // zeroing gradients and the global norm
  double optimizer = 0;  // the parameter update
  double allreduce = 0;  // summing gradients over ranks (with waiting for the slowest)
  int64_t steps = 0;
  double total() const {
    return encoder_forward + heads + encoder_backward + clip + optimizer + allreduce;
  }
};

// What ComputeGradients found.
struct GradientResult {
  decoder::JointLossValue loss;
  double grad_norm = 0;  // before clipping
  bool finite = false;   // loss and norm finite; otherwise the gradients are zeroed
  bool stop = false;     // some rank's stop_requested (the single process: its own)
  // The (global) batch: sums over the ranks' shares.
  int64_t utterances = 0, tokens = 0, frames = 0;
};

class TrainStep {
 public:
  // `loss.ctc_weight` should be the model's λ. The compute type of the
  // recurrent layers is set on the model (AsrModel::set_compute_type).
  // `comm` (null: a single process) must outlive the step.
  TrainStep(model::AsrModel* model, const decoder::JointLossOptions& loss,
            const OptimizerOptions& optimizer, double clip_norm, Communicator* comm = nullptr);

  // Gradients of the joint loss on `batch` (features, lengths, targets),
  // clipped to the global norm. `dropout_rng` and `sampling_rng` drive
  // dropout and scheduled sampling. With several ranks, `batch` is this
  // rank's share (it may have no utterances) and every rank must call this;
  // `stop_requested` is this rank's wish to stop, agreed in the result.
  GradientResult ComputeGradients(const Batch& batch, Rng* dropout_rng, Rng* sampling_rng,
                                  bool stop_requested = false);
  // Applies the optimizer at `learning_rate` to the current gradients.
  void Update(float learning_rate);

  Optimizer& optimizer() { return optimizer_; }
  const Optimizer& optimizer() const { return optimizer_; }
  const std::vector<nn::Parameter*>& parameters() const { return params_; }
  const StepTimes& times() const { return times_; }
  void ResetTimes() { times_ = StepTimes{}; }

 private:
  GradientResult ComputeLocal(const Batch& batch, Rng* dropout_rng, Rng* sampling_rng);
  GradientResult ComputeDistributed(const Batch& batch, Rng* dropout_rng, Rng* sampling_rng,
                                    bool stop_requested);
  // Sums the gradients and `header` over the ranks in one allreduce.
  void AllreduceGradients(std::vector<float>* header);

  model::AsrModel* model_;
  std::vector<nn::Parameter*> params_;
  Optimizer optimizer_;
  decoder::JointLoss loss_;
  double clip_norm_;
  Communicator* comm_;
  std::vector<float> flat_;  // gradients and header, allocated once
  acoustic::Encoder::Context enc_ctx_;
  nn::Tensor encoded_, dencoded_;
  std::vector<int64_t> out_lengths_;
  StepTimes times_;
};

}  // namespace attend::training
