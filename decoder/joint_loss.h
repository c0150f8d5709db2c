// The joint CTC/attention training loss (Watanabe et al. 2017):
//   L = λ·L_ctc + (1 − λ)·L_att
// with L_att the label-smoothed cross-entropy of the attention decoder and
// L_ctc the CTC loss of the CTC branch, both normalized the same way: per
// utterance (sum / N) or per token (sum / number of target tokens; the
// decoder's count includes each <sos/eos>). ForwardBackward runs both heads
// forward and backward over a batch and returns dL/dH for the encoder.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "base/random.h"
#include "decoder/attention_decoder.h"
#include "decoder/ctc.h"
#include "decoder/ctc_loss.h"

namespace attend::decoder {

struct JointLossOptions {
  float ctc_weight = 0.3f;              // λ in [0, 1]; 0 = attention only, 1 = CTC only
  float label_smoothing = 0.1f;         // ε of the decoder's cross-entropy, [0, 1)
  std::string normalize = "utterance";  // "utterance" or "token"
  CtcLossOptions ctc;

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag and the value.
  void Validate() const;
  std::string ToString() const;
};

// The size of the whole batch when ForwardBackward sees a share of it (one
// rank of a data-parallel step): the loss and gradients are then normalized
// by the whole batch's counts, so the ranks' values and gradients sum to
// those of one process that saw the whole batch.
struct BatchTotals {
  int64_t utterances = 0;
  int64_t tokens = 0;  // reference tokens (without <sos/eos>)
};

struct JointLossValue {
  double total = 0;      // λ·ctc + (1 − λ)·attention
  double ctc = 0;        // normalized CTC loss
  double attention = 0;  // normalized cross-entropy
  int64_t tokens = 0;    // reference tokens in the batch (without <sos/eos>)
};

class JointLoss {
 public:
  explicit JointLoss(const JointLossOptions& options);

  // encoder_out [T, N, D] tnc, N lengths, N reference token sequences (no
  // <sos/eos>, no blanks). Adds the gradients of both heads' parameters and
  // writes dL/dencoder_out [T, N, D] (resized). When ctc_weight is 0 (1) the
  // CTC (attention) head is not run. `totals` (null: this batch's own
  // counts) normalize a share of a larger batch as that batch.
  JointLossValue ForwardBackward(Ctc* ctc, AttentionDecoder* decoder, const nn::Tensor& encoder_out,
                                 const std::vector<int64_t>& lengths,
                                 const std::vector<std::vector<int>>& targets, Rng* rng,
                                 nn::Tensor* dencoder_out, const BatchTotals* totals = nullptr);

 private:
  JointLossOptions options_;
  DecoderTrainContext decoder_ctx_;
  nn::Tensor ctc_log_probs_, ctc_dlogits_, dec_log_probs_, dec_dlogits_, denc_part_;
};

}  // namespace attend::decoder
