// A synthetic "speech" corpus made at test time, so training tests need no
// fixtures or synthesizer: each letter of a small alphabet is a tone of its
// own pitch (log-spaced, with a second harmonic) lasting kLetterMs, a space is
// a short near-silence, and utterances are random words of those letters. A
// model that learns the mapping reads the text back from the tones.
#pragma once

#include <cmath>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "base/random.h"
#include "tests/frontend/audio_test_util.h"

namespace attend::training::testing {

inline constexpr char kLetters[] = "abcdef";
inline constexpr int kRate = 16000;
inline constexpr int kLetterMs = 80;
inline constexpr int kSpaceMs = 50;

// The waveform of `text` (letters of kLetters and spaces), in [-1, 1].
inline std::vector<float> SynthesizeText(const std::string& text, Rng* rng) {
  std::vector<float> wave;
  double phase1 = 0, phase2 = 0;
  for (char c : text) {
    const size_t letter = std::string(kLetters).find(c);
    const int n = kRate * (letter == std::string::npos ? kSpaceMs : kLetterMs) / 1000;
    const double hz = letter == std::string::npos ? 0 : 300.0 * std::pow(1.45, letter);
    for (int i = 0; i < n; ++i) {
      // A short fade at each edge so letters do not click.
      const double edge = std::min(1.0, std::min(i, n - 1 - i) / 80.0);
      phase1 += 2 * std::numbers::pi * hz / kRate;
      phase2 += 2 * std::numbers::pi * 2.0 * hz / kRate;
      const double tone = hz > 0 ? edge * (0.4 * std::sin(phase1) + 0.15 * std::sin(phase2)) : 0;
      wave.push_back(static_cast<float>(tone + rng->Normal(0, 0.003f)));
    }
  }
  return wave;
}

// Random words: 1–3 words of 1–4 letters.
inline std::string RandomText(Rng* rng) {
  std::string text;
  const int words = static_cast<int>(rng->UniformInt(1, 3));
  const int letters = static_cast<int>(sizeof(kLetters)) - 1;
  for (int w = 0; w < words; ++w) {
    if (w > 0) text += ' ';
    const int len = static_cast<int>(rng->UniformInt(1, 4));
    for (int i = 0; i < len; ++i) text += kLetters[rng->UniformInt(0, letters - 1)];
  }
  return text;
}

// Writes `dir`/{text, wav.scp, utt2spk} and `dir`/wav/<key>.wav for
// `count` random utterances; returns the texts by utterance order.
inline std::vector<std::string> MakeDataDir(const std::string& dir, int count, uint64_t seed) {
  std::filesystem::create_directories(dir + "/wav");
  Rng rng(seed, "synthetic corpus");
  std::ofstream text(dir + "/text"), scp(dir + "/wav.scp"), spk(dir + "/utt2spk");
  std::vector<std::string> texts;
  for (int i = 0; i < count; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "utt%04d", i);
    const std::string t = RandomText(&rng);
    const std::string wav = dir + "/wav/" + key + ".wav";
    frontend::testutil::WriteAudio(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, kRate, 1,
                                   SynthesizeText(t, &rng));
    text << key << " " << t << "\n";
    scp << key << " " << wav << "\n";
    spk << key << " spk1\n";
    texts.push_back(t);
  }
  return texts;
}

// Appends `count` non-speech utterances (keys nonspeechNNNN) to `dir` (made
// if new): 0.3–1 s
// of noise at a random level, with an empty transcript.
inline void AppendNonSpeech(const std::string& dir, int count, uint64_t seed) {
  std::filesystem::create_directories(dir + "/wav");
  Rng rng(seed, "non-speech");
  std::ofstream text(dir + "/text", std::ios::app), scp(dir + "/wav.scp", std::ios::app),
      spk(dir + "/utt2spk", std::ios::app);
  for (int i = 0; i < count; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "nonspeech%04d", i);
    const std::string wav = dir + "/wav/" + key + ".wav";
    const float level = rng.Uniform(0.001f, 0.05f);
    std::vector<float> noise(static_cast<size_t>(rng.UniformInt(kRate * 3 / 10, kRate)));
    for (float& x : noise) x = rng.Normal(0, level);
    frontend::testutil::WriteAudio(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, kRate, 1, noise);
    text << key << "\n";
    scp << key << " " << wav << "\n";
    spk << key << " noise\n";
  }
}

}  // namespace attend::training::testing
