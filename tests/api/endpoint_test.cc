// The endpoint rules on synthetic envelopes: loudness (log-mel levels per
// frame) for rules 1 and 2, and CTC posteriors (blank or letter per encoder
// frame) for rule 3 and the model's pauses.
#include "api/endpoint.h"

#include <gtest/gtest.h>

#include <boost/program_options.hpp>
#include <cmath>

#include "base/error.h"
#include "tests/frontend/loudness_frames.h"

namespace attend {
namespace {

using frontend::Matrix;

using frontend::testutil::Frames;
using frontend::testutil::kNoise;
using frontend::testutil::kSpeech;

constexpr double kShift = 0.01;  // 10-ms frames
constexpr int64_t kReduction = 4;
constexpr int kBlank = 0, kSpace = 1, kLetter = 2, kVocab = 3;

// CTC log-posteriors over the encoder frames of `frames` feature frames: a
// letter every other encoder frame (speech) but blank throughout the
// feature-frame ranges in `pauses`.
struct Ctc {
  std::vector<float> log_probs;
  int64_t frames = 0;
  int64_t windows_asked = 0;
};
Ctc MakeCtc(int64_t feature_frames, std::initializer_list<std::pair<int64_t, int64_t>> pauses) {
  Ctc ctc;
  ctc.frames = (feature_frames + kReduction - 1) / kReduction;
  ctc.log_probs.assign(ctc.frames * kVocab, std::log(0.05f));
  for (int64_t t = 0; t < ctc.frames; ++t) {
    bool pause = false;
    for (const auto& [a, b] : pauses) pause |= t * kReduction >= a && t * kReduction < b;
    const int best = pause || t % 2 == 1 ? kBlank : kLetter;
    ctc.log_probs[t * kVocab + best] = std::log(0.9f);
  }
  return ctc;
}

Endpointer::CtcFn View(Ctc* ctc) {
  return [ctc](int64_t window) {
    ++ctc->windows_asked;
    return CtcView{ctc->log_probs.data(), (window + kReduction - 1) / kReduction, kVocab};
  };
}

Endpointer Make(const EndpointOptions& options) {
  return Endpointer(options, kShift, kReduction, kBlank, kSpace);
}

TEST(Endpoint, Rule2APauseAfterSpeechEndsTheUtteranceKeepingSomeOfIt) {
  Endpointer e = Make({});  // 0.5-s pause, 0.2 s kept
  const Matrix m = Frames(800, kNoise, {{0, 300, kSpeech}});
  e.Accept(m, 0);
  Ctc ctc = MakeCtc(800, {});
  const std::vector<EndpointCut> cuts = e.Decide(m, false, false, View(&ctc));
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].end, cuts[0].next);
  EXPECT_GE(cuts[0].end, 315);  // 300 + 20 kept, give or take the smoothing
  EXPECT_LE(cuts[0].end, 326);
  EXPECT_EQ(ctc.windows_asked, 0);  // loudness sufficed
}

TEST(Endpoint, Rule1ALeadingPauseStandsAloneAndIsDropped) {
  EndpointOptions options;
  options.min_leading_pause_seconds = 5.0;
  Endpointer e = Make(options);
  const Matrix m = Frames(700, kNoise, {{400, 700, kSpeech}});
  e.Accept(m, 0);
  Ctc ctc = MakeCtc(700, {});
  // 5 s of pause before speech would be needed: 4 s is none.
  EXPECT_TRUE(e.Decide(m, false, false, View(&ctc)).empty());
  options.min_leading_pause_seconds = 1.0;
  Endpointer shorter = Make(options);
  shorter.Accept(m, 0);
  const std::vector<EndpointCut> cuts = shorter.Decide(m, false, false, View(&ctc));
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_GE(cuts[0].end, 374);  // 400 - 20 kept
  EXPECT_LE(cuts[0].end, 385);
  Matrix pause(cuts[0].end, 4);
  std::copy_n(m.data(), pause.rows() * 4, pause.data());
  EXPECT_TRUE(shorter.IsPauseOnly(pause));
  EXPECT_FALSE(shorter.IsPauseOnly(m));
}

