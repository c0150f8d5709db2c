// Training data: a Kaldi data directory (wav.scp, text, optional segments,
// utt2spk and feats.scp) turned into batches of features and token targets.
//
//   Dataset      reads the tables once, measures every utterance's length
//                (audio headers, or the features themselves), drops the bad
//                ones (reported once each: unreadable audio, empty text, a
//                text too long for CTC over the encoder's output), and forms
//                batches by total padded frames (--batch-frames) over the
//                utterances sorted by length, so each batch is one length bucket.
//   EpochOrder   the batches' order in an epoch: a shuffle seeded by (seed,
//                epoch), so resuming needs only the epoch and a position.
//   BatchLoader  a background thread that computes features (with speed
//                perturbation, VTLP, CMVN and SpecAugment) into a bounded queue; the
//                augmentation (and dither) of batch b in epoch e draws from an Rng seeded by
//                (seed, e, b), so it does not depend on timing or on where a run
//                was resumed.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "base/random.h"
#include "decoder/text_normalizer.h"
#include "decoder/vocabulary.h"
#include "frontend/audio_reader.h"
#include "frontend/cmvn.h"
#include "frontend/fbank.h"
#include "frontend/spec_augment.h"
#include "nn/tensor.h"

namespace attend::training {

struct DatasetOptions {
  int64_t batch_frames = 20000;  // --batch-frames: max (longest utterance × utterances) per batch
  int64_t max_batch_utts = 256;  // --max-batch-utts: utterances per batch at most
  int64_t max_frames = 3000;     // --max-frames: longer utterances are skipped (30 s at 10 ms)
  std::string speed_perturb;     // --speed-perturb: factors, e.g. "0.9,1.0,1.1"; "" = off
  // --vtlp: vocal tract length perturbation (Jaitly & Hinton, 2013): each
  // training utterance's filterbank gets a VTLN warp factor drawn uniformly
  // from [1 - vtlp, 1 + vtlp] (times the model's --vtln-warp); 0 = off. A
  // different vocal tract per draw, for models that must generalize to unseen
  // speakers.
  float vtlp = 0.0f;
  // --keep-empty-text: an utterance whose transcript is empty is non-speech
  // (noise, silence, music) the model learns to answer with nothing; off, it
  // is reported and skipped (an empty line is more often a data error).
  bool keep_empty_text = false;
  bool spec_augment = false;  // --spec-augment: SpecAugment on training batches
  frontend::SpecAugmentOptions spec;
  int64_t prefetch_batches = 4;  // --prefetch-batches: batches the loader thread prepares ahead
  frontend::AudioOptions audio;  // how wav.scp entries are read

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag and the bad value.
  void Validate() const;
  std::string ToString() const;
  // The parsed --speed-perturb factors (empty when off).
  std::vector<float> SpeedFactors() const;
};

// What the model needs from its config to read and check the data.
struct DataModelInfo {
  frontend::FbankOptions fbank;
  decoder::TextNormalizerOptions text;
  int64_t reduction = 4;  // encoder time reduction (CTC length check)
};

struct Utterance {
  std::string key;
  std::string wav;           // wav.scp value: path or "cmd |" ("" with features)
  double start_s = -1;       // segment start (seconds), -1 = whole recording
  double end_s = -1;         // segment end, -1 = to the end
  std::string feats;         // feats.scp value (path:offset), "" = compute from audio
  std::string text;          // normalized transcript
  std::vector<int> targets;  // token ids (no <sos/eos>)
  int64_t frames = 0;        // feature frames at speed 1
  // The fastest --speed-perturb factor whose shortened audio still gives the
  // encoder enough frames for the text (0 = any factor).
  float max_speed = 0.0f;
};

// One batch ready for the encoder.
struct Batch {
  int64_t epoch = 0;
  int64_t index = 0;              // position in the epoch's order
  int64_t bucket = 0;             // which of Dataset::batches() it holds
  std::vector<std::string> keys;  // utterances actually in the batch
  nn::Tensor features;            // [T, N, C] tnc, zero-padded
  std::vector<int64_t> lengths;   // N frame counts
  std::vector<std::vector<int>> targets;
  std::vector<std::string> texts;  // normalized references
  int64_t num_frames() const;      // sum of lengths
  int64_t num_tokens() const;      // sum of target lengths
};

class Dataset {
 public:
  // Reads `dir`/{text, wav.scp or feats.scp, segments?, utt2spk?}, normalizes
  // the text, and measures lengths. `vocab` may be null only to collect
  // texts for building one (Texts()), after which SetVocabulary() is called.
  // Bad utterances are reported to `log` (one line each) and dropped. Throws
  // attend::Error naming the file when a table is missing or malformed, or
  // when no utterance is usable.
  Dataset(const std::string& dir, const DatasetOptions& options, const DataModelInfo& model,
          const std::function<void(const std::string&)>& log);

  // Normalized transcripts of every usable utterance (to build a vocabulary).
  std::vector<std::string> Texts() const;
  // Encodes the targets, drops utterances whose targets cannot fit the CTC
  // lattice (reported), and forms the batches.
  void SetVocabulary(const decoder::Vocabulary& vocab);

  // CMVN statistics of every utterance's features (speed 1, no augmentation).
  frontend::CmvnStats ComputeCmvnStats() const;

  const std::vector<Utterance>& utterances() const { return utts_; }
  // Batches as utterance indices, formed by SetVocabulary().
  const std::vector<std::vector<int64_t>>& batches() const { return batches_; }
  int64_t num_batches() const { return static_cast<int64_t>(batches_.size()); }
  const DatasetOptions& options() const { return options_; }
  const DataModelInfo& model_info() const { return model_; }
  const std::string& dir() const { return dir_; }

  // Features of utterance `u` at `speed` (1 = unchanged); throws attend::Error
  // naming the key and the source.
  frontend::Matrix Features(const Utterance& u, float speed, frontend::Fbank* fbank) const;

  // Reports a bad utterance once (later calls for the same key are silent).
  void ReportBad(const std::string& key, const std::string& why) const;

 private:
  std::string dir_;
  DatasetOptions options_;
  DataModelInfo model_;
  std::function<void(const std::string&)> log_;
  std::vector<Utterance> utts_;
  std::vector<std::vector<int64_t>> batches_;
  mutable std::mutex bad_mutex_;
  mutable std::set<std::string> bad_;
};

// Batch indices of `epoch` (0-based) in their shuffled order.
std::vector<int64_t> EpochOrder(int64_t num_batches, uint64_t seed, int64_t epoch);

// Loads batches order[start..] of one epoch in a background thread. With
// `augment` false (dev sets) there is no speed perturbation, VTLP or SpecAugment.
class BatchLoader {
 public:
  BatchLoader(const Dataset* data, const frontend::Cmvn* cmvn, uint64_t seed, int64_t epoch,
              std::vector<int64_t> order, int64_t start, bool augment);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // The next batch in order; false at the end of the epoch. A batch whose
  // utterances all failed to load is skipped (each failure reported once).
  bool Next(Batch* batch);

 private:
  void Run();
  Batch Load(int64_t position);
  float PickSpeed(const Utterance& u, Rng* rng) const;

  const Dataset* data_;
  const frontend::Cmvn* cmvn_;
  uint64_t seed_;
  int64_t epoch_;
  std::vector<int64_t> order_;
  int64_t start_;
  bool augment_;
  std::vector<float> speeds_;
  float vtlp_;                              // 0 when not augmenting
  std::unique_ptr<frontend::Fbank> fbank_;  // used by the loader thread only

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool done_ = false, stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace attend::training
