#include "training/dataset.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <sstream>

#include <boost/program_options.hpp>

#include "base/config_text.h"
#include "base/error.h"
#include "base/random.h"
#include "base/text_table.h"
#include "frontend/feature_window.h"
#include "frontend/kaldi_archive.h"
#include "frontend/speed_perturb.h"

namespace attend::training {

namespace po = boost::program_options;

void DatasetOptions::Register(po::options_description* desc) {
  desc->add_options()("batch-frames", po::value(&batch_frames)->default_value(batch_frames),
                      "frames per batch at most, counted padded (longest × utterances)")(
      "max-batch-utts", po::value(&max_batch_utts)->default_value(max_batch_utts),
      "utterances per batch at most")(
      "max-frames", po::value(&max_frames)->default_value(max_frames),
      "training utterances longer than this (feature frames) are skipped")(
      "speed-perturb", po::value(&speed_perturb)->default_value(speed_perturb),
      "speed perturbation factors, comma-separated (e.g. 0.9,1.0,1.1); one is drawn per "
      "utterance; empty = off")(
      "vtlp", po::value(&vtlp)->default_value(vtlp),
      "vocal tract length perturbation: per utterance, a VTLN warp factor drawn uniformly "
      "from [1 - x, 1 + x] (e.g. 0.1); 0 = off")(
      "keep-empty-text", po::value(&keep_empty_text)->default_value(keep_empty_text),
      "train on utterances with an empty transcript as non-speech (the model learns to "
      "output nothing for them); off: they are reported and skipped")(
      "spec-augment", po::value(&spec_augment)->default_value(spec_augment),
      "SpecAugment on training batches (--specaug-* options)")(
      "prefetch-batches", po::value(&prefetch_batches)->default_value(prefetch_batches),
      "batches the loader thread prepares ahead of the math");
  spec.Register(desc);
  audio.Register(desc);
}

void DatasetOptions::Validate() const {
  ATTEND_CHECK(batch_frames > 0, "--batch-frames must be positive, got ", batch_frames);
  ATTEND_CHECK(max_batch_utts > 0, "--max-batch-utts must be positive, got ", max_batch_utts);
  ATTEND_CHECK(max_frames > 0, "--max-frames must be positive, got ", max_frames);
  ATTEND_CHECK(prefetch_batches > 0, "--prefetch-batches must be positive, got ", prefetch_batches);
  for (float f : SpeedFactors()) {
    ATTEND_CHECK(f > 0.5f && f <= 2.0f, "--speed-perturb factors must be in (0.5, 2], got ", f);
  }
  ATTEND_CHECK(vtlp >= 0.0f && vtlp <= 0.3f, "--vtlp must be in [0, 0.3], got ", vtlp);
  spec.Validate();
  audio.Validate();
}

std::string DatasetOptions::ToString() const {
  DatasetOptions copy = *this;
  po::options_description desc;
  copy.Register(&desc);
  return ConfigText(desc);
}

std::vector<float> DatasetOptions::SpeedFactors() const {
  std::vector<float> factors;
  std::string s = speed_perturb;
  std::replace(s.begin(), s.end(), ',', ' ');
  std::istringstream in(s);
  std::string word;
  while (in >> word) {
    try {
      size_t used = 0;
      factors.push_back(std::stof(word, &used));
      ATTEND_CHECK(used == word.size(), "bad number");
    } catch (const std::exception&) {
      throw Error("--speed-perturb: '" + word + "' is not a number (in '" + speed_perturb + "')");
    }
  }
  return factors;
}

int64_t Batch::num_frames() const {
  return std::accumulate(lengths.begin(), lengths.end(), int64_t{0});
}

int64_t Batch::num_tokens() const {
  int64_t n = 0;
  for (const auto& t : targets) n += static_cast<int64_t>(t.size());
  return n;
}

namespace {

std::map<std::string, std::string> ReadMap(const std::string& path) {
  std::map<std::string, std::string> m;
  for (TableEntry& e : ReadTextTable(path)) m.emplace(std::move(e.key), std::move(e.value));
  return m;
}

// Frames after the encoder's time reduction (each ×2 step ceil-halves).
int64_t ReducedFrames(int64_t frames, int64_t reduction) {
  for (int64_t r = reduction; r > 1; r /= 2) frames = (frames + 1) / 2;
  return frames;
}

// The fewest CTC frames that can emit `targets`: one per token plus a blank
// between each pair of equal neighbours.
int64_t CtcMinFrames(const std::vector<int>& targets) {
  int64_t n = static_cast<int64_t>(targets.size());
  for (size_t i = 1; i < targets.size(); ++i) n += targets[i] == targets[i - 1];
  return n;
}

}  // namespace

Dataset::Dataset(const std::string& dir, const DatasetOptions& options, const DataModelInfo& model,
                 const std::function<void(const std::string&)>& log)
    : dir_(dir), options_(options), model_(model), log_(log) {
  options_.Validate();
  if (options_.vtlp != 0.0f) {
    // Both extremes must give valid mel banks (the VTLN inflection points
    // move monotonically with the warp), so a bad mix fails now, not mid-epoch.
    for (const float warp : {1.0f - options_.vtlp, 1.0f + options_.vtlp})
      frontend::WithVtlnWarp(model.fbank, warp, "--vtlp " + std::to_string(options_.vtlp));
  }
  namespace fs = std::filesystem;
  const fs::path root(dir);
  ATTEND_CHECK(fs::is_directory(root), "data directory '", dir, "' does not exist");
  const std::string text_path = (root / "text").string();
  ATTEND_CHECK(fs::exists(text_path), "'", text_path, "' is missing (every data directory needs ",
               "a text file)");
  const bool have_feats = fs::exists(root / "feats.scp");
  const bool have_wav = fs::exists(root / "wav.scp");
  ATTEND_CHECK(have_feats || have_wav, "'", dir, "' has neither wav.scp nor feats.scp");

  std::map<std::string, std::string> wavs, feats;
  if (have_feats) feats = ReadMap((root / "feats.scp").string());
  if (have_wav && !have_feats) wavs = ReadMap((root / "wav.scp").string());
  struct Segment {
    std::string recording;
    double start, end;
  };
  std::map<std::string, Segment> segments;
  if (!have_feats && fs::exists(root / "segments")) {
    const std::string seg_path = (root / "segments").string();
    for (const TableEntry& e : ReadTextTable(seg_path)) {
      std::istringstream in(e.value);
      Segment s;
      ATTEND_CHECK(static_cast<bool>(in >> s.recording >> s.start >> s.end), seg_path, ":", e.line,
                   ": expected 'utt recording start end'");
      segments.emplace(e.key, s);
    }
  }
  if (fs::exists(root / "utt2spk")) ReadMap((root / "utt2spk").string());  // validated only

  const decoder::TextNormalizer normalizer(model_.text);
  const float rate = model_.fbank.frame.samp_freq;
  frontend::AudioOptions audio = options_.audio;
  audio.target_rate_hz = rate;
  std::map<std::string, int64_t> feat_frames;
  if (have_feats) {
    for (frontend::MatrixArchiveReader r("scp:" + (root / "feats.scp").string()); !r.Done();
         r.Next()) {
      feat_frames[r.Key()] = r.Value().rows();
    }
  }
  for (const TableEntry& e : ReadTextTable(text_path)) {
    Utterance u;
    u.key = e.key;
    u.text = normalizer.Normalize(e.value);
    if (u.text.empty() && !options_.keep_empty_text) {
      ReportBad(u.key, "empty transcript (--keep-empty-text trains on it as non-speech)");
      continue;
    }
    try {
      if (have_feats) {
        auto it = feats.find(u.key);
        if (it == feats.end()) {
          ReportBad(u.key, "not in feats.scp");
          continue;
        }
        u.feats = it->second;
        u.frames = feat_frames.at(u.key);
      } else {
        int64_t samples = -1;
        auto seg = segments.find(u.key);
        const std::string recording = seg != segments.end() ? seg->second.recording : u.key;
        auto it = wavs.find(recording);
        if (it == wavs.end()) {
          ReportBad(u.key, "recording '" + recording + "' not in wav.scp");
          continue;
        }
        u.wav = it->second;
        if (seg != segments.end()) {
          u.start_s = seg->second.start;
          u.end_s = seg->second.end;
          ATTEND_CHECK(u.end_s > u.start_s, "segment ends before it starts");
          samples = static_cast<int64_t>(std::llround((u.end_s - u.start_s) * rate));
        } else {
          frontend::AudioReader reader(u.wav, audio);
          if (reader.input_frames() >= 0) {
            samples = static_cast<int64_t>(std::llround(static_cast<double>(reader.input_frames()) *
                                                        rate / reader.input_rate_hz()));
          } else {
            samples = static_cast<int64_t>(reader.ReadAll().size());
          }
        }
        u.frames = frontend::NumFrames(samples, model_.fbank.frame);
      }
    } catch (const Error& err) {
      ReportBad(u.key, err.what());
      continue;
    }
    if (u.frames <= 0) {
      ReportBad(u.key, "no feature frames (audio shorter than one frame)");
      continue;
    }
    if (u.frames > options_.max_frames) {
      ReportBad(u.key, std::to_string(u.frames) + " frames, more than --max-frames " +
                           std::to_string(options_.max_frames));
      continue;
    }
    utts_.push_back(std::move(u));
  }
  ATTEND_CHECK(!utts_.empty(), "no usable utterance in '", dir, "'");
}

std::vector<std::string> Dataset::Texts() const {
  std::vector<std::string> texts;
  texts.reserve(utts_.size());
  for (const Utterance& u : utts_) texts.push_back(u.text);
  return texts;
}

void Dataset::SetVocabulary(const decoder::Vocabulary& vocab) {
  std::vector<float> speeds = options_.SpeedFactors();
  if (speeds.empty()) speeds.push_back(1.0f);
  std::sort(speeds.begin(), speeds.end());
  std::vector<Utterance> kept;
  for (Utterance& u : utts_) {
    u.targets = vocab.Encode(u.text);
    const int64_t need = CtcMinFrames(u.targets);
    const auto encoder_frames = [&](float speed) {
      return ReducedFrames(static_cast<int64_t>(static_cast<double>(u.frames) / speed),
                           model_.reduction);
    };
    const auto fits = [&](float speed) { return encoder_frames(speed) >= need; };
    // Fast speech that only the faster perturbations squeeze below the CTC
    // minimum stays in training at the factors it fits at.
    if (!fits(speeds.front())) {
      ReportBad(u.key, "text of " + std::to_string(u.targets.size()) + " tokens needs " +
                           std::to_string(need) + " CTC frames, the encoder gives " +
                           std::to_string(encoder_frames(speeds.front())));
      continue;
    }
    if (!fits(speeds.back())) {
      auto last_fit = std::partition_point(speeds.begin(), speeds.end(), fits);
      u.max_speed = *(last_fit - 1);
    }
    kept.push_back(std::move(u));
  }
  utts_ = std::move(kept);
  ATTEND_CHECK(!utts_.empty(), "no usable utterance in '", dir_, "'");

  // Length buckets: sorted by frames (then key, for a stable order), cut
  // greedily by padded frames.
  std::vector<int64_t> idx(utts_.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
    return utts_[a].frames != utts_[b].frames ? utts_[a].frames < utts_[b].frames
                                              : utts_[a].key < utts_[b].key;
  });
  batches_.clear();
  std::vector<int64_t> cur;
  for (int64_t i : idx) {
    const int64_t longest = utts_[i].frames;  // sorted: the newcomer is the longest
    const auto n = static_cast<int64_t>(cur.size()) + 1;
    if (!cur.empty() && (longest * n > options_.batch_frames || n > options_.max_batch_utts)) {
      batches_.push_back(std::move(cur));
      cur.clear();
    }
    cur.push_back(i);
  }
  if (!cur.empty()) batches_.push_back(std::move(cur));
}

