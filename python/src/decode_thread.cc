#include "python/src/decode_thread.h"

#include <cstring>
#include <string>

#include "base/error.h"

namespace attend::python {

namespace {
constexpr size_t kStackBytes = size_t{16} << 20;
}

DecodeThread::DecodeThread() {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kStackBytes);
  const int rc = pthread_create(&thread_, &attr, &DecodeThread::Main, this);
  pthread_attr_destroy(&attr);
  ATTEND_CHECK(rc == 0, "cannot start a decoding thread: ", std::strerror(rc));
}

DecodeThread::~DecodeThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  pthread_join(thread_, nullptr);
}

void DecodeThread::Run(const std::function<void()>& task) {
  std::unique_lock<std::mutex> lock(mutex_);
  task_ = &task;
  error_ = nullptr;
  changed_.notify_all();
  changed_.wait(lock, [&] { return task_ == nullptr; });
  if (error_) std::rethrow_exception(error_);
}

void* DecodeThread::Main(void* self) {
  static_cast<DecodeThread*>(self)->Loop();
  return nullptr;
}

void DecodeThread::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return task_ != nullptr || stop_; });
    if (task_ == nullptr) return;  // stopped
    lock.unlock();
    std::exception_ptr error;
    try {
      (*task_)();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    error_ = error;
    task_ = nullptr;
    changed_.notify_all();
  }
}

}  // namespace attend::python
