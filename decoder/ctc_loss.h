// The CTC loss (Graves et al. 2006) by forward–backward in log space, in
// double precision, with its gradient with respect to the logits that
// produced the log-probabilities. Agrees with torch.nn.functional.ctc_loss
// (reduction='none'): repeated labels need a blank between them, a target as
// long as the input is possible only without repeats, and an impossible
// alignment gives +inf (or 0 with zero_infinity, as in PyTorch).
#pragma once

#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "nn/tensor.h"

namespace attend::decoder {

struct CtcLossOptions {
  int blank = 0;               // the blank's id (the vocabulary's <blank>)
  bool zero_infinity = false;  // impossible alignments: loss 0 and no gradient instead of +inf

  void Register(boost::program_options::options_description* desc);
  void Validate() const;
  std::string ToString() const;
};

// log_probs [T, N, V] tnc (log-softmax over V); input_lengths[n] in [0, T];
// targets[n]: label ids in [0, V) without blanks. Writes losses[n] = −log
// p(targets[n] | x_n). When dlogits is not null it receives dL/dlogits [T, N,
// V] (resized) for L = Σ_n weights[n]·losses[n] (weights null: all 1); frames
// past a length, and utterances whose loss is infinite, get zero gradient.
// Throws attend::Error naming the utterance on bad lengths or labels.
void CtcLoss(const nn::Tensor& log_probs, const std::vector<int64_t>& input_lengths,
             const std::vector<std::vector<int>>& targets, const CtcLossOptions& options,
             const std::vector<double>* weights, std::vector<double>* losses, nn::Tensor* dlogits);

}  // namespace attend::decoder