frontend::Matrix Dataset::Features(const Utterance& u, float speed, frontend::Fbank* fbank) const {
  try {
    if (!u.feats.empty()) {
      const frontend::DoubleMatrix d = frontend::ReadKaldiDoubleMatrix(u.feats);
      frontend::Matrix m(d.rows(), d.cols());
      for (int64_t i = 0; i < d.rows() * d.cols(); ++i)
        m.data()[i] = static_cast<float>(d.data()[i]);
      return m;
    }
    const float rate = model_.fbank.frame.samp_freq;
    frontend::AudioOptions audio = options_.audio;
    audio.target_rate_hz = rate;
    std::vector<float> wave = frontend::ReadAudio(u.wav, audio);
    if (u.start_s >= 0) {
      const auto begin = std::min<int64_t>(std::llround(u.start_s * rate), wave.size());
      const auto end = std::min<int64_t>(std::llround(u.end_s * rate), wave.size());
      wave = std::vector<float>(wave.begin() + begin, wave.begin() + end);
    }
    if (speed != 1.0f) wave = frontend::SpeedPerturb(wave, speed, rate);
    return fbank->Compute(wave);
  } catch (const Error& e) {
    throw Error(u.key + ": " + e.what());
  }
}

void Dataset::ReportBad(const std::string& key, const std::string& why) const {
  {
    std::lock_guard<std::mutex> lock(bad_mutex_);
    if (!bad_.insert(key).second) return;
  }
  if (log_) log_("skipping utterance " + key + " (" + dir_ + "): " + why);
}

