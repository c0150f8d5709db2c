// The acoustic encoder's speed: attend::acoustic::Encoder with the default
// shape (3 bidirectional LSTM layers, 320 units per direction, 80-dim input,
// 4x pyramidal reduction by concatenation), one thread:
//   inference  batch 1 x 1000 frames   (forward_inference)
//   training   batch 16 x 500 frames   (forward_training + backward)
// in f32 and bf16, GRU in f32. Beside each time: GFLOP/s, and the ratio to
// oneDNN's own matmul on the same GEMM shapes measured in this run, and the
// PyTorch peer (torch.nn.LSTM, same shape, 1 thread) with its ratio.
//
// FLOPs (GEMMs only; the elementwise gate math is ignored), per layer l with
// input dim C_l, frames T_l, batch N, gates G (4 LSTM, 3 GRU), units H:
//   forward  = 2 directions x 2 x T_l x N x G*H x (C_l + H)
//   backward = 2 x forward   (the dX/dH GEMMs and the dW GEMMs)
// The matmul reference runs, per layer and direction, the input GEMM
// [T_l*N, C_l] x [C_l, G*H] once and the recurrent GEMM [N, H] x [H, G*H] T_l
// times, with weights in format_tag::any; its GFLOP/s is forward FLOPs over
// that time (the hardware limit for this shape of work); for training it adds
// the backward GEMMs (dX, dH per step, dW, dU) and uses forward+backward FLOPs.
//
// Usage: encoder_bench [CASE...] [--no-peer] [--no-reference] [--repeats N]
//                      [--bf16-backward auto|brgemm|reference]
//   CASE names a case as in its figures ("lstm.train.bf16"); none = all. The
//   flags skip the PyTorch peer and the matmul reference, and more repeats
//   let the steady state dominate, for profiling one case (perf, callgrind).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "acoustic/encoder.h"
#include "bench/common/report.h"
#include "nn/engine.h"

namespace {

using attend::acoustic::Encoder;
using attend::acoustic::EncoderConfig;
using attend::acoustic::Lengths;
using attend::nn::ComputeType;
using attend::nn::Tensor;
using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

int g_repeats = 3;  // timed calls per case (--repeats)
// The bf16 LSTM backward kernel (--bf16-backward auto|brgemm|reference), to
// measure the choice nn::RnnLayer::BackwardKernel makes.
attend::nn::RnnLayer::BackwardKernel g_bf16_backward = attend::nn::RnnLayer::BackwardKernel::kAuto;

EncoderConfig BenchConfig(const std::string& cell) {
  EncoderConfig c;  // the defaults are the benchmark's shape
  c.cell = cell;
  return c;
}

// Forward GEMM FLOPs of the encoder on N sequences of T frames.
double ForwardFlops(const EncoderConfig& c, int64_t T, int64_t N) {
  const double G = c.cell == "lstm" ? 4 : 3, H = c.hidden_dim;
  double flops = 0;
  for (int64_t l = 0; l < c.num_layers; ++l) {
    flops += 2 * 2.0 * T * N * G * H * (c.LayerInputDim(l) + H);
    if (l < c.NumReductions()) T = (T + 1) / 2;
  }
  return flops;
}

// Milliseconds of one oneDNN matmul [m, k] x [k, n] (weights in `any`).
double MatmulMs(int64_t m, int64_t k, int64_t n, dt type, int calls) {
  auto& eng = attend::nn::Engine::Get();
  memory::desc a_md({m, k}, type, tag::ab);
  memory::desc b_any({k, n}, type, tag::any);
  memory::desc c_md({m, n}, type == dt::f32 ? dt::f32 : dt::bf16, tag::ab);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_any, c_md), eng.engine());
  dnnl::matmul prim(pd);
  memory a(a_md, eng.engine()), b(pd.weights_desc(), eng.engine()), c(c_md, eng.engine());
  std::memset(a.get_data_handle(), 0, a_md.get_size());
  std::memset(b.get_data_handle(), 0, pd.weights_desc().get_size());
  return attend::bench::MedianMs(
      [&] {
        for (int i = 0; i < calls; ++i)
          prim.execute(eng.stream(), {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}});
        eng.stream().wait();
      },
      5, 1);
}

// The matmul reference time for the encoder's GEMMs: forward only, or forward
// and backward (dX = dG W, dH = dG U per step, dW = Xᵀ dG, dU = Hᵀ dG).
double MatmulReferenceMs(const EncoderConfig& c, int64_t T, int64_t N, dt type, bool training) {
  const int64_t G = c.cell == "lstm" ? 4 : 3, H = c.hidden_dim;
  double ms = 0;
  for (int64_t l = 0; l < c.num_layers; ++l) {
    const int64_t C = c.LayerInputDim(l), steps = T;
    ms += 2 * (MatmulMs(T * N, C, G * H, type, 1) +
               MatmulMs(N, H, G * H, type, static_cast<int>(steps)));
    if (training)
      ms += 2 * (MatmulMs(T * N, G * H, C, type, 1) +
                 MatmulMs(N, G * H, H, type, static_cast<int>(steps)) +
                 MatmulMs(C, T * N, G * H, type, 1) + MatmulMs(H, T * N, G * H, type, 1));
    if (l < c.NumReductions()) T = (T + 1) / 2;
  }
  return ms;
}

struct Case {
  std::string cell;
  ComputeType type;
  bool training;
  int64_t T, N;
};

