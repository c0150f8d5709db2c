#include "training/dataset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>

#include "base/error.h"
#include "frontend/feature_window.h"
#include "frontend/kaldi_archive.h"
#include "tests/test_support.h"
#include "tests/training/synthetic_data.h"

namespace attend::training {
namespace {

DataModelInfo TinyInfo() {
  DataModelInfo info;
  info.fbank.mel.num_bins = 23;
  info.reduction = 4;
  return info;
}

struct Fixture {
  attend::testing::TempDir tmp;
  std::string dir = tmp.File("data");
  std::vector<std::string> log;
  std::function<void(const std::string&)> sink = [this](const std::string& l) { log.push_back(l); };
  int Mentions(const std::string& key) const {
    return static_cast<int>(std::count_if(log.begin(), log.end(), [&](const std::string& l) {
      return l.find(key + " ") != std::string::npos;
    }));
  }
};

TEST(Dataset, BatchesAreLengthBucketsWithinTheFrameBudgetAndCoverEveryUtterance) {
  Fixture f;
  testing::MakeDataDir(f.dir, 40, 7);
  DatasetOptions opts;
  opts.batch_frames = 500;
  Dataset data(f.dir, opts, TinyInfo(), f.sink);
  data.SetVocabulary(decoder::Vocabulary::FromTexts(data.Texts()));
  ASSERT_EQ(data.utterances().size(), 40u);
  EXPECT_GT(data.num_batches(), 3);
  std::multiset<int64_t> seen;
  int64_t previous_longest = 0;
  for (const auto& batch : data.batches()) {
    ASSERT_FALSE(batch.empty());
    int64_t longest = 0, shortest = INT64_MAX;
    for (int64_t i : batch) {
      seen.insert(i);
      longest = std::max(longest, data.utterances()[i].frames);
      shortest = std::min(shortest, data.utterances()[i].frames);
    }
    if (batch.size() > 1) {
      EXPECT_LE(longest * static_cast<int64_t>(batch.size()), 500);
    }
    EXPECT_GE(shortest, previous_longest);  // sorted buckets do not overlap
    previous_longest = longest;
  }
  EXPECT_EQ(seen.size(), 40u);
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 40u);
}

TEST(Dataset, EpochOrderIsASeededPermutationThatChangesPerEpoch) {
  const auto a = EpochOrder(50, 3, 0), b = EpochOrder(50, 3, 0), c = EpochOrder(50, 3, 1),
             d = EpochOrder(50, 4, 0);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(sorted[i], i);
}

TEST(Dataset, BadUtterancesAreReportedOnceAndSkipped) {
  Fixture f;
  testing::MakeDataDir(f.dir, 6, 8);
  {
    std::ofstream text(f.dir + "/text", std::ios::app), scp(f.dir + "/wav.scp", std::ios::app);
    text << "empty   \n";
    scp << "empty " << f.dir << "/wav/utt0000.wav\n";
    text << "missing abc\n";
    scp << "missing " << f.dir << "/wav/nothing.wav\n";
    std::ofstream(f.dir + "/garbage.wav") << "not audio at all";
    text << "garbage abc\n";
    scp << "garbage " << f.dir << "/garbage.wav\n";
    // 0.1 s of audio (8 encoder frames) cannot carry 30 letters.
    Rng rng(1, "short");
    frontend::testutil::WriteAudio(f.dir + "/short.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                                   testing::kRate, 1, testing::SynthesizeText("a", &rng));
    text << "toolong abcdefabcdefabcdefabcdefabcdef\n";
    scp << "toolong " << f.dir << "/short.wav\n";
  }
  DatasetOptions opts;
  Dataset data(f.dir, opts, TinyInfo(), f.sink);
  data.SetVocabulary(decoder::Vocabulary::FromTexts(data.Texts()));
  std::set<std::string> keys;
  for (const Utterance& u : data.utterances()) keys.insert(u.key);
  EXPECT_EQ(keys.size(), 6u);
  for (const std::string bad : {"empty", "missing", "garbage", "toolong"}) {
    EXPECT_EQ(keys.count(bad), 0u) << bad;
    EXPECT_EQ(f.Mentions(bad), 1) << bad;
    data.ReportBad(bad, "again");  // a second report stays silent
    EXPECT_EQ(f.Mentions(bad), 1) << bad;
  }
}

// Speech that fits the encoder only at the slower --speed-perturb factors is
// kept and never loaded at the faster ones.
TEST(Dataset, FastSpeechKeepsTheSpeedFactorsItFitsAt) {
  Fixture f;
  testing::MakeDataDir(f.dir, 4, 9);
  Rng rng(3, "fast");
  frontend::testutil::WriteAudio(f.dir + "/fast.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                                 testing::kRate, 1, testing::SynthesizeText("abcdefgh", &rng));
  std::ofstream(f.dir + "/wav.scp", std::ios::app) << "fast " << f.dir << "/fast.wav\n";
  std::stringstream others;
  others << std::ifstream(f.dir + "/text").rdbuf();
  const auto write_fast_text = [&](const std::string& text) {
    std::ofstream(f.dir + "/text") << others.str() << "fast " << text << "\n";
  };
  write_fast_text("ab");
  DatasetOptions opts;
  opts.speed_perturb = "1.1,0.9,1.0";
  int64_t frames = 0;
  const Dataset placeholder(f.dir, opts, TinyInfo(), f.sink);
  for (const Utterance& u : placeholder.utterances())
    if (u.key == "fast") frames = u.frames;
  // As many distinct neighbouring letters as the encoder gives at speed 1.
  const int64_t at_1 = (frames + 3) / 4;
  ASSERT_LT(((static_cast<int64_t>(frames / 1.1) + 1) / 2 + 1) / 2, at_1) << frames;
  std::string letters;
  for (int64_t i = 0; i < at_1; ++i) letters += i % 2 ? 'b' : 'a';
  write_fast_text(letters);

  Dataset data(f.dir, opts, TinyInfo(), f.sink);
  data.SetVocabulary(decoder::Vocabulary::FromTexts(data.Texts()));
  EXPECT_TRUE(f.log.empty()) << f.log.front();
  const auto fast = std::find_if(data.utterances().begin(), data.utterances().end(),
                                 [](const Utterance& u) { return u.key == "fast"; });
  ASSERT_NE(fast, data.utterances().end());
  EXPECT_EQ(fast->max_speed, 1.0f);
  std::set<int64_t> lengths;
  for (int epoch = 0; epoch < 8; ++epoch) {
    BatchLoader loader(&data, nullptr, 1, epoch, EpochOrder(data.num_batches(), 1, epoch), 0, true);
    for (Batch b; loader.Next(&b);)
      for (size_t i = 0; i < b.keys.size(); ++i)
        if (b.keys[i] == "fast") lengths.insert(b.lengths[i]);
  }
  ASSERT_EQ(lengths.size(), 2u) << "drawn at 0.9 and 1.0 over 8 epochs";
  EXPECT_EQ(*lengths.begin(), frames);

  // One letter more than the slowest factor gives fits at none: reported and dropped.
  const int64_t at_09 = ((static_cast<int64_t>(frames / 0.9) + 1) / 2 + 1) / 2;
  while (static_cast<int64_t>(letters.size()) <= at_09)
    letters += letters.back() == 'a' ? 'b' : 'a';
  write_fast_text(letters);
  Dataset too_fast(f.dir, opts, TinyInfo(), f.sink);
  too_fast.SetVocabulary(decoder::Vocabulary::FromTexts(too_fast.Texts()));
  EXPECT_EQ(f.Mentions("fast"), 1) << ::testing::PrintToString(f.log);
  EXPECT_EQ(too_fast.utterances().size(), 4u);
}

// With --keep-empty-text an empty transcript is non-speech: kept, with no
// targets, and loaded like any other utterance.
TEST(Dataset, KeepEmptyTextKeepsNonSpeechWithNoTargets) {
  Fixture f;
  testing::MakeDataDir(f.dir, 6, 8);
  testing::AppendNonSpeech(f.dir, 3, 8);
  DatasetOptions opts;
  opts.keep_empty_text = true;
  Dataset data(f.dir, opts, TinyInfo(), f.sink);
  data.SetVocabulary(decoder::Vocabulary::FromTexts(data.Texts()));
  EXPECT_EQ(data.utterances().size(), 9u);
  EXPECT_TRUE(f.log.empty()) << f.log.front();
  std::vector<int64_t> order(data.num_batches());
  std::iota(order.begin(), order.end(), 0);
  BatchLoader loader(&data, nullptr, 1, 0, order, 0, true);
  int nonspeech = 0;
  for (Batch b; loader.Next(&b);) {
    for (size_t i = 0; i < b.keys.size(); ++i) {
      if (b.keys[i].rfind("nonspeech", 0) != 0) continue;
      ++nonspeech;
      EXPECT_TRUE(b.targets[i].empty());
      EXPECT_EQ(b.texts[i], "");
      EXPECT_GT(b.lengths[i], 0);
    }
  }
  EXPECT_EQ(nonspeech, 3);
}

TEST(Dataset, LoaderGivesZeroPaddedTncBatchesWithCmvnApplied) {
  Fixture f;
  testing::MakeDataDir(f.dir, 12, 9);
  DatasetOptions opts;
  opts.batch_frames = 400;
  Dataset data(f.dir, opts, TinyInfo(), f.sink);
  data.SetVocabulary(decoder::Vocabulary::FromTexts(data.Texts()));
  const frontend::CmvnStats stats = data.ComputeCmvnStats();
  const frontend::Cmvn cmvn(stats, frontend::CmvnOptions{});
  std::vector<int64_t> order(data.num_batches());
  std::iota(order.begin(), order.end(), 0);
  BatchLoader loader(&data, &cmvn, 1, 0, order, 0, false);
  frontend::Fbank fbank(TinyInfo().fbank);
  Batch b;
  int64_t batches = 0, utts = 0;
  while (loader.Next(&b)) {
    ++batches;
    const int64_t T = b.features.shape()[0], N = b.features.shape()[1], C = b.features.shape()[2];
    ASSERT_EQ(N, static_cast<int64_t>(b.keys.size()));
    ASSERT_EQ(C, 23);
    EXPECT_EQ(T, *std::max_element(b.lengths.begin(), b.lengths.end()));
    for (int64_t n = 0; n < N; ++n) {
      const Utterance& u = data.utterances()[data.batches()[b.bucket][n]];
      ASSERT_EQ(u.key, b.keys[n]);
      EXPECT_EQ(b.lengths[n], u.frames);
      frontend::Matrix m = data.Features(u, 1.0f, &fbank);
      cmvn.Apply(&m);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t c = 0; c < C; ++c) {
          const float want = t < b.lengths[n] ? m(t, c) : 0.0f;
          ASSERT_EQ(b.features[(t * N + n) * C + c], want) << u.key << " t=" << t;
        }
      ++utts;
    }
  }
  EXPECT_EQ(batches, data.num_batches());
  EXPECT_EQ(utts, 12);
}

// Every random draw of a batch (speed, VTLP, SpecAugment, dither) depends only on
// (seed, epoch, position), so a loader started mid-epoch (a resumed run)
// gives the same batches as one that started at 0.
void ExpectAugmentationDependsOnlyOnSeedEpochAndPosition(float dither, float vtlp = 0.0f) {
  Fixture f;
  testing::MakeDataDir(f.dir, 16, 10);
  DatasetOptions opts;
  opts.batch_frames = 400;
  opts.vtlp = vtlp;
  opts.speed_perturb = "0.9,1.0,1.1";
  opts.spec_augment = true;
  opts.spec.max_freq_width = 5;
  DataModelInfo info = TinyInfo();
  info.fbank.frame.dither = dither;
  Dataset data(f.dir, opts, info, f.sink);
  data.SetVocabulary(decoder::Vocabulary::FromTexts(data.Texts()));
  const auto order = EpochOrder(data.num_batches(), 5, 2);
  std::vector<Batch> all;
  {
    BatchLoader loader(&data, nullptr, 5, 2, order, 0, true);
    Batch b;
    while (loader.Next(&b)) all.push_back(b);
  }
  ASSERT_EQ(static_cast<int64_t>(all.size()), data.num_batches());
  bool perturbed = false;
  for (const Batch& b : all)
    for (size_t n = 0; n < b.keys.size(); ++n)
      perturbed |= b.lengths[n] != data.utterances()[data.batches()[b.bucket][n]].frames;
  EXPECT_TRUE(perturbed) << "speed perturbation changed no length";
  const int64_t start = data.num_batches() / 2;
  BatchLoader resumed(&data, nullptr, 5, 2, order, start, true);
  Batch b;
  for (int64_t pos = start; pos < data.num_batches(); ++pos) {
    ASSERT_TRUE(resumed.Next(&b));
    EXPECT_EQ(b.index, pos);
    EXPECT_EQ(b.keys, all[pos].keys);
    EXPECT_EQ(b.lengths, all[pos].lengths);
    ASSERT_EQ(b.features.size(), all[pos].features.size());
    EXPECT_TRUE(std::equal(b.features.data(), b.features.data() + b.features.size(),
                           all[pos].features.data()));
  }
  EXPECT_FALSE(resumed.Next(&b));
}

TEST(Dataset, AugmentationDependsOnlyOnSeedEpochAndPosition) {
  ExpectAugmentationDependsOnlyOnSeedEpochAndPosition(0.0f);
}

TEST(Dataset, DitherDependsOnlyOnSeedEpochAndPosition) {
  ExpectAugmentationDependsOnlyOnSeedEpochAndPosition(1.0f);
}

TEST(Dataset, VtlpAndDitherDependOnlyOnSeedEpochAndPosition) {
  ExpectAugmentationDependsOnlyOnSeedEpochAndPosition(1.0f, 0.1f);
}

// --vtlp gives each training utterance the filterbank of one VTLN warp in
// [1 - vtlp, 1 + vtlp] (found here by search over a fine grid of warps, so
// the test does not depend on how the loader draws), different warps for
// different utterances, and leaves dev loaders (no augmentation) alone.
TEST(Dataset, VtlpWarpsEachTrainingUtteranceWithinTheRange) {
  Fixture f;
  testing::MakeDataDir(f.dir, 8, 11);
  DatasetOptions opts;
  opts.batch_frames = 100000;  // one batch
  opts.vtlp = 0.1f;
  Dataset data(f.dir, opts, TinyInfo(), f.sink);
  data.SetVocabulary(decoder::Vocabulary::FromTexts(data.Texts()));
  ASSERT_EQ(data.num_batches(), 1);
  auto features_at = [&](const Utterance& u, float warp) {
    DataModelInfo info = TinyInfo();
    info.fbank.vtln_warp = warp;
    frontend::Fbank fbank(info.fbank);
    return data.Features(u, 1.0f, &fbank);
  };
  auto max_diff = [](const frontend::Matrix& a, const nn::Tensor& batch, int64_t n, int64_t N) {
    float d = 0;
    for (int64_t t = 0; t < a.rows(); ++t)
      for (int64_t c = 0; c < a.cols(); ++c)
        d = std::max(d, std::abs(a(t, c) - batch[(t * N + n) * a.cols() + c]));
    return d;
  };
  for (const bool augment : {true, false}) {
    SCOPED_TRACE(augment ? "train loader" : "dev loader");
    BatchLoader loader(&data, nullptr, 3, 0, {0}, 0, augment);
    Batch b;
    ASSERT_TRUE(loader.Next(&b));
    const auto N = static_cast<int64_t>(b.keys.size());
    std::set<float> warps;
    for (int64_t n = 0; n < N; ++n) {
      const Utterance& u = data.utterances()[data.batches()[0][n]];
      const float unwarped = max_diff(features_at(u, 1.0f), b.features, n, N);
      if (!augment) {
        EXPECT_EQ(unwarped, 0.0f) << u.key;
        continue;
      }
      float best = INFINITY, best_warp = 0;
      for (int k = -100; k <= 100; ++k) {
        const float warp = 1.0f + 0.001f * k;
        const float d = max_diff(features_at(u, warp), b.features, n, N);
        if (d < best) {
          best = d;
          best_warp = warp;
        }
      }
      EXPECT_GT(unwarped, 0.1f) << u.key << " is not warped";
      EXPECT_LT(best, 0.1f * unwarped) << u.key << ": no warp in [0.9, 1.1] explains it";
      warps.insert(best_warp);
    }
    if (augment) {
      EXPECT_GE(warps.size(), 6u) << "the warps should differ between utterances";
    }
  }
}

TEST(Dataset, VtlpThatBreaksTheMelBanksFailsAtOnceNamingTheFlag) {
  Fixture f;
  testing::MakeDataDir(f.dir, 4, 12);
  DatasetOptions opts;
  opts.vtlp = 0.3f;
  DataModelInfo info = TinyInfo();
  // VTLN's low inflection point (100 Hz) below the mel range: fine without
  // warping, invalid with any warp below 1.
  info.fbank.mel.low_freq = 150;
  try {
    Dataset data(f.dir, opts, info, f.sink);
    FAIL() << "no error";
  } catch (const attend::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--vtlp"), std::string::npos) << e.what();
  }
}

TEST(Dataset, SegmentsCutRecordings) {
  Fixture f;
  testing::MakeDataDir(f.dir, 2, 11);
  std::ofstream(f.dir + "/segments") << "utt0000 utt0000 0.0 0.25\nutt0001 utt0001 0.1 0.2\n";
  Dataset data(f.dir, DatasetOptions{}, TinyInfo(), f.sink);
  ASSERT_EQ(data.utterances().size(), 2u);
  const frontend::FrameOptions frame;
  EXPECT_EQ(data.utterances()[0].frames, frontend::NumFrames(4000, frame));
  EXPECT_EQ(data.utterances()[1].frames, frontend::NumFrames(1600, frame));
  frontend::Fbank fbank(TinyInfo().fbank);
  EXPECT_EQ(data.Features(data.utterances()[1], 1.0f, &fbank).rows(), data.utterances()[1].frames);
}

}  // namespace
}  // namespace attend::training

