// A token embedding table: row `id` of W [vocab, dim] is the vector of token
// `id` (PyTorch's nn.Embedding layout). The layer owns W and its gradient;
// Backward adds into the gradient so one table can serve many time steps.
#pragma once

#include <string>
#include <vector>

#include "base/random.h"
#include "nn/parameter.h"
#include "nn/tensor.h"

namespace attend::nn {

class Embedding {
 public:
  Embedding(const std::string& name, int64_t vocab_size, int64_t dim);

  // PyTorch's default initialization: N(0, 1).
  void Init(Rng* rng);

  // ids: R token ids in [0, vocab) -> y [R, dim] (resized). Throws
  // attend::Error naming the layer on an id out of range.
  void Forward(const std::vector<int>& ids, Tensor* y) const;
  // Adds dy [R, dim] into the gradient rows of `ids`.
  void Backward(const std::vector<int>& ids, const Tensor& dy);

  std::vector<Parameter*> Parameters() { return {&weight_}; }
  Parameter& weight() { return weight_; }
  int64_t vocab_size() const { return vocab_size_; }
  int64_t dim() const { return dim_; }

 private:
  int64_t vocab_size_;
  int64_t dim_;
  Parameter weight_;
};

}  // namespace attend::nn
