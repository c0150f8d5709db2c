// One model, many threads: recognizers over one shared, const attend::Model
// (each with its own decode state) give the results of one recognizer
// decoding the same files in turn.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "attend/model.h"
#include "attend/recognizer.h"
#include "tests/api/api_test_util.h"

namespace attend {
namespace {

using testing::Describe;

using testing::FastOptions;
using testing::kRoot;
using testing::SamplePaths;

TEST(Recognizer, EightThreadsOnOneModelEqualOneThreadInTurn) {
  std::shared_ptr<const Model> model = Model::Load(kRoot + "models/default.attend");
  const std::vector<std::string> files = SamplePaths();
  auto first = Recognizer::Create(model, FastOptions());
  std::vector<std::string> expected;
  for (const std::string& f : files) expected.push_back(Describe(first->RecognizeFile(f)));

  constexpr int kThreads = 8;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<std::unique_ptr<Recognizer>> recognizers;
  for (int t = 0; t < kThreads; ++t)
    recognizers.push_back(t % 2 == 0 ? first->Clone() : Recognizer::Create(model, FastOptions()));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      // Each thread starts at another file, so different shapes run at once.
      got[t].resize(files.size());
      for (size_t i = 0; i < files.size(); ++i) {
        const size_t k = (i + t) % files.size();
        got[t][k] = Describe(recognizers[t]->RecognizeFile(files[k]));
      }
    });
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(got[t], expected) << "thread " << t;
  EXPECT_EQ(model.use_count(), 1 + 1 + kThreads / 2);  // this test, `first` and the Create()s
}

}  // namespace
}  // namespace attend
