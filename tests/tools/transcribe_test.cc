// End-to-end: `attend transcribe` on a small random model, as a user runs it.
// The model is untrained, so the words are noise; what is checked is the
// plumbing: inputs, formats, segments, heatmaps, failures and exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "frontend/audio_reader.h"
#include "model/asr_model.h"
#include "tests/frontend/audio_test_util.h"
#include "tests/test_support.h"

namespace attend {
namespace {

using testing::RunAttend;

class TranscribeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model::AsrModelConfig c;
    c.encoder.num_layers = 2;
    c.encoder.hidden_dim = 16;
    c.decoder.embedding_dim = 8;
    c.decoder.hidden_dim = 16;
    c.decoder.attention.attention_dim = 8;
    model::AsrModel m(c, decoder::Vocabulary::FromTexts({"abc def"}));
    Rng rng(3, "init");
    m.Init(&rng);
    model_ = dir_.File("tiny.attend");
    m.Save(model_);
    namespace tu = frontend::testutil;
    const int wav = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    ASSERT_TRUE(tu::WriteAudio(dir_.File("one.wav"), wav, 16000, 1, tu::Sine(440, 16000, 16000)));
    ASSERT_TRUE(tu::WriteAudio(dir_.File("two.wav"), wav, 8000, 1, tu::Sine(300, 8000, 4000)));
    std::vector<float> three = tu::Sine(200, 16000, 48000);
    for (int i = 20000; i < 24000; ++i) three[i] = 0;  // a pause to cut at
    ASSERT_TRUE(tu::WriteAudio(dir_.File("three.wav"), wav, 16000, 1, three));
    std::ofstream(dir_.File("bad.wav")) << "not audio";
    // Two 1-s "sentences" 3 s apart, quiet noise between them; and silence.
    // Buzzes, not tones: speech is broadband, and a pure tone leaves most mel
    // bands as quiet as the noise.
    auto buzz = [](double f0) {
      std::vector<float> x(16000, 0.0f);
      const int harmonics = static_cast<int>(7500 / f0);
      for (int k = 1; k <= harmonics; ++k) {
        const std::vector<float> h = tu::Sine(k * f0, 16000, 16000, 0.6 / harmonics);
        for (int i = 0; i < 16000; ++i) x[i] += h[i];
      }
      return x;
    };
    std::vector<float> pause = buzz(150);
    Rng noise(4, "pause");
    for (int i = 0; i < 48000; ++i) pause.push_back(noise.Normal(0, 0.001f));
    for (float x : buzz(200)) pause.push_back(x);
    ASSERT_TRUE(tu::WriteAudio(dir_.File("pause.wav"), wav, 16000, 1, pause));
    ASSERT_TRUE(
        tu::WriteAudio(dir_.File("silence.wav"), wav, 16000, 1, std::vector<float>(48000, 0.0f)));
  }
  std::string Run(const std::string& args) {
    return "transcribe --quiet --model " + model_ + " " + args;
  }

  testing::TempDir dir_;
  std::string model_;
};

