#include "nn/engine.h"

#include <omp.h>

#include <thread>

namespace attend::nn {

Engine::Engine() : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {}

Engine& Engine::Get() {
  static Engine instance;
  return instance;
}

void SetNumThreads(int num_threads) {
  if (num_threads <= 0) num_threads = static_cast<int>(std::thread::hardware_concurrency());
  omp_set_num_threads(num_threads < 1 ? 1 : num_threads);
}

int NumThreads() { return omp_get_max_threads(); }

ScopedNumThreads::ScopedNumThreads(int num_threads) : previous_(omp_get_max_threads()) {
  SetNumThreads(num_threads);
}

ScopedNumThreads::~ScopedNumThreads() { omp_set_num_threads(previous_); }

}  // namespace attend::nn
