// The CTC branch: a linear layer over the encoder states and a log-softmax,
//   log_probs = log_softmax(H Wᵀ + b)   [T', N, V] tnc
// The log-posteriors feed the CTC loss in training and the CTC prefix scorer
// in joint decoding.
#pragma once

#include <string>
#include <vector>

#include "base/random.h"
#include "nn/linear.h"
#include "nn/tensor.h"

namespace attend::decoder {

class Ctc {
 public:
  Ctc(const std::string& name, int64_t encoder_dim, int vocab_size,
      nn::Engine& engine = nn::Engine::Get());

  void Init(Rng* rng);
  std::vector<nn::Parameter*> Parameters() { return linear_.Parameters(); }

  // encoder_out [T, N, D] tnc -> log_probs [T, N, V] (resized); `plans` are
  // the caller's (see nn::Linear::State).
  void Forward(const nn::Tensor& encoder_out, nn::Tensor* log_probs,
               nn::Linear::State* plans) const;
  // Forward on the layer's own (training) state.
  void Forward(const nn::Tensor& encoder_out, nn::Tensor* log_probs);
  // Given the same encoder_out and dL/dlogits [T, N, V], adds the layer's
  // gradients and writes dL/dencoder_out [T, N, D] (resized).
  void Backward(const nn::Tensor& encoder_out, const nn::Tensor& dlogits, nn::Tensor* dencoder_out);

  nn::Linear& linear() { return linear_; }
  int vocab_size() const { return static_cast<int>(linear_.out_dim()); }

 private:
  nn::Linear linear_;
};

}  // namespace attend::decoder
