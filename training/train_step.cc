#include "training/train_step.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

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
                     const OptimizerOptions& optimizer, double clip_norm, Communicator* comm)
    : model_(model),
      params_(model->Parameters()),
      optimizer_(params_, optimizer),
      loss_(loss),
      clip_norm_(clip_norm),
      comm_(comm) {}

GradientResult TrainStep::ComputeGradients(const Batch& batch, Rng* dropout_rng, Rng* sampling_rng,
                                           bool stop_requested) {
  if (comm_ != nullptr && comm_->size() > 1) {
    return ComputeDistributed(batch, dropout_rng, sampling_rng, stop_requested);
  }
  GradientResult result = ComputeLocal(batch, dropout_rng, sampling_rng);
  result.stop = stop_requested;
  return result;
}

GradientResult TrainStep::ComputeLocal(const Batch& batch, Rng* dropout_rng, Rng* sampling_rng) {
  GradientResult result;
  result.utterances = static_cast<int64_t>(batch.keys.size());
  result.tokens = batch.num_tokens();
  result.frames = batch.num_frames();
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

GradientResult TrainStep::ComputeDistributed(const Batch& batch, Rng* dropout_rng,
                                             Rng* sampling_rng, bool stop_requested) {
  GradientResult result;
  Clock::time_point t = Clock::now();
  double counts[3] = {static_cast<double>(batch.keys.size()),
                      static_cast<double>(batch.num_tokens()),
                      static_cast<double>(batch.num_frames())};
  comm_->AllreduceSum(counts, 3);
  result.utterances = static_cast<int64_t>(counts[0]);
  result.tokens = static_cast<int64_t>(counts[1]);
  result.frames = static_cast<int64_t>(counts[2]);
  Lap(&t, &times_.allreduce);
  nn::ZeroGrad(params_);
  Lap(&t, &times_.clip);
  bool local_finite = true;
  if (!batch.keys.empty()) {
    model_->encoder().Forward(batch.features, batch.lengths, &encoded_, &out_lengths_, &enc_ctx_,
                              /*training=*/true, dropout_rng);
    Lap(&t, &times_.encoder_forward);
    const decoder::BatchTotals totals{result.utterances, result.tokens};
    result.loss = loss_.ForwardBackward(&model_->ctc(), &model_->decoder(), encoded_, out_lengths_,
                                        batch.targets, sampling_rng, &dencoded_, &totals);
    Lap(&t, &times_.heads);
    local_finite = std::isfinite(result.loss.total);
    if (local_finite) {
      model_->encoder().Backward(dencoded_, &enc_ctx_, nullptr);
      Lap(&t, &times_.encoder_backward);
    } else {
      nn::ZeroGrad(params_);
    }
  }
  ++times_.steps;
  // Header: the loss parts (each rank's share of the global mean), then how
  // many ranks found a non-finite loss and how many were asked to stop.
  std::vector<float> header = {static_cast<float>(local_finite ? result.loss.total : 0),
                               static_cast<float>(local_finite ? result.loss.ctc : 0),
                               static_cast<float>(local_finite ? result.loss.attention : 0),
                               local_finite ? 0.0f : 1.0f, stop_requested ? 1.0f : 0.0f};
  AllreduceGradients(&header);
  Lap(&t, &times_.allreduce);
  result.loss.total = header[0];
  result.loss.ctc = header[1];
  result.loss.attention = header[2];
  result.loss.tokens = result.tokens;
  result.stop = header[4] > 0;
  if (header[3] > 0) {
    result.loss.total = std::numeric_limits<double>::quiet_NaN();
    nn::ZeroGrad(params_);
    return result;
  }
  // The clipping sees the summed gradient, so every rank clips alike.
  result.grad_norm = nn::ClipGradNorm(params_, clip_norm_);
  Lap(&t, &times_.clip);
  result.finite = std::isfinite(result.grad_norm) && result.utterances > 0;
  if (!result.finite) nn::ZeroGrad(params_);
  return result;
}

void TrainStep::AllreduceGradients(std::vector<float>* header) {
  size_t total = header->size();
  for (const nn::Parameter* p : params_) total += static_cast<size_t>(p->grad.size());
  flat_.resize(total);
  float* at = flat_.data();
  for (nn::Parameter* p : params_) at = std::copy_n(p->grad.data(), p->grad.size(), at);
  std::copy(header->begin(), header->end(), at);
  comm_->AllreduceSum(flat_.data(), static_cast<int64_t>(flat_.size()));
  const float* from = flat_.data();
  for (nn::Parameter* p : params_) {
    std::copy_n(from, p->grad.size(), p->grad.data());
    from += p->grad.size();
  }
  std::copy_n(from, header->size(), header->begin());
}

void TrainStep::Update(float learning_rate) {
  Clock::time_point t = Clock::now();
  optimizer_.Step(learning_rate);
  Lap(&t, &times_.optimizer);
}

}  // namespace attend::training
