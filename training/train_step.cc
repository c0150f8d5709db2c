#include "training/train_step.h"

#include <chrono>
#include <cmath>

#include "nn/grad_clip.h"

namespace attend::training {

namespace {

using Clock = std::chrono::steady_clock;

// Adds the seconds since `*start` to `*sum` and restarts the clock.
void Lap(Clock::time_point* start, double* sum) {
  const Clock::time_point now = Clock::now();
  *sum += std::chrono::duration<double>(now - *start).count();
  *start = now;
}

}  // namespace

TrainStep::TrainStep(model::AsrModel* model, const decoder::JointLossOptions& loss,
                     const OptimizerOptions& optimizer, double clip_norm)
    : model_(model),
      params_(model->Parameters()),
      optimizer_(params_, optimizer),
      loss_(loss),
      clip_norm_(clip_norm) {}

GradientResult TrainStep::ComputeGradients(const Batch& batch, Rng* dropout_rng,
                                           Rng* sampling_rng) {
  GradientResult result;
  Clock::time_point t = Clock::now();
  nn::ZeroGrad(params_);
  Lap(&t, &times_.clip);
  model_->encoder().Forward(batch.features, batch.lengths, &encoded_, &out_lengths_, &enc_ctx_,
                            /*training=*/true, dropout_rng);
  Lap(&t, &times_.encoder_forward);
  result.loss = loss_.ForwardBackward(&model_->ctc(), &model_->decoder(), encoded_, out_lengths_,
                                      batch.targets, sampling_rng, &dencoded_);
  Lap(&t, &times_.heads);
  ++times_.steps;
  if (!std::isfinite(result.loss.total)) {
    nn::ZeroGrad(params_);
    return result;
  }
  model_->encoder().Backward(dencoded_, &enc_ctx_, nullptr);
  Lap(&t, &times_.encoder_backward);
  result.grad_norm = nn::ClipGradNorm(params_, clip_norm_);
  Lap(&t, &times_.clip);
  result.finite = std::isfinite(result.grad_norm);
  if (!result.finite) nn::ZeroGrad(params_);
  return result;
}

void TrainStep::Update(float learning_rate) {
  Clock::time_point t = Clock::now();
  optimizer_.Step(learning_rate);
  Lap(&t, &times_.optimizer);
}

}  // namespace attend::training
