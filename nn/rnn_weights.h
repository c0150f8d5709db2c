// The one place where PyTorch's recurrent-layer parameters meet oneDNN's
// (STYLE 10). Everything about gate order and bias layout lives here:
//
//   PyTorch (torch.nn.LSTM / torch.nn.GRU, one layer, one direction):
//     weight_ih [G*H, C], weight_hh [G*H, H], bias_ih [G*H], bias_hh [G*H]
//     LSTM gates (i, f, g, o); GRU gates (r, z, n) with
//       n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) n + z h.
//   oneDNN (single layer, single direction, plain layouts):
//     weights_layer [1, 1, C, G, H] in `ldgoi` order (= PyTorch's memory order),
//     weights_iter  [1, 1, H, G, H] in `ldgoi`, bias [1, 1, Gb, H] `ldgo` with
//     LSTM gates (i, f, c̃, o), Gb = 4: b = b_ih + b_hh per gate;
//     linear-before-reset GRU gates (u, r, o) + an extra bias, Gb = 4:
//       u = z, r = r, o = n; b = (b_iz + b_hz, b_ir + b_hr, b_in, b_hn).
// oneDNN layer code then reorders the plain `ldgoi` weights to whatever blocked
// layout a primitive prefers (format_tag::any), once per weight version.
#pragma once

#include <cstdint>
#include <string>

namespace attend::nn {

enum class RnnCell { kLstm, kGru };

// "lstm" / "gru" and back; throws attend::Error naming `option` on a bad name.
RnnCell ParseRnnCell(const std::string& name, const std::string& option);
const char* RnnCellName(RnnCell cell);

// Gates per cell (4 for LSTM, 3 for GRU) and oneDNN bias rows (4 for both).
int64_t RnnNumGates(RnnCell cell);
int64_t RnnNumBiases(RnnCell cell);

// Views of one direction's parameters (or gradients) in PyTorch's layout.
struct TorchRnnWeights {
  float* weight_ih;  // [G*H, C]
  float* weight_hh;  // [G*H, H]
  float* bias_ih;    // [G*H]
  float* bias_hh;    // [G*H]
};

// Views of the same in oneDNN's plain layouts (see the header comment).
struct OnednnRnnWeights {
  float* weights_layer;  // [1, 1, C, G, H] ldgoi
  float* weights_iter;   // [1, 1, H, G, H] ldgoi
  float* bias;           // [1, 1, Gb, H] ldgo
};

enum class RnnConversion {
  kTorchToOnednn,      // overwrite `onednn` with the values of `torch`
  kOnednnGradToTorch,  // add the gradient `onednn` into the gradients `torch`
                       // (the adjoint of the forward map: a summed bias's
                       // gradient goes to both of its PyTorch biases)
};

// Converts one direction's parameters between the two layouts.
void ConvertRnnWeights(RnnCell cell, int64_t input_dim, int64_t hidden_dim,
                       RnnConversion conversion, const TorchRnnWeights& torch,
                       const OnednnRnnWeights& onednn);

}  // namespace attend::nn
