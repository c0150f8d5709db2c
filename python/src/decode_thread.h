// A thread that runs the decodes of one C++ Recognizer or Stream, which is
// created, used and destroyed on it. Python's threads cannot do that work
// themselves, for two reasons: oneDNN (built without
// DNNL_ENABLE_CONCURRENT_EXEC) gives each primitive the scratchpad of the
// thread that created it, so a decode state must run on the thread that built
// it, whichever Python thread calls; and the RNN kernels need more stack than
// a Python thread gets by default (~2 MB here; they crash in it).
#pragma once

#include <pthread.h>

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>

namespace attend::python {

class DecodeThread {
 public:
  // Starts the thread (with a 16 MiB stack, committed only as it is used).
  DecodeThread();
  // Finishes the running task, if any, and joins.
  ~DecodeThread();
  DecodeThread(const DecodeThread&) = delete;
  DecodeThread& operator=(const DecodeThread&) = delete;

  // Runs `task` on the thread and waits for it; rethrows what it threw. One
  // caller at a time; call it without the GIL when the task is long.
  void Run(const std::function<void()>& task);

 private:
  static void* Main(void* self);
  void Loop();

  pthread_t thread_{};
  std::mutex mutex_;
  std::condition_variable changed_;
  const std::function<void()>* task_ = nullptr;  // the task to run, until it is done
  std::exception_ptr error_;
  bool stop_ = false;
};

}  // namespace attend::python