TEST(Endpoint, Rule3CutsAtTheModelsPauseWhenLoudnessHasNone) {
  Endpointer e = Make({});                     // 10 s at most; model pauses from 0.3 s
  const Matrix m = Frames(1100, kSpeech, {});  // 11 s of talk, no quiet
  e.Accept(m, 0);
  Ctc ctc = MakeCtc(1100, {{600, 640}});  // 0.4 s without a letter
  const std::vector<EndpointCut> cuts = e.Decide(m, false, false, View(&ctc));
  ASSERT_EQ(cuts.size(), 1u);
  // The letterless stretch is encoder frames 149-159 (feature frames 596-640,
  // with the blank between letters before it); 0.2 s of it kept on each side.
  EXPECT_EQ(cuts[0].end, 596 + 20);
  EXPECT_EQ(cuts[0].next, 640 - 20);
  EXPECT_EQ(ctc.windows_asked, 1);
}

TEST(Endpoint, Rule3WithoutAnyPauseCutsInTheLongestLetterlessStretchNearTheEnd) {
  Endpointer e = Make({});
  const Matrix m = Frames(1100, kSpeech, {});
  e.Accept(m, 0);
  // Letterless encoder frames 199-205 and 225-229: both under the 8 of a pause.
  Ctc ctc = MakeCtc(1100, {{800, 824}, {900, 916}});
  const std::vector<EndpointCut> cuts = e.Decide(m, false, false, View(&ctc));
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].end, cuts[0].next);
  EXPECT_EQ(cuts[0].end, (199 + 206) * kReduction / 2);  // the longer one's middle
}

TEST(Endpoint, AtTheEndAShortRecordingIsOneUtteranceAndALaterStretchSplitsAtModelPauses) {
  Endpointer e = Make({});
  const Matrix m = Frames(600, kSpeech, {});
  e.Accept(m, 0);
  Ctc ctc = MakeCtc(600, {{200, 260}});
  EXPECT_TRUE(e.Decide(m, false, false, View(&ctc)).empty());  // more may come
  std::vector<EndpointCut> cuts = e.Decide(m, true, false, View(&ctc));
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].end, 600);
  EXPECT_EQ(ctc.windows_asked, 0);
  cuts = e.Decide(m, true, /*after_utterance=*/true, View(&ctc));
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0].end, 196 + 20);   // encoder frames 49-65
  EXPECT_EQ(cuts[0].next, 264 - 20);  // and the blank after it
  EXPECT_EQ(cuts[1].end, 600);
}

TEST(Endpoint, MinPauseZeroLeavesOnlyTheMaximumLength) {
  EndpointOptions options;
  options.min_pause_seconds = 0;
  Endpointer e = Make(options);
  const Matrix m = Frames(800, kNoise, {{0, 300, kSpeech}});
  e.Accept(m, 0);
  Ctc ctc = MakeCtc(800, {{300, 800}});
  EXPECT_TRUE(e.Decide(m, false, false, View(&ctc)).empty());
  EXPECT_FALSE(e.IsPauseOnly(m));
}

TEST(EndpointOptions, RegisterValidateAndToString) {
  EndpointOptions o;
  boost::program_options::options_description desc;
  o.Register(&desc);
  boost::program_options::variables_map vm;
  const char* argv[] = {"x", "--max-segment", "12", "--min-leading-pause", "0.8"};
  boost::program_options::store(boost::program_options::parse_command_line(5, argv, desc), vm);
  boost::program_options::notify(vm);
  EXPECT_EQ(o.max_utterance_seconds, 12);
  EXPECT_EQ(o.min_leading_pause_seconds, 0.8);
  EXPECT_NE(o.ToString().find("max-segment=12"), std::string::npos);
  o.Validate();
  o.max_utterance_seconds = 0.5;
  EXPECT_THROW(o.Validate(), Error);
  o = {};
  o.model_pause_fraction = 0;
  EXPECT_THROW(o.Validate(), Error);
  o = {};
  o.min_pause_seconds = -1;
  EXPECT_THROW(o.Validate(), Error);
}

}  // namespace
}  // namespace attend