namespace attend::training {
namespace {

TEST(Dataset, FeatsScpGivesTheSameFeaturesAsAudio) {
  Fixture f;
  testing::MakeDataDir(f.dir, 5, 12);
  Dataset audio(f.dir, DatasetOptions{}, TinyInfo(), f.sink);
  const std::string fdir = f.tmp.File("feats");
  std::filesystem::create_directories(fdir);
  std::filesystem::copy_file(f.dir + "/text", fdir + "/text");
  frontend::Fbank fbank(TinyInfo().fbank);
  {
    frontend::MatrixArchiveWriter writer("ark,scp:" + fdir + "/feats.ark," + fdir + "/feats.scp");
    for (const Utterance& u : audio.utterances()) writer.Write(u.key, audio.Features(u, 1, &fbank));
    writer.Close();
  }
  Dataset feats(fdir, DatasetOptions{}, TinyInfo(), f.sink);
  ASSERT_EQ(feats.utterances().size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    const Utterance& a = audio.utterances()[i];
    const Utterance& b = feats.utterances()[i];
    EXPECT_EQ(a.key, b.key);
    EXPECT_EQ(a.frames, b.frames);
    EXPECT_TRUE(b.wav.empty());
    EXPECT_EQ(feats.Features(b, 1, &fbank), audio.Features(a, 1, &fbank)) << a.key;
  }
}

}  // namespace
}  // namespace attend::training
