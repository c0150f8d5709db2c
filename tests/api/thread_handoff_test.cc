// A Recognizer or Stream belongs to no thread: one created (and first used)
// on one thread decodes on another exactly as on its own, whether it moves
// once, goes back and forth between threads, or is destroyed on yet another;
// and a decode fits in the calling thread's stack that attend/recognizer.h
// promises (256 KiB).
#include <gtest/gtest.h>
#include <pthread.h>

#include <condition_variable>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "attend/model.h"
#include "attend/recognizer.h"
#include "attend/stream.h"
#include "frontend/audio_reader.h"
#include "tests/api/api_test_util.h"

namespace attend {
namespace {

using testing::BundledModel;
using testing::Describe;
using testing::FastOptions;
using testing::SamplePaths;

// What a recognizer that stays on this thread gives for each sample.
const std::vector<std::string>& Expected() {
  static const std::vector<std::string> expected = [] {
    auto recognizer = Recognizer::Create(BundledModel(), FastOptions());
    std::vector<std::string> out;
    for (const std::string& f : SamplePaths())
      out.push_back(Describe(recognizer->RecognizeFile(f)));
    return out;
  }();
  return expected;
}

// Runs `task` on a new thread and waits for it.
void OnNewThread(const std::function<void()>& task) { std::thread(task).join(); }

// Runs `task` on a new thread with a stack of `stack_bytes` and waits for it.
void OnThreadWithStack(size_t stack_bytes, const std::function<void()>& task) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, stack_bytes), 0);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  const int rc = pthread_create(&thread, &attr, run, const_cast<std::function<void()>*>(&task));
  pthread_attr_destroy(&attr);
  ASSERT_EQ(rc, 0) << std::strerror(rc);
  pthread_join(thread, nullptr);
}

TEST(ThreadHandoff, RecognizerUsedHereThenOnAnotherThreadGivesTheSameResults) {
  const std::vector<std::string> files = SamplePaths();
  auto recognizer = Recognizer::Create(BundledModel(), FastOptions());
  // Its plans are built on this thread, then run on one that built none.
  EXPECT_EQ(Describe(recognizer->RecognizeFile(files[0])), Expected()[0]);
  std::vector<std::string> got(files.size());
  OnNewThread([&] {
    for (size_t k = 0; k < files.size(); ++k)
      got[k] = Describe(recognizer->RecognizeFile(files[k]));
  });
  EXPECT_EQ(got, Expected());
  // And back here, after the thread that built some of them is gone.
  for (size_t k = 0; k < files.size(); ++k)
    EXPECT_EQ(Describe(recognizer->RecognizeFile(files[k])), Expected()[k]) << files[k];
}

TEST(ThreadHandoff, RecognizerAlternatingBetweenTwoThreadsGivesTheSameResults) {
  const std::vector<std::string> files = SamplePaths();
  std::unique_ptr<Recognizer> recognizer;
  OnNewThread([&] { recognizer = Recognizer::Create(BundledModel(), FastOptions()); });
  // Two long-lived threads take turns (one at a time) over the files in
  // order, each file twice: the second thread's first decode runs only
  // plans the first one built.
  std::vector<std::string> got(2 * files.size());
  std::mutex mutex;
  std::condition_variable turn_changed;
  size_t turn = 0;
  auto worker = [&](size_t parity) {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      turn_changed.wait(lock, [&] { return turn >= got.size() || turn % 2 == parity; });
      if (turn >= got.size()) return;
      const size_t k = turn / 2;
      got[turn] = Describe(recognizer->RecognizeFile(files[k]));
      EXPECT_EQ(got[turn], Expected()[k]) << "turn " << turn << " on thread " << parity;
      ++turn;
      turn_changed.notify_all();
    }
  };
  std::thread first(worker, 0), second(worker, 1);
  first.join();
  second.join();
  EXPECT_EQ(turn, got.size());
  recognizer.reset();  // destroyed on a third thread
}

TEST(ThreadHandoff, StreamCreatedHereFedOnAnotherThreadGivesTheFileResults) {
  auto recognizer = Recognizer::Create(BundledModel(), FastOptions());
  const std::vector<std::string> files = SamplePaths();
  std::unique_ptr<Stream> stream = recognizer->CreateStream();
  for (size_t k = 0; k < files.size(); ++k) {
    // Every other file is fed here, the others on a thread of their own.
    auto feed = [&] {
      stream->Reset();
      frontend::AudioOptions options;
      options.target_rate_hz = 16000;
      frontend::AudioReader reader(files[k], options);
      std::vector<float> chunk;
      std::vector<Segment> segments;
      while (reader.Read(&chunk)) {
        for (float& s : chunk) s /= 32768.0f;
        stream->AcceptWaveform(chunk.data(), static_cast<int64_t>(chunk.size()), 16000);
        while (stream->IsEndpoint()) segments.push_back(stream->Result());
      }
      stream->Finish();
      while (stream->IsEndpoint()) segments.push_back(stream->Result());
      Transcript from_file = recognizer->RecognizeFile(files[k]);
      EXPECT_EQ(Describe(segments), Describe(from_file.segments)) << files[k];
    };
    if (k % 2 == 0)
      OnNewThread(feed);
    else
      feed();
  }
}

TEST(ThreadHandoff, DecodesFitInA256KiBStack) {
  const std::vector<std::string> files = SamplePaths();
  auto recognizer = Recognizer::Create(BundledModel(), FastOptions());
  std::vector<std::string> got(files.size());
  OnThreadWithStack(size_t{256} << 10, [&] {
    for (size_t k = 0; k < files.size(); ++k)
      got[k] = Describe(recognizer->RecognizeFile(files[k]));
  });
  EXPECT_EQ(got, Expected());
}

}  // namespace
}  // namespace attend
