#include "decoder/ctc.h"

#include "nn/log_softmax.h"

namespace attend::decoder {

Ctc::Ctc(const std::string& name, int64_t encoder_dim, int vocab_size, nn::Engine& engine)
    : linear_(name, encoder_dim, vocab_size, true, engine) {}

void Ctc::Init(Rng* rng) { linear_.Init(rng); }

void Ctc::Forward(const nn::Tensor& encoder_out, nn::Tensor* log_probs,
                  nn::Linear::State* plans) const {
  linear_.Forward(encoder_out, log_probs, plans);
  nn::LogSoftmax(*log_probs, log_probs);
}

void Ctc::Forward(const nn::Tensor& encoder_out, nn::Tensor* log_probs) {
  linear_.Forward(encoder_out, log_probs);
  nn::LogSoftmax(*log_probs, log_probs);
}

void Ctc::Backward(const nn::Tensor& encoder_out, const nn::Tensor& dlogits,
                   nn::Tensor* dencoder_out) {
  linear_.Backward(encoder_out, dlogits, dencoder_out);
}

}  // namespace attend::decoder
