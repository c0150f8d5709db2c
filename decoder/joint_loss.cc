#include "decoder/joint_loss.h"

#include <boost/program_options.hpp>
#include <sstream>

#include "base/error.h"
#include "decoder/label_smoothing_loss.h"

namespace attend::decoder {

namespace po = boost::program_options;

void JointLossOptions::Register(po::options_description* desc) {
  desc->add_options()("ctc-weight", po::value(&ctc_weight)->default_value(ctc_weight),
                      "λ of the joint loss λ·CTC + (1−λ)·attention, in [0, 1]")(
      "label-smoothing", po::value(&label_smoothing)->default_value(label_smoothing),
      "label smoothing ε of the decoder cross-entropy, in [0, 1)")(
      "loss-normalize", po::value(&normalize)->default_value(normalize),
      "average losses per 'utterance' or per 'token'");
  ctc.Register(desc);
}

void JointLossOptions::Validate() const {
  ATTEND_CHECK(ctc_weight >= 0 && ctc_weight <= 1, "--ctc-weight must be in [0, 1], got ",
               ctc_weight);
  ATTEND_CHECK(label_smoothing >= 0 && label_smoothing < 1,
               "--label-smoothing must be in [0, 1), got ", label_smoothing);
  ATTEND_CHECK(normalize == "utterance" || normalize == "token",
               "--loss-normalize must be utterance or token, got '", normalize, "'");
  ctc.Validate();
}

std::string JointLossOptions::ToString() const {
  std::ostringstream out;
  out << "ctc-weight=" << ctc_weight << " label-smoothing=" << label_smoothing
      << " loss-normalize=" << normalize << " " << ctc.ToString();
  return out.str();
}

JointLoss::JointLoss(const JointLossOptions& options) : options_(options) { options_.Validate(); }

JointLossValue JointLoss::ForwardBackward(Ctc* ctc, AttentionDecoder* decoder,
                                          const nn::Tensor& encoder_out,
                                          const std::vector<int64_t>& lengths,
                                          const std::vector<std::vector<int>>& targets, Rng* rng,
                                          nn::Tensor* dencoder_out, const BatchTotals* totals) {
  JointLossValue value;
  for (const auto& y : targets) value.tokens += static_cast<int64_t>(y.size());
  // The counts that normalize: this batch's, or the whole batch's it is a share of.
  const int64_t N = totals ? totals->utterances : static_cast<int64_t>(targets.size());
  const int64_t tokens = totals ? totals->tokens : value.tokens;
  const auto n_here = static_cast<int64_t>(targets.size());
  const bool per_token = options_.normalize == "token";
  const double lambda = options_.ctc_weight;
  dencoder_out->Resize(encoder_out.shape());
  dencoder_out->SetZero();
  if (lambda > 0) {
    ctc->Forward(encoder_out, &ctc_log_probs_);
    const double denom = per_token ? std::max<int64_t>(1, tokens) : N;
    std::vector<double> weights(n_here, lambda / denom), losses;
    CtcLoss(ctc_log_probs_, lengths, targets, options_.ctc, &weights, &losses, &ctc_dlogits_);
    for (double l : losses) value.ctc += l / denom;
    ctc->Backward(encoder_out, ctc_dlogits_, &denc_part_);
    for (int64_t i = 0; i < denc_part_.size(); ++i) (*dencoder_out)[i] += denc_part_[i];
  }
  if (lambda < 1) {
    decoder->Forward(encoder_out, lengths, targets, rng, &decoder_ctx_, &dec_log_probs_);
    std::vector<std::vector<int>> outputs = targets;
    for (auto& y : outputs) y.push_back(decoder->eos_id());
    const double denom = per_token ? tokens + N : N;
    std::vector<double> weights(n_here, (1 - lambda) / denom), sums;
    double total = LabelSmoothedCrossEntropy(dec_log_probs_, outputs, options_.label_smoothing,
                                             &weights, &sums, &dec_dlogits_);
    value.attention = total / denom;
    decoder->Backward(&decoder_ctx_, dec_dlogits_, &denc_part_);
    for (int64_t i = 0; i < denc_part_.size(); ++i) (*dencoder_out)[i] += denc_part_[i];
  }
  value.total = lambda * value.ctc + (1 - lambda) * value.attention;
  return value;
}

}  // namespace attend::decoder
