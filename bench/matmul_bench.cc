// The hardware limit in the same run: oneDNN f32 and bf16 matmul on an
// LSTM-shaped GEMM (M=3200, K=960, N=1280 ≈ a 3-layer 320-unit BiLSTM's
// input GEMM) and on a decoder-sized one (M=8), one thread. Other benchmarks
// state their GFLOP/s beside these.
#include <cstdio>
#include <string>

#include "bench/common/report.h"
#include "nn/engine.h"

namespace {

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

double MatmulGflops(int64_t m, int64_t k, int64_t n, dt type) {
  auto& eng = attend::nn::Engine::Get();
  memory::desc a_md({m, k}, type, tag::ab);
  memory::desc b_any({k, n}, type, tag::any);
  memory::desc c_md({m, n}, dt::f32, tag::ab);
  matmul::primitive_desc pd(matmul::desc(a_md, b_any, c_md), eng.engine());
  matmul prim(pd);
  memory a(a_md, eng.engine()), b(pd.weights_desc(), eng.engine()), c(c_md, eng.engine());
  double ms = attend::bench::MedianMs(
      [&] {
        prim.execute(eng.stream(), {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}});
        eng.stream().wait();
      },
      9, 3);
  return 2.0 * m * k * n / (ms * 1e6);
}

}  // namespace

int main() {
  attend::nn::SetNumThreads(1);
  struct Case {
    const char* name;
    int64_t m, k, n;
  } cases[] = {{"lstm_gemm_3200x960x1280", 3200, 960, 1280},
               {"decoder_gemm_8x1152x2048", 8, 1152, 2048}};
  for (const Case& c : cases) {
    for (dt type : {dt::f32, dt::bf16}) {
      std::string t = type == dt::f32 ? "f32" : "bf16";
      attend::bench::Report({"nn.matmul_peak." + t + "." + c.name,
                             "GFLOP/s",
                             MatmulGflops(c.m, c.k, c.n, type),
                             "oneDNN matmul, 1 thread, weights in format_tag::any",
                             {}});
    }
  }
  return 0;
}
