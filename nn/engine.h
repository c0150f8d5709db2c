// The process's oneDNN CPU engine and stream, created once and passed by
// reference to every layer (STYLE 9), and the thread count control.
#pragma once

#include <dnnl.hpp>

namespace attend::nn {

class Engine {
 public:
  // The process-wide engine (created on first use).
  static Engine& Get();

  const dnnl::engine& engine() const { return engine_; }
  dnnl::stream& stream() { return stream_; }

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

 private:
  Engine();
  dnnl::engine engine_;
  dnnl::stream stream_;
};

// Sets the number of threads oneDNN (OpenMP) uses; <= 0 means all cores.
void SetNumThreads(int num_threads);

// Sets the calling thread's oneDNN/OpenMP thread count for its lifetime and
// restores the previous count after: a decode leaves no setting behind.
class ScopedNumThreads {
 public:
  explicit ScopedNumThreads(int num_threads);  // <= 0: all cores
  ~ScopedNumThreads();
  ScopedNumThreads(const ScopedNumThreads&) = delete;
  ScopedNumThreads& operator=(const ScopedNumThreads&) = delete;

 private:
  int previous_;
};
// The number of threads oneDNN will use.
int NumThreads();

}  // namespace attend::nn