TEST_F(TranscribeTest, TextLinesForGoodFilesAndAnErrorForTheBadOne) {
  auto r = RunAttend(
      Run(dir_.File("one.wav") + " " + dir_.File("bad.wav") + " " + dir_.File("two.wav")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(dir_.File("one.wav")), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(dir_.File("two.wav")), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("attend: error: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bad.wav"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 of 3 inputs failed"), std::string::npos) << r.output;
}

TEST_F(TranscribeTest, ScpWithPipeAndGlobAndJobs) {
  std::ofstream(dir_.File("wav.scp"))
      << "uttA " << dir_.File("one.wav") << "\nuttB cat " << dir_.File("two.wav") << " |\n";
  auto r = RunAttend(Run("--jobs 2 --scp " + dir_.File("wav.scp")));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("uttA", 0), 0u) << r.output;  // input order is kept
  EXPECT_NE(r.output.find("\nuttB"), std::string::npos) << r.output;
  r = RunAttend(Run("'" + dir_.File("t*.wav") + "'"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("three.wav"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("two.wav"), std::string::npos) << r.output;
}

// --batch encodes the utterances of different recordings together: the
// same text, in input order; a recording that fails is reported in its turn.
TEST_F(TranscribeTest, BatchedJobsGiveTheTextOfOneJob) {
  std::ofstream(dir_.File("wav.scp"))
      << "uttA " << dir_.File("one.wav") << "\nuttB cat " << dir_.File("two.wav") << " |\nuttC "
      << dir_.File("missing.wav") << "\nuttD " << dir_.File("three.wav") << "\n";
  auto one = RunAttend(Run("--jobs 1 --threads 1 --scp " + dir_.File("wav.scp")));
  auto batched = RunAttend(Run("--jobs 2 --batch 3 --scp " + dir_.File("wav.scp")));
  EXPECT_EQ(batched.exit_code, 1) << batched.output;
  EXPECT_EQ(batched.output, one.output);
  EXPECT_NE(batched.output.find("1 of 4 inputs failed"), std::string::npos) << batched.output;
  EXPECT_NE(RunAttend(Run("--batch 0 " + dir_.File("one.wav"))).exit_code, 0);
}

// --segments decodes stretches of the --scp recordings (Kaldi's segments
// file), keyed by their uttids; a whole-recording segment decodes as the file
// does; bad segments are reported in their turn and the rest decoded.
TEST_F(TranscribeTest, SegmentsDecodeStretchesOfTheScpRecordings) {
  std::ofstream(dir_.File("wav.scp"))
      << "one " << dir_.File("one.wav") << "\nthree cat " << dir_.File("three.wav") << " |\ntwo "
      << dir_.File("two.wav") << "\n";
  std::ofstream(dir_.File("segments")) << "a one 0 -1\n"
                                          "b three 1.0 2.5\n"
                                          "c two 0.1 0.4\n"
                                          "d four 0 1\n"
                                          "e three 2.0 1.0\n"
                                          "f one 5 6\n"
                                          "g three 2.5 -1\n";
  auto r = RunAttend(Run("--format json --jobs 2 --scp " + dir_.File("wav.scp") + " --segments " +
                         dir_.File("segments")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  std::map<std::string, nlohmann::json> results;
  std::vector<std::string> order;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{", 0) != 0) continue;
    const nlohmann::json j = nlohmann::json::parse(line);
    order.push_back(j["key"]);
    results[j["key"]] = j;
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "g"}));
  EXPECT_NEAR(results["a"]["duration"].get<double>(), 1.0, 1e-3);
  EXPECT_NEAR(results["b"]["duration"].get<double>(), 1.5, 1e-3);
  EXPECT_NEAR(results["c"]["duration"].get<double>(), 0.3, 1e-3);  // 8 kHz audio, resampled
  EXPECT_NEAR(results["g"]["duration"].get<double>(), 0.5, 1e-3);
  EXPECT_NE(r.output.find("attend: error: recording 'four' of segment 'd' is not in the --scp"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("attend: error: segment 'e' runs from 2 s to 1 s (line 5 of "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("attend: error: segment 'f' starts at 5 s, after the end of "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("3 of 7 inputs failed"), std::string::npos) << r.output;

  // The whole recording as a segment: the same transcript, score and times.
  auto file = RunAttend(Run("--format json " + dir_.File("one.wav")));
  ASSERT_EQ(file.exit_code, 0) << file.output;
  const nlohmann::json whole = nlohmann::json::parse(file.output);
  EXPECT_EQ(results["a"]["segments"], whole["segments"]);

  // A malformed line fails the command, naming it; --segments needs --scp.
  std::ofstream(dir_.File("bad_segments")) << "a one 0\n";
  r = RunAttend(Run("--scp " + dir_.File("wav.scp") + " --segments " + dir_.File("bad_segments")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("line 1: expected `uttid recording start end`"), std::string::npos)
      << r.output;
  r = RunAttend(Run("--segments " + dir_.File("segments") + " " + dir_.File("one.wav")));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("--segments needs --scp"), std::string::npos) << r.output;
  std::ofstream(dir_.File("no_segments")) << "";
  r = RunAttend(Run("--scp " + dir_.File("wav.scp") + " --segments " + dir_.File("no_segments")));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("attend: error: no segments listed ("), std::string::npos) << r.output;
}

TEST_F(TranscribeTest, JsonParsesWithTimesInsideTheAudioAndLongAudioIsSegmented) {
  auto r = RunAttend(Run("--format json --nbest 2 --max-segment 1.5 " + dir_.File("three.wav") +
                         " " + dir_.File("one.wav")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream lines(r.output);
  std::string line;
  int objects = 0;
  while (std::getline(lines, line)) {
    nlohmann::json j = nlohmann::json::parse(line);  // throws (fails the test) on bad JSON
    ++objects;
    const double duration = j["duration"];
    double previous_end = 0;
    for (const auto& s : j["segments"]) {
      EXPECT_GE(s["start"].get<double>(), previous_end - 1e-9);
      EXPECT_LE(s["end"].get<double>(), duration + 0.03);
      previous_end = s["end"];
      EXPECT_LE(s["nbest"].size(), 2u);
      for (const auto& alt : s["nbest"]) {
        double t = s["start"];
        for (const auto& w : alt["words"]) {
          EXPECT_GE(w["start"].get<double>(), t - 1e-9);
          EXPECT_GE(w["end"].get<double>(), w["start"].get<double>());
          EXPECT_LE(w["end"].get<double>(), s["end"].get<double>() + 1e-9);
          t = w["start"];
        }
      }
    }
    if (j["key"].get<std::string>().find("three") != std::string::npos) {
      EXPECT_GE(j["segments"].size(), 2u) << "3 s of audio with --max-segment 1.5";
    }
  }
  EXPECT_EQ(objects, 2);
}

// A pause of --min-pause seconds ends a segment, and the pause itself is not
// decoded (an attention decoder fed it loses its place); digital silence gives
// no segment at all. --min-pause 0 decodes each file whole.
TEST_F(TranscribeTest, PausesEndSegmentsAndSilenceIsNotDecoded) {
  auto segments = [&](const std::string& args) {
    auto r = RunAttend(Run("--format json " + args));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::vector<std::pair<double, double>> spans;
    if (r.exit_code != 0) return spans;
    const nlohmann::json j = nlohmann::json::parse(r.output);
    for (const auto& s : j["segments"])
      spans.emplace_back(s["start"].get<double>(), s["end"].get<double>());
    return spans;
  };
  const auto split = segments(dir_.File("pause.wav"));
  ASSERT_EQ(split.size(), 2u);
  EXPECT_NEAR(split[0].first, 0.0, 1e-9);
  EXPECT_NEAR(split[0].second, 1.2, 0.1);  // 0.2 s of the pause kept
  EXPECT_NEAR(split[1].first, 3.8, 0.1);
  EXPECT_NEAR(split[1].second, 5.0, 0.05);
  EXPECT_EQ(segments("--min-pause 0 " + dir_.File("pause.wav")).size(), 1u);
  EXPECT_EQ(segments("--min-pause 4 " + dir_.File("pause.wav")).size(), 1u);
  EXPECT_TRUE(segments(dir_.File("silence.wav")).empty());
  auto r = RunAttend(Run("--min-pause -1 " + dir_.File("one.wav")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("attend: error: --min-pause"), std::string::npos) << r.output;
}

// In noise as loud as its pauses, loudness finds no pause, and long audio
// used to be cut at the quietest frame of each --max-segment stretch: into
// slivers a frame long and segments holding two sentences. The bundled model's
// CTC head finds the pauses: four sample sentences 0.8 s apart under white
// noise at 10 dB SNR come out as four segments, one per sentence.
TEST_F(TranscribeTest, InNoiseTheModelFindsThePausesBetweenSentences) {
  const std::string samples = std::string(ATTEND_TEST_DATA_DIR) + "/../samples/";
  const std::vector<std::string> names = {"espeak_en029_annie-f003056", "espeak_engb_aunty-d001653",
                                          "espeak_engbscotland_belinda-t000899",
                                          "espeak_engbxgbclan_f3-w002097"};
  constexpr int kRate = 16000;
  constexpr double kGapSeconds = 0.8;
  std::vector<float> audio;
  std::vector<std::pair<double, double>> sentences;  // seconds
  for (const std::string& name : names) {
    frontend::AudioOptions opts;
    opts.target_rate_hz = kRate;
    frontend::AudioReader reader(samples + name + ".wav", opts);
    const double start = static_cast<double>(audio.size()) / kRate;
    for (float x : reader.ReadAll()) audio.push_back(x / 32768.0f);  // int16 scale -> [-1, 1]
    sentences.emplace_back(start, static_cast<double>(audio.size()) / kRate);
    audio.resize(audio.size() + static_cast<size_t>(kGapSeconds * kRate), 0.0f);
  }
  double power = 0;
  for (float x : audio) power += static_cast<double>(x) * x;
  const auto noise_rms = static_cast<float>(std::sqrt(power / audio.size()) / std::pow(10.0, 0.5));
  Rng rng(7, "noise");
  for (float& x : audio) x = std::clamp(x + rng.Normal(0, noise_rms), -1.0f, 1.0f);
  const int wav = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  ASSERT_TRUE(frontend::testutil::WriteAudio(dir_.File("noisy.wav"), wav, kRate, 1, audio));

  auto r = RunAttend("transcribe --format json --max-segment 4 --model " +
                     std::string(ATTEND_TEST_DATA_DIR) + "/../models/default.attend " +
                     dir_.File("noisy.wav"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  const auto& segments = j["segments"];
  ASSERT_EQ(segments.size(), names.size()) << r.output;
  // Each segment holds its sentence (whose file has its own short silences at
  // either end) and ends in the pause after it.
  constexpr double kEdgeSilence = 0.3;
  for (size_t i = 0; i < names.size(); ++i) {
    const double start = segments[i]["start"].get<double>(), end = segments[i]["end"].get<double>();
    const double prev_end = i == 0 ? 0.0 : sentences[i - 1].second;
    const double next_start = i + 1 == names.size() ? 1e9 : sentences[i + 1].first;
    EXPECT_GE(start, prev_end - kEdgeSilence) << i;
    EXPECT_LE(start, sentences[i].first + kEdgeSilence) << i;
    EXPECT_GE(end, sentences[i].second - kEdgeSilence) << i;
    EXPECT_LE(end, next_start + kEdgeSilence) << i;
  }
}

TEST_F(TranscribeTest, SubtitlesCtmAndHeatmapsToAnOutputDir) {
  const std::string out = dir_.File("out"), png = dir_.File("png");
  for (const std::string fmt : {"srt", "vtt", "ctm"}) {
    auto r = RunAttend(Run("--format " + fmt + " --output-dir " + out + " --attention-png " + png +
                           " " + dir_.File("one.wav") + " " + dir_.File("three.wav")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::ifstream f(out + "/one." + fmt);
    ASSERT_TRUE(f.good()) << fmt;
    std::stringstream s;
    s << f.rdbuf();
    const std::string text = s.str();
    if (fmt == "vtt") {
      EXPECT_EQ(text.rfind("WEBVTT\n", 0), 0u);
    }
    if (fmt == "srt" && !text.empty()) {
      EXPECT_EQ(text.rfind("1\n00:00:", 0), 0u) << text;
    }
    if (fmt == "ctm") {
      std::istringstream lines(text);
      for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string key, channel, word;
        double start, dur, conf;
        ASSERT_TRUE(fields >> key >> channel >> start >> dur >> word >> conf) << line;
        EXPECT_GE(dur, 0);
      }
    }
  }
  std::ifstream heat(png + "/one.png", std::ios::binary);
  char sig[8] = {};
  heat.read(sig, 8);
  EXPECT_EQ(std::string(sig + 1, 3), "PNG");

  // The rows are labelled with the output tokens whatever the format (text
  // output once kept no tokens, and every row read "<eos>").
  const std::string png_json = dir_.File("png_json");
  auto text = RunAttend(Run("--attention-png " + png + " " + dir_.File("one.wav")));
  auto json =
      RunAttend(Run("--format json --attention-png " + png_json + " " + dir_.File("one.wav")));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  ASSERT_EQ(json.exit_code, 0) << json.output;
  ASSERT_GT(text.output.size(), dir_.File("one.wav").size() + 1) << "no tokens to label";
  EXPECT_EQ(testing::ReadFileBytes(png + "/one.png"),
            testing::ReadFileBytes(png_json + "/one.png"));
}

TEST_F(TranscribeTest, BadModelAndBadOptionsAreOneLineErrors) {
  std::ofstream(dir_.File("broken.attend")) << "ATTNDMDL garbage";
  auto r =
      RunAttend("transcribe --model " + dir_.File("broken.attend") + " " + dir_.File("one.wav"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("broken.attend"), std::string::npos) << r.output;
  r = RunAttend(Run("--beam 0 " + dir_.File("one.wav")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--beam"), std::string::npos) << r.output;
  r = RunAttend(Run("--lm-weight -1 " + dir_.File("one.wav")));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("--lm-weight"), std::string::npos) << r.output;
  r = RunAttend(Run(dir_.File("missing.wav")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("missing.wav"), std::string::npos) << r.output;
  std::ofstream(dir_.File("dup.scp"))
      << "a " << dir_.File("one.wav") << "\na " << dir_.File("two.wav") << "\n";
  r = RunAttend(Run("--scp " + dir_.File("dup.scp")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("duplicate key"), std::string::npos) << r.output;
}

// --vtln-warp warps the model's filterbank (Kaldi's VTLN): 1 is the model's
// own features, another factor changes what the model hears; a warp that is
// not positive, or too far for the mel banks, is an error naming the option.
TEST_F(TranscribeTest, VtlnWarpChangesTheFeaturesAndABadWarpIsAnError) {
  auto best_score = [&](const std::string& args) {
    // --min-len-ratio: the random model would end at once, with no segment.
    auto r =
        RunAttend(Run("--format json --min-len-ratio 0.2 " + args + " " + dir_.File("one.wav")));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const nlohmann::json j = nlohmann::json::parse(r.output);
    return j["segments"].at(0)["nbest"].at(0)["score"].get<double>();
  };
  const double plain = best_score("");
  EXPECT_EQ(best_score("--vtln-warp 1"), plain);
  EXPECT_NE(best_score("--vtln-warp 1.1"), plain);
  EXPECT_NE(best_score("--vtln-warp 0.9"), plain);
  // 4 moves the lowest mel filter below every FFT bin.
  for (const std::string bad : {"0", "-1.1", "4"}) {
    auto r = RunAttend(Run("--vtln-warp " + bad + " " + dir_.File("one.wav")));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("attend: error: --vtln-warp: "), std::string::npos) << r.output;
  }
}

// MODEL.decode.conf beside the model sets decoding defaults (as a recipe's dev
// tuning writes them); the command line wins over it, and a key that is not a
// decoding option is an error naming the file.
TEST_F(TranscribeTest, ModelDecodeConfSetsDefaultsUnderTheCommandLine) {
  auto most_alternatives = [&](const std::string& args) {
    // --min-len-ratio: the random model would end at once, with no segment.
    auto r =
        RunAttend(Run("--format json --min-len-ratio 0.3 " + args + " " + dir_.File("one.wav")));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    size_t most = 0;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      const nlohmann::json j = nlohmann::json::parse(line);
      for (const auto& s : j["segments"]) most = std::max(most, s["nbest"].size());
    }
    return most;
  };
  EXPECT_EQ(most_alternatives(""), 1u);
  std::ofstream(dir_.File("tiny.decode.conf")) << "# chosen on dev\nnbest = 3\n";
  EXPECT_EQ(most_alternatives(""), 3u);
  EXPECT_EQ(most_alternatives("--nbest 2"), 2u);

  std::ofstream(dir_.File("tiny.decode.conf")) << "format = json\n";
  auto r = RunAttend(Run(dir_.File("one.wav")));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("attend: error:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("tiny.decode.conf"), std::string::npos) << r.output;
}

// A relative `lm` in MODEL.decode.conf is the file beside the model (a model
// ships its LM), wherever attend runs; in a file given with --config it is
// relative to that file (the bundled decode.conf decodes a checkpoint too); on
// the command line it is relative to the working directory as usual.
TEST_F(TranscribeTest, ModelDecodeConfLmIsRelativeToTheModel) {
  std::filesystem::create_directories(dir_.File("lm"));
  std::ofstream(dir_.File("lm/text")) << "a b c\nabc cab\n";
  auto r =
      RunAttend("train-lm --text " + dir_.File("lm/text") + " --out " + dir_.File("lm/x.arpa"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ofstream(dir_.File("tiny.decode.conf")) << "lm = lm/x.arpa\nlm-weight = 0.5\n";
  r = RunAttend(Run("--format json --min-len-ratio 0.3 " + dir_.File("one.wav")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  EXPECT_NE(j["segments"][0]["nbest"][0]["lm_score"].get<double>(), 0.0) << r.output;

  std::ofstream(dir_.File("tiny.decode.conf")) << "lm = lm/none.arpa\n";
  r = RunAttend(Run(dir_.File("one.wav")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(dir_.File("lm/none.arpa")), std::string::npos) << r.output;
  std::filesystem::remove(dir_.File("tiny.decode.conf"));

  std::filesystem::create_directories(dir_.File("conf"));
  std::ofstream(dir_.File("conf/decode.conf")) << "lm = ../lm/x.arpa\nlm-weight = 0.5\n";
  r = RunAttend(Run("--format json --min-len-ratio 0.3 --config " + dir_.File("conf/decode.conf") +
                    " " + dir_.File("one.wav")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json k = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  EXPECT_EQ(k["segments"][0]["nbest"][0]["lm_score"], j["segments"][0]["nbest"][0]["lm_score"]);
  r = RunAttend(Run("--lm lm/x.arpa " + dir_.File("one.wav")));  // not relative to the model
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("(lm/x.arpa)"), std::string::npos) << r.output;
}

// A word LM (train-lm --words) fuses alone or beside the character LM; its
// path in MODEL.decode.conf is relative to the model too. Its weight without
// it, and --vocab without --words, are errors naming the option.
TEST_F(TranscribeTest, WordLmFusesAloneOrWithTheCharacterLm) {
  std::filesystem::create_directories(dir_.File("wlm"));
  std::ofstream(dir_.File("wlm/text")) << "a b c\nabc cab\n";
  std::ofstream(dir_.File("wlm/dict")) << "bac\ncc\n";
  auto r = RunAttend("train-lm --words --order 2 --vocab " + dir_.File("wlm/dict") + " " +
                     dir_.File("wlm/text") + " " + dir_.File("wlm/w.arpa"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2 words listed, word order 2"), std::string::npos) << r.output;
  std::ifstream arpa(dir_.File("wlm/w.arpa"));
  const std::string arpa_text((std::istreambuf_iterator<char>(arpa)), {});
  EXPECT_NE(arpa_text.find("\tbac"), std::string::npos);  // a dictionary word became a unigram
  r = RunAttend("train-lm " + dir_.File("wlm/text") + " " + dir_.File("wlm/c.arpa"));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  auto lm_score = [&](const std::string& conf) {
    std::ofstream(dir_.File("tiny.decode.conf")) << conf;
    auto run = RunAttend(Run("--format json --min-len-ratio 0.3 " + dir_.File("one.wav")));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    if (run.exit_code != 0) return 0.0;
    const nlohmann::json j = nlohmann::json::parse(run.output.substr(run.output.find('{')));
    return j["segments"][0]["nbest"][0]["lm_score"].get<double>();
  };
  const double word = lm_score("word-lm = wlm/w.arpa\nword-lm-weight = 0.5\n");
  const double both =
      lm_score("word-lm = wlm/w.arpa\nword-lm-weight = 0.5\nlm = wlm/c.arpa\nlm-weight = 0.3\n");
  EXPECT_LT(word, 0.0);
  EXPECT_LT(both, 0.0);
  EXPECT_NE(word, both);
  std::filesystem::remove(dir_.File("tiny.decode.conf"));

  r = RunAttend(Run("--word-lm-weight 0.5 " + dir_.File("one.wav")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--word-lm-weight is 0.5 but no --word-lm"), std::string::npos)
      << r.output;
  r = RunAttend(Run("--word-lm " + dir_.File("wlm/w.arpa") +
                    " --word-lm-weight 0.5 --oov-penalty 0 " + dir_.File("one.wav")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--oov-penalty"), std::string::npos) << r.output;
  r = RunAttend("train-lm --vocab " + dir_.File("wlm/dict") + " " + dir_.File("wlm/text") + " " +
                dir_.File("wlm/x.arpa"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--vocab needs --words"), std::string::npos) << r.output;
}

// Without --model, transcribe uses $ATTEND_MODEL, else the bundled model,
// whatever the working directory (here a temporary one with no models/ in it).
TEST_F(TranscribeTest, WithoutModelUsesAttendModelElseTheBundledOneFromAnyDirectory) {
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_.path());
  const std::string sample =
      std::string(ATTEND_TEST_DATA_DIR) + "/../samples/espeak_engb_aunty-d001653.wav";
  unsetenv("ATTEND_MODEL");
  auto bundled = RunAttend("transcribe --quiet " + sample);
  setenv("ATTEND_MODEL", model_.c_str(), 1);
  auto from_env = RunAttend("transcribe --quiet " + sample);
  setenv("ATTEND_MODEL", dir_.File("missing.attend").c_str(), 1);
  auto missing = RunAttend("transcribe --quiet " + sample);
  unsetenv("ATTEND_MODEL");
  std::filesystem::current_path(cwd);

  EXPECT_EQ(bundled.exit_code, 0) << bundled.output;
  EXPECT_EQ(bundled.output.rfind(sample + " ", 0), 0u) << bundled.output;
  EXPECT_GT(bundled.output.size(), sample.size() + 5) << bundled.output;  // some words
  EXPECT_EQ(from_env.exit_code, 0) << from_env.output;
  EXPECT_NE(from_env.output, bundled.output);  // the random tiny model, not the bundled one
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("attend: error: no model at $ATTEND_MODEL="), std::string::npos)
      << missing.output;
}

// The bundled model's decode.conf calibrates word confidences: the same words
// and times as uncalibrated (--confidence-weights none), other confidences, and
// --confidence-features shows the calibration's 13 inputs per word.
TEST(TranscribeConfidenceTest, CalibrationChangesConfidencesOnly) {
  const std::string root = std::string(ATTEND_TEST_DATA_DIR) + "/..";
  const std::string run = "transcribe --quiet --threads 1 --format json --model " + root +
                          "/models/default.attend " + root +
                          "/samples/espeak_engb_aunty-d001653.wav";
  auto cal = RunAttend(run + " --confidence-features");
  auto raw = RunAttend(run + " --confidence-weights none");
  ASSERT_EQ(cal.exit_code, 0) << cal.output;
  ASSERT_EQ(raw.exit_code, 0) << raw.output;
  auto words = [](const std::string& output) {
    const std::string line = output.substr(output.find('{'));
    return nlohmann::json::parse(line)["segments"][0]["nbest"][0]["words"];
  };
  const nlohmann::json c = words(cal.output), r = words(raw.output);
  ASSERT_EQ(c.size(), r.size());
  ASSERT_GT(c.size(), 0u);
  bool any_different = false;
  for (size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c[i]["word"], r[i]["word"]);
    EXPECT_EQ(c[i]["start"], r[i]["start"]);
    EXPECT_EQ(c[i]["end"], r[i]["end"]);
    EXPECT_EQ(c[i]["features"].size(), 13u);
    EXPECT_FALSE(r[i].contains("features"));
    const double p = c[i]["confidence"];
    EXPECT_TRUE(p >= 0 && p <= 1) << p;
    any_different |= c[i]["confidence"] != r[i]["confidence"];
  }
  EXPECT_TRUE(any_different);

  auto bad = RunAttend(run + " --confidence-weights '1 2'");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("attend: error: --confidence-weights needs 14 numbers"),
            std::string::npos)
      << bad.output;
}

}  // namespace
}  // namespace attend
