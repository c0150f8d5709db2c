// attend::Stream: audio in chunks of any size gives exactly what the file
// gives; utterances end (and are reported) before the input does; partial
// text follows the open utterance; streams on eight threads over one model
// give what one thread gives.
#include "attend/stream.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "attend/recognizer.h"
#include "frontend/audio_reader.h"
#include "frontend/resampler.h"
#include "tests/api/api_test_util.h"
#include "tests/test_support.h"

namespace attend {
namespace {

using testing::Describe;

using testing::FastOptions;
using testing::kRoot;
using testing::SampleNames;

// A file's samples in [-1, 1] at its own rate.
std::vector<float> ReadSamples(const std::string& path, int rate) {
  frontend::AudioOptions options;
  options.target_rate_hz = static_cast<float>(rate);
  frontend::AudioReader reader(path, options);
  std::vector<float> all, chunk;
  while (reader.Read(&chunk)) all.insert(all.end(), chunk.begin(), chunk.end());
  for (float& s : all) s /= 32768.0f;
  return all;
}

void WriteFloatWav(const std::string& path, int rate, const std::vector<float>& samples) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << path;
  sf_writef_float(f, samples.data(), static_cast<sf_count_t>(samples.size()));
  sf_close(f);
}

// 16.5 s: six sentences back to back (longer than a segment: the model's
// pauses cut it), a 0.8-s pause, two more.
std::vector<float> LongRecording() {
  std::vector<std::vector<float>> s;
  for (const std::string& name : SampleNames())
    s.push_back(ReadSamples(kRoot + "samples/" + name + ".wav", 16000));
  std::vector<float> all;
  for (int k : {0, 1, 2, 3, 0, 1}) all.insert(all.end(), s[k].begin(), s[k].end());
  all.insert(all.end(), 12800, 0.0f);
  for (int k : {2, 3}) all.insert(all.end(), s[k].begin(), s[k].end());
  return all;
}

// Feeds `samples` in random chunks of 1 to max_chunk samples, taking results
// as they come; returns them, with the count that came before Finish().
std::vector<Segment> FeedInChunks(Stream* stream, const std::vector<float>& samples, int rate,
                                  int max_chunk, uint32_t seed, int* before_finish = nullptr) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> size(1, max_chunk);
  std::vector<Segment> results;
  for (size_t i = 0; i < samples.size();) {
    const size_t n = std::min<size_t>(size(rng), samples.size() - i);
    stream->AcceptWaveform(samples.data() + i, static_cast<int64_t>(n), rate);
    i += n;
    while (stream->IsEndpoint()) results.push_back(stream->Result());
  }
  if (before_finish != nullptr) *before_finish = static_cast<int>(results.size());
  stream->Finish();
  while (stream->IsEndpoint()) results.push_back(stream->Result());
  return results;
}

TEST(Stream, ChunksOfAnySizeGiveWhatTheFileGives) {
  testing::TempDir dir;
  const std::vector<float> long16 = LongRecording();
  const std::vector<float> long22 = frontend::Resampler::Resample(long16, 16000, 22050);
  WriteFloatWav(dir.File("long16.wav"), 16000, long16);
  WriteFloatWav(dir.File("long22.wav"), 22050, long22);
  auto recognizer = Recognizer::Create(Model::Load(kRoot + "models/default.attend"), FastOptions());
  for (const auto& [name, rate] :
       {std::pair{"long16.wav", 16000}, std::pair{"long22.wav", 22050}}) {
    SCOPED_TRACE(name);
    const Transcript file = recognizer->RecognizeFile(dir.File(name));
    ASSERT_GE(file.segments.size(), 3u);
    const std::vector<float> samples = ReadSamples(dir.File(name), rate);
    EXPECT_EQ(Describe(recognizer->Recognize(samples.data(), samples.size(), rate)),
              Describe(file));
    auto stream = recognizer->CreateStream();
    for (int max_chunk : {1000, 7000, 40000}) {
      stream->Reset();
      EXPECT_EQ(Describe(FeedInChunks(stream.get(), samples, rate, max_chunk, max_chunk)),
                Describe(file.segments))
          << "chunks up to " << max_chunk;
      EXPECT_DOUBLE_EQ(stream->Duration(), file.duration);
    }
  }
}

TEST(Stream, UtterancesEndBeforeTheInputAndPartialTextFollowsTheOpenOne) {
  auto recognizer = Recognizer::Create(Model::Load(kRoot + "models/default.attend"), FastOptions());
  const std::vector<float> samples = LongRecording();
  auto stream = recognizer->CreateStream();
  std::vector<Segment> results;
  std::vector<std::string> partials;
  for (size_t i = 0; i < samples.size(); i += 8000) {  // half a second at a time
    stream->AcceptWaveform(samples.data() + i, std::min<int64_t>(8000, samples.size() - i), 16000);
    while (stream->IsEndpoint()) results.push_back(stream->Result());
    partials.push_back(stream->PartialText());
  }
  ASSERT_GE(results.size(), 2u);  // rule 3 and rule 2 ended utterances before Finish()
  for (size_t k = 1; k < results.size(); ++k) EXPECT_GE(results[k].start, results[k - 1].end);
  EXPECT_LT(results.back().end, stream->Duration());
  // The partial text grows with the open utterance and holds its words.
  size_t longest = 0;
  for (const std::string& p : partials) longest = std::max(longest, p.size());
  EXPECT_GT(longest, 10u);
  stream->Finish();
  EXPECT_THROW(stream->AcceptWaveform(samples.data(), 1, 16000), std::runtime_error);
  EXPECT_TRUE(stream->PartialText().empty());  // finished: nothing open
  while (stream->IsEndpoint()) stream->Result();
  EXPECT_THROW(stream->Result(), std::runtime_error);
}

TEST(Stream, EightThreadsWithTheirOwnStreamsOnOneModelEqualOneThreadInTurn) {
  auto recognizer = Recognizer::Create(Model::Load(kRoot + "models/default.attend"), FastOptions());
  std::vector<std::vector<float>> inputs;
  for (const std::string& name : SampleNames())
    inputs.push_back(ReadSamples(kRoot + "samples/" + name + ".wav", 16000));
  std::vector<std::string> expected;
  auto one = recognizer->CreateStream();
  for (const auto& in : inputs) {
    one->Reset();
    expected.push_back(Describe(FeedInChunks(one.get(), in, 16000, 16000, 1)));
  }
  constexpr int kThreads = 8;
  std::vector<std::vector<std::string>> got(kThreads, std::vector<std::string>(inputs.size()));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      // Two streams per thread, taking turns, each input in other chunks.
      std::unique_ptr<Stream> streams[2] = {recognizer->CreateStream(), recognizer->CreateStream()};
      for (size_t i = 0; i < inputs.size(); ++i) {
        const size_t k = (i + t) % inputs.size();
        Stream* s = streams[i % 2].get();
        s->Reset();
        got[t][k] = Describe(FeedInChunks(s, inputs[k], 16000, 3000 + 1000 * t, t));
      }
    });
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(got[t], expected) << "thread " << t;
}

}  // namespace
}  // namespace attend
