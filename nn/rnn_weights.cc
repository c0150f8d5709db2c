#include "nn/rnn_weights.h"

#include <algorithm>

#include "base/error.h"

namespace attend::nn {
namespace {

// oneDNN gate g holds PyTorch gate kGatePerm[cell][g].
constexpr int kLstmGates[4] = {0, 1, 2, 3};  // i f g o  -> i f c̃ o
constexpr int kGruGates[3] = {1, 0, 2};      // r z n    -> u(=z) r o(=n)

const int* GatePermutation(RnnCell cell) { return cell == RnnCell::kLstm ? kLstmGates : kGruGates; }

}  // namespace

RnnCell ParseRnnCell(const std::string& name, const std::string& option) {
  if (name == "lstm") return RnnCell::kLstm;
  if (name == "gru") return RnnCell::kGru;
  Fail("unknown RNN cell '", name, "' (", option, "): expected lstm or gru");
}

const char* RnnCellName(RnnCell cell) { return cell == RnnCell::kLstm ? "lstm" : "gru"; }

int64_t RnnNumGates(RnnCell cell) { return cell == RnnCell::kLstm ? 4 : 3; }
int64_t RnnNumBiases(RnnCell /*cell*/) { return 4; }

void ConvertRnnWeights(RnnCell cell, int64_t input_dim, int64_t hidden_dim,
                       RnnConversion conversion, const TorchRnnWeights& torch,
                       const OnednnRnnWeights& onednn) {
  const int64_t H = hidden_dim, C = input_dim, G = RnnNumGates(cell);
  const int* perm = GatePermutation(cell);
  const bool to_onednn = conversion == RnnConversion::kTorchToOnednn;
  // Weights: a permutation of [H, K] gate blocks; ldgoi keeps PyTorch's [o][i] order.
  auto blocks = [&](float* t, float* o, int64_t K) {
    for (int64_t g = 0; g < G; ++g) {
      float* tb = t + perm[g] * H * K;
      float* ob = o + g * H * K;
      if (to_onednn) {
        std::copy(tb, tb + H * K, ob);
      } else {
        for (int64_t i = 0; i < H * K; ++i) tb[i] += ob[i];
      }
    }
  };
  blocks(torch.weight_ih, onednn.weights_layer, C);
  blocks(torch.weight_hh, onednn.weights_iter, H);
  // Biases: oneDNN row r = sum of (PyTorch vector, gate) terms.
  struct Term {
    float* vec;
    int gate;
  };
  auto bias_terms = [&](int64_t row, Term* terms) -> int {
    if (cell == RnnCell::kLstm || row < 2) {
      terms[0] = {torch.bias_ih, perm[row]};
      terms[1] = {torch.bias_hh, perm[row]};
      return 2;
    }
    terms[0] = {row == 2 ? torch.bias_ih : torch.bias_hh, 2};  // b_in, then b_hn
    return 1;
  };
  for (int64_t row = 0; row < RnnNumBiases(cell); ++row) {
    Term terms[2];
    const int n = bias_terms(row, terms);
    float* ob = onednn.bias + row * H;
    if (to_onednn) {
      for (int64_t h = 0; h < H; ++h) {
        float sum = 0.0f;
        for (int k = 0; k < n; ++k) sum += terms[k].vec[terms[k].gate * H + h];
        ob[h] = sum;
      }
    } else {
      for (int k = 0; k < n; ++k)
        for (int64_t h = 0; h < H; ++h) terms[k].vec[terms[k].gate * H + h] += ob[h];
    }
  }
}

}  // namespace attend::nn
