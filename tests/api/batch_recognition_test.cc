// BatchRecognition: recordings decoded together, their utterances encoded in
// batches, give the transcripts of decoding each alone. Padding is masked:
// an utterance's encoder output does not depend on how much longer the
// others of its batch are; it depends on the batch size only through the
// order in which oneDNN's GEMMs sum (a few units in the last place).
#include "api/batch_recognition.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "api/decoding_setup.h"
#include "api/stream_impl.h"
#include "attend/recognizer.h"
#include "frontend/audio_reader.h"
#include "frontend/fbank.h"
#include "tests/api/api_test_util.h"

namespace attend {
namespace {

using testing::Describe;
using testing::FastOptions;
using testing::kRoot;
using testing::SamplePaths;

std::shared_ptr<const DecodingSetup> FastSetup() {
  return std::make_shared<const DecodingSetup>(Model::Load(kRoot + "models/default.attend"),
                                               FastOptions());
}

// A recording's utterances as features, as the batch path segments them.
std::vector<StreamImpl::PendingUtterance> Utterances(StreamImpl* stream, const std::string& path) {
  frontend::AudioOptions audio;
  audio.target_rate_hz = 16000;
  frontend::AudioReader reader(path, audio);
  stream->Reset();
  stream->set_defer_decoding(true);
  std::vector<float> chunk;
  while (reader.Read(&chunk)) stream->AcceptBlock(chunk);
  stream->Finish();
  return stream->TakePending();
}

// The largest difference between two utterances' valid encoder frames,
// relative to the largest magnitude.
double RelativeDifference(const StreamImpl::EncodedUtterance& a,
                          const StreamImpl::EncodedUtterance& b) {
  EXPECT_EQ(a.length, b.length);
  EXPECT_EQ(a.encoded.dim(0), b.encoded.dim(0));
  const int64_t n = a.length * a.encoded.dim(2);
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < n; ++i) {
    diff =
        std::max(diff, static_cast<double>(std::fabs(a.encoded.data()[i] - b.encoded.data()[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(a.encoded.data()[i])));
  }
  return diff / scale;
}

TEST(BatchRecognition, GivesTheTranscriptsOfEachRecordingAlone) {
  auto recognizer = Recognizer::Create(Model::Load(kRoot + "models/default.attend"), FastOptions());
  std::vector<std::string> paths = SamplePaths();
  paths.push_back(kRoot + "samples/no-such-file.wav");  // fails alone, not the others
  paths.push_back(paths[0]);
  const std::vector<Recognizer::FileResult> batched = recognizer->RecognizeFiles(paths, 2, 3);
  ASSERT_EQ(batched.size(), paths.size());
  EXPECT_NE(batched[4].error, "");
  EXPECT_EQ(batched[4].transcript.segments.size(), 0u);
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i == 4) continue;
    EXPECT_EQ(batched[i].error, "") << paths[i];
    const Transcript alone = recognizer->RecognizeFile(paths[i]);
    EXPECT_EQ(batched[i].transcript.text, alone.text) << paths[i];
    EXPECT_EQ(batched[i].transcript.duration, alone.duration);
    ASSERT_EQ(batched[i].transcript.segments.size(), alone.segments.size());
    for (size_t s = 0; s < alone.segments.size(); ++s) {
      const Segment &b = batched[i].transcript.segments[s], &a = alone.segments[s];
      EXPECT_EQ(b.start, a.start);
      EXPECT_EQ(b.end, a.end);
      ASSERT_EQ(b.nbest.size(), a.nbest.size());
      for (size_t k = 0; k < a.nbest.size(); ++k) {
        EXPECT_EQ(b.nbest[k].text, a.nbest[k].text);
        EXPECT_NEAR(b.nbest[k].score, a.nbest[k].score, 1e-3 * std::fabs(a.nbest[k].score));
        ASSERT_EQ(b.nbest[k].words.size(), a.nbest[k].words.size());
        for (size_t w = 0; w < a.nbest[k].words.size(); ++w) {
          EXPECT_EQ(b.nbest[k].words[w].start, a.nbest[k].words[w].start);
          EXPECT_EQ(b.nbest[k].words[w].end, a.nbest[k].words[w].end);
        }
      }
    }
  }
  // A batch of one is the unbatched path exactly.
  const std::vector<Recognizer::FileResult> one = recognizer->RecognizeFiles({paths[1]}, 1, 1);
  EXPECT_EQ(Describe(one[0].transcript), Describe(recognizer->RecognizeFile(paths[1])));
}

TEST(BatchRecognition, PaddingDoesNotChangeAnUtterancesEncoding) {
  StreamImpl stream(FastSetup());
  std::vector<frontend::Matrix> all;
  for (const std::string& path : SamplePaths())
    for (StreamImpl::PendingUtterance& u : Utterances(&stream, path)) all.push_back(u.feats);
  std::sort(all.begin(), all.end(), [](const frontend::Matrix& x, const frontend::Matrix& y) {
    return x.rows() < y.rows();
  });
  // The shortest utterance, and its first 40 % (padded by more than a bucket
  // beside it).
  const frontend::Matrix& longer = all.front();
  frontend::Matrix shorter(0, longer.cols());
  for (int64_t r = 0; r < longer.rows() * 2 / 5; ++r) shorter.AppendRow(longer.Row(r));
  ASSERT_LT(shorter.rows() + 64, longer.rows());
  // The same utterance beside itself and beside a longer one (much padding):
  // the same bits.
  std::vector<StreamImpl::EncodedUtterance> self, padded, alone;
  stream.EncodeBatch({&shorter, &shorter}, &self);
  stream.EncodeBatch({&shorter, &longer}, &padded);
  stream.EncodeBatch({&shorter}, &alone);
  ASSERT_EQ(padded.size(), 2u);
  const int64_t n = self[0].length * self[0].encoded.dim(2);
  EXPECT_EQ(padded[0].encoded.dim(0), alone[0].encoded.dim(0));
  EXPECT_EQ(std::vector<float>(self[0].encoded.data(), self[0].encoded.data() + n),
            std::vector<float>(padded[0].encoded.data(), padded[0].encoded.data() + n));
  // Alone (a batch of one) it may differ by the GEMMs' summation order only.
  EXPECT_LT(RelativeDifference(alone[0], padded[0]), 1e-5);
  EXPECT_LT(RelativeDifference(padded[1],
                               [&] {
                                 std::vector<StreamImpl::EncodedUtterance> l;
                                 stream.EncodeBatch({&longer}, &l);
                                 return l[0];
                               }()),
            1e-5);
}

}  // namespace
}  // namespace attend