double RunAttend(const Case& k) {
  const EncoderConfig config = BenchConfig(k.cell);
  Encoder encoder(config);
  attend::Rng rng(1, "bench");
  encoder.Init(&rng);
  encoder.set_compute_type(k.type);
  for (int64_t l = 0; l < config.num_layers; ++l) {
    encoder.layer(l).l2r().set_bf16_backward_kernel(g_bf16_backward);
    encoder.layer(l).r2l().set_bf16_backward_kernel(g_bf16_backward);
  }
  Tensor x({k.T, k.N, config.input_dim});
  for (int64_t i = 0; i < x.size(); ++i) x[i] = rng.Uniform(-1, 1);
  const Lengths lengths(k.N, k.T);
  Tensor y, dy, dx;
  Lengths out_lengths;
  Encoder::Context ctx;
  auto params = encoder.Parameters();
  return attend::bench::MedianMs(
      [&] {
        encoder.Forward(x, lengths, &y, &out_lengths, &ctx, k.training);
        if (k.training) {
          if (dy.shape() != y.shape()) {
            dy.Resize(y.shape());
            dy.Fill(1.0f);
          }
          attend::nn::ZeroGrad(params);
          encoder.Backward(dy, &ctx, &dx);
        }
      },
      g_repeats, 1);
}

std::map<std::string, double> ParsePeer(const std::string& out) {
  std::map<std::string, double> values;
  std::istringstream in(out);
  std::string key;
  double value;
  while (in >> key >> value) values[key] = value;
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  std::set<std::string> only;
  bool run_peer = true, run_reference = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--no-peer") {
      run_peer = false;
    } else if (arg == "--repeats" && i + 1 < argc) {
      g_repeats = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--bf16-backward" && i + 1 < argc) {
      const std::string kernel = argv[++i];
      using Kernel = attend::nn::RnnLayer::BackwardKernel;
      g_bf16_backward = kernel == "brgemm"      ? Kernel::kBrgemm
                        : kernel == "reference" ? Kernel::kReference
                                                : Kernel::kAuto;
    } else if (arg == "--no-reference") {
      run_reference = false;
    } else {
      only.insert(arg);
    }
  }
  attend::nn::SetNumThreads(1);
  const int64_t kTrainN = 16, kTrainT = 500, kInferN = 1, kInferT = 1000;
  std::printf("# encoder: 3 x BiLSTM 320/direction, 80-dim input, 4x concat reduction, 1 thread\n");
  const std::string peer_out =
      run_peer ? attend::bench::RunPeer("torch_encoder.py",
                                        "--train-batch 16 --train-frames 500 --infer-batch 1 "
                                        "--infer-frames 1000 --repeats 3 --threads 1")
               : "";
  const std::map<std::string, double> peer = ParsePeer(peer_out);
  if (peer.empty()) std::printf("  (PyTorch peer unavailable: no ratio)\n");
  const Case cases[] = {
      {"lstm", ComputeType::kF32, false, kInferT, kInferN},
      {"lstm", ComputeType::kBf16, false, kInferT, kInferN},
      {"lstm", ComputeType::kF32, true, kTrainT, kTrainN},
      {"lstm", ComputeType::kBf16, true, kTrainT, kTrainN},
      {"gru", ComputeType::kF32, false, kInferT, kInferN},
      {"gru", ComputeType::kF32, true, kTrainT, kTrainN},
  };
  for (const Case& k : cases) {
    const EncoderConfig config = BenchConfig(k.cell);
    const bool bf16 = k.type == ComputeType::kBf16;
    const std::string dtype = bf16 ? "bf16" : "f32";
    const std::string mode = k.training ? "train" : "infer";
    const std::string case_name = k.cell + "." + mode + "." + dtype;
    if (!only.empty() && only.count(case_name) == 0) continue;
    const std::string name = "acoustic.encoder." + case_name;
    const std::string shape = std::to_string(k.N) + "x" + std::to_string(k.T);
    const std::string what = k.training ? "forward+backward" : "forward";
    const double ms = RunAttend(k);
    const double fwd_flops = ForwardFlops(config, k.T, k.N);
    const double flops = fwd_flops * (k.training ? 3 : 1);
    const double gflops = flops / (ms * 1e6);
    const std::string config_text = dtype + ", 1 thread, " + k.cell + " 3x320/dir, batch " + shape;
    attend::bench::Figure time{name + ".ms", "ms", ms, config_text + ", " + what, {}};
    const auto it = peer.find(mode + "_" + dtype);
    if (k.cell == "lstm" && it != peer.end())
      time.peers.push_back(
          {std::string("torch 1.13 nn.LSTM") + (bf16 ? " bf16" : " + OpenBLAS") + ", 1 thread",
           it->second});
    attend::bench::Report(time);
    attend::bench::Report({name + ".gflops", "GFLOP/s", gflops, config_text + ", " + what, {}});
    if (!run_reference) continue;
    const double ref_ms =
        MatmulReferenceMs(config, k.T, k.N, bf16 ? dt::bf16 : dt::f32, k.training);
    const double peak = flops / (ref_ms * 1e6);
    const double f32_peak =
        bf16 ? flops / (MatmulReferenceMs(config, k.T, k.N, dt::f32, k.training) * 1e6) : peak;
    attend::bench::Report({name + ".matmul_peak",
                           "GFLOP/s",
                           peak,
                           "oneDNN matmul on the same GEMM shapes (" + what + "), " + dtype,
                           {}});
    attend::bench::Report({name + ".fraction_of_peak",
                           "%",
                           100.0 * gflops / peak,
                           "encoder GFLOP/s / same-dtype matmul GFLOP/s, " + dtype,
                           {}});
    if (bf16)
      attend::bench::Report({name + ".fraction_of_f32_peak",
                             "%",
                             100.0 * gflops / f32_peak,
                             "encoder GFLOP/s / f32 matmul GFLOP/s on the same shapes",
                             {}});
  }
  return 0;
}
