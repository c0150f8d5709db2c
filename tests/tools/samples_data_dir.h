// The bundled samples as a Kaldi data directory, and a tiny multi-head model
// trained on it, for the tools tests that need a data dir or several heads.
#pragma once

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "tests/test_support.h"

namespace attend::testing {

inline std::string SourceRoot() { return std::string(ATTEND_TEST_DATA_DIR) + "/.."; }

// Writes text, wav.scp and utt2spk (one speaker per utterance) of the bundled
// samples into `dir` (created); returns their keys.
inline std::set<std::string> WriteSamplesDataDir(const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::set<std::string> keys;
  std::ifstream refs(SourceRoot() + "/samples/text");
  std::ofstream text(dir + "/text"), scp(dir + "/wav.scp"), utt2spk(dir + "/utt2spk");
  for (std::string line; std::getline(refs, line);) {
    if (line.empty()) continue;
    const std::string key = line.substr(0, line.find(' '));
    keys.insert(key);
    text << line << "\n";
    scp << key << " " << SourceRoot() << "/samples/" << key << ".wav\n";
    utt2spk << key << " " << key << "\n";
  }
  return keys;
}

// Trains a tiny 4-head location-attention model for two steps on `data` into
// `exp` (exp/model.attend): the mechanics of several heads, not accuracy; a
// low softmax temperature so that its random heads differ visibly.
inline CommandResult TrainTinyFourHeadModel(const std::string& data, const std::string& exp) {
  return RunAttend("train --quiet --data " + data + " --exp " + exp +
                   " --max-steps 2 --threads 1 --encoder.num_layers 1 --encoder.reduction 1"
                   " --encoder.hidden_dim 16 --encoder.proj_dim 16"
                   " --decoder-embedding-dim 8 --decoder-hidden-dim 16"
                   " --attention-type location --attention-dim 16 --attention-heads 4"
                   " --attention-temperature 0.02");
}

}  // namespace attend::testing
