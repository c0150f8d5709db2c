// The gradient allreduce of a data-parallel step, alone: every rank sums a
// buffer of --floats floats (a model's gradients) with the trainer's
// Communicator, --iters times after 3 warm-up calls. Rank 0 prints the
// median and minimum time per call and the bus bandwidth a ring allreduce
// would need for it, 2·(N−1)/N · bytes / time (docs/training_at_scale.md).
//   mpirun -np 2 build/bench/allreduce_bench [--floats 4500000] [--iters 20]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "training/distributed.h"

int main(int argc, char** argv) {
  int64_t floats = 4500000;
  int iters = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--floats") == 0) floats = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--iters") == 0) iters = std::atoi(argv[i + 1]);
  }
  attend::training::Communicator& world = attend::training::World();
  std::vector<float> buffer(floats, 1.0f);
  std::vector<double> seconds;
  for (int i = 0; i < iters + 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    world.AllreduceSum(buffer.data(), floats);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i >= 3) seconds.push_back(s);
    std::fill(buffer.begin(), buffer.end(), 1.0f);
  }
  std::sort(seconds.begin(), seconds.end());
  if (world.is_root()) {
    const int n = world.size();
    const double bytes = 4.0 * floats, median = seconds[seconds.size() / 2];
    std::printf(
        "ranks %d (%s) floats %lld bytes %.0f median %.3f ms min %.3f ms bus bandwidth "
        "%.2f GB/s\n",
        n, world.Describe().c_str(), static_cast<long long>(floats), bytes, median * 1e3,
        seconds.front() * 1e3, n > 1 ? 2.0 * (n - 1) / n * bytes / median / 1e9 : 0.0);
  }
  return 0;
}