frontend::CmvnStats Dataset::ComputeCmvnStats() const {
  frontend::Fbank fbank(model_.fbank);
  frontend::CmvnStats stats;
  for (const Utterance& u : utts_) {
    try {
      stats.Accumulate(Features(u, 1.0f, &fbank));
    } catch (const Error& e) {
      ReportBad(u.key, e.what());
    }
  }
  ATTEND_CHECK(stats.Count() > 0, "no features to compute CMVN statistics from in '", dir_, "'");
  return stats;
}

std::vector<int64_t> EpochOrder(int64_t num_batches, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(num_batches);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed, "data order epoch " + std::to_string(epoch));
  for (int64_t i = num_batches - 1; i > 0; --i) std::swap(order[i], order[rng.UniformInt(0, i)]);
  return order;
}

BatchLoader::BatchLoader(const Dataset* data, const frontend::Cmvn* cmvn, uint64_t seed,
                         int64_t epoch, std::vector<int64_t> order, int64_t start, bool augment)
    : data_(data),
      cmvn_(cmvn),
      seed_(seed),
      epoch_(epoch),
      order_(std::move(order)),
      start_(start),
      augment_(augment),
      speeds_(augment ? data->options().SpeedFactors() : std::vector<float>{}),
      vtlp_(augment ? data->options().vtlp : 0.0f),
      fbank_(std::make_unique<frontend::Fbank>(data->model_info().fbank)) {
  thread_ = std::thread([this] { Run(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool BatchLoader::Next(Batch* batch) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [&] { return !queue_.empty() || done_; });
  if (queue_.empty()) {
    if (error_) std::rethrow_exception(error_);
    return false;
  }
  *batch = std::move(queue_.front());
  queue_.pop_front();
  cv_.notify_all();
  return true;
}

void BatchLoader::Run() {
  try {
    for (int64_t pos = start_; pos < static_cast<int64_t>(order_.size()); ++pos) {
      Batch b = Load(pos);
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [&] {
        return stop_ || static_cast<int64_t>(queue_.size()) < data_->options().prefetch_batches;
      });
      if (stop_) return;
      if (!b.keys.empty()) queue_.push_back(std::move(b));
      cv_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::current_exception();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = true;
  cv_.notify_all();
}

// One draw per utterance whatever the outcome, so the draws of the others do
// not depend on which utterances are fast; a factor too fast for `u` gives way
// to the fastest one it fits at.
float BatchLoader::PickSpeed(const Utterance& u, Rng* rng) const {
  if (speeds_.empty()) return 1.0f;
  const float drawn = speeds_[rng->UniformInt(0, static_cast<int64_t>(speeds_.size()) - 1)];
  if (u.max_speed == 0.0f || drawn <= u.max_speed) return drawn;
  float speed = 0.0f;
  for (float f : speeds_)
    if (f <= u.max_speed) speed = std::max(speed, f);
  return speed;
}

Batch BatchLoader::Load(int64_t position) {
  Batch b;
  b.epoch = epoch_;
  b.index = position;
  b.bucket = order_[position];
  const uint64_t batch_seed =
      seed_ ^ (static_cast<uint64_t>(epoch_) << 32) ^ static_cast<uint64_t>(position);
  Rng rng(batch_seed, "augmentation");
  // Dither noise (when on) is seeded per batch too: a run resumed mid-epoch
  // starts a new loader, and a dither generator carried across batches would
  // then add different noise than the uninterrupted run did.
  const frontend::FbankOptions& model_fbank = data_->model_info().fbank;
  const bool dither = model_fbank.frame.dither != 0.0f;
  frontend::Fbank* fbank = fbank_.get();
  std::unique_ptr<frontend::Fbank> dithered;
  if (dither && vtlp_ == 0.0f) {
    frontend::FbankOptions options = model_fbank;
    options.frame.dither_seed = Rng(batch_seed, "dither").engine()();
    dithered = std::make_unique<frontend::Fbank>(options);
    fbank = dithered.get();
  }
  std::vector<frontend::Matrix> feats;
  int64_t dim = 0;
  for (int64_t i : data_->batches()[order_[position]]) {
    const Utterance& u = data_->utterances()[i];
    const float speed = PickSpeed(u, &rng);
    // With VTLP each utterance has its own mel banks, so its own Fbank (and
    // its own dither stream). Building one takes about a tenth of the time of a
    // 3-s utterance's features (0.08 vs 1.0 ms), in the loader thread.
    std::unique_ptr<frontend::Fbank> warped;
    if (vtlp_ != 0.0f) {
      frontend::FbankOptions options = model_fbank;
      options.vtln_warp *= rng.Uniform(1.0f - vtlp_, 1.0f + vtlp_);
      if (dither) options.frame.dither_seed = Rng(batch_seed, "dither " + u.key).engine()();
      warped = std::make_unique<frontend::Fbank>(options);
    }
    frontend::Matrix m;
    try {
      m = data_->Features(u, speed, warped ? warped.get() : fbank);
    } catch (const Error& e) {
      data_->ReportBad(u.key, e.what());
      continue;
    }
    if (m.rows() == 0) {
      data_->ReportBad(u.key, "no feature frames");
      continue;
    }
    if (cmvn_ != nullptr) cmvn_->Apply(&m);
    if (augment_ && data_->options().spec_augment)
      frontend::SpecAugment(data_->options().spec, &rng, &m);
    dim = m.cols();
    b.keys.push_back(u.key);
    b.targets.push_back(u.targets);
    b.texts.push_back(u.text);
    b.lengths.push_back(m.rows());
    feats.push_back(std::move(m));
  }
  if (b.keys.empty()) return b;
  const int64_t T = *std::max_element(b.lengths.begin(), b.lengths.end());
  const auto N = static_cast<int64_t>(b.keys.size());
  b.features.Resize({T, N, dim});  // [T, N, C] tnc
  b.features.SetZero();
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t t = 0; t < b.lengths[n]; ++t) {
      std::copy_n(feats[n].Row(t), dim, b.features.data() + (t * N + n) * dim);
    }
  }
  return b;
}

}  // namespace attend::training
