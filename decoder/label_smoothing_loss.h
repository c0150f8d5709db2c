// Cross-entropy with label smoothing over a padded batch of decoder outputs,
// as torch.nn.CrossEntropyLoss(label_smoothing=ε): the target distribution is
// (1 − ε)·onehot(y) + ε/V, and the loss −Σ_v q_v log p_v. Positions past an
// utterance's output length are ignored (no loss, zero gradient).
#pragma once

#include <vector>

#include "nn/tensor.h"

namespace attend::decoder {

// log_probs [S, N, V] (log-softmax over V); outputs[n]: the tokens the
// decoder should emit (the reference followed by <sos/eos>), |outputs[n]| ≤ S.
// Writes sums[n] = Σ_s CE(step s of utterance n). When dlogits is not null it
// receives dL/dlogits [S, N, V] (resized) for L = Σ_n weights[n]·sums[n]
// (weights null: all 1). Returns Σ_n sums[n].
double LabelSmoothedCrossEntropy(const nn::Tensor& log_probs,
                                 const std::vector<std::vector<int>>& outputs, float smoothing,
                                 const std::vector<double>* weights, std::vector<double>* sums,
                                 nn::Tensor* dlogits);

}  // namespace attend::decoder
