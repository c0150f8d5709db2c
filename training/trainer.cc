#include "training/trainer.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <numeric>
#include <set>
#include <sstream>

#include <boost/program_options.hpp>

#include "base/config_text.h"
#include "base/error.h"
#include "decoder/beam_search.h"
#include "decoder/error_rate.h"
#include "nn/engine.h"
#include "nn/grad_clip.h"

namespace attend::training {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

// Adds the options of `from` except those named in `skip` (shared with
// another part's flags).
void AddExcept(po::options_description* to, const po::options_description& from,
               const std::set<std::string>& skip) {
  for (const auto& option : from.options()) {
    if (!skip.count(option->long_name())) to->add(option);
  }
}

std::string Fixed(double v, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v;
  return out.str();
}

std::string Exact(double v) {
  std::ostringstream out;
  out << std::setprecision(9) << v;
  return out.str();
}

// Whether every rank holds the same `values` (the maxima of the values and of
// their negatives agree).
bool RanksAgree(Communicator* comm, const std::vector<double>& values) {
  std::vector<double> both = values;
  for (double v : values) both.push_back(-v);
  comm->AllreduceMax(both.data(), static_cast<int64_t>(both.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    if (both[i] != -both[values.size() + i]) return false;
  }
  return true;
}

constexpr char kMetricsHeader[] = "step,epoch,train_loss,dev_loss,dev_cer,dev_wer,lr,time_s";

}  // namespace

void TrainerOptions::Register(po::options_description* desc) {
  desc->add_options()("epochs", po::value(&epochs)->default_value(epochs),
                      "passes over the training data")(
      "max-steps", po::value(&max_steps)->default_value(max_steps),
      "stop after this many optimizer steps; 0 = no limit")(
      "seed", po::value(&seed)->default_value(seed),
      "seed of initialization, dropout, data order and augmentation")(
      "threads", po::value(&threads)->default_value(threads),
      "oneDNN threads; 0 = all cores (1 makes a run reproducible bit for bit)")(
      "compute-type", po::value(&compute_type)->default_value(compute_type),
      "recurrent layers' arithmetic: f32 | bf16 (f32 master weights)")(
      "clip-norm", po::value(&clip_norm)->default_value(clip_norm),
      "global gradient L2-norm limit; 0 = no clipping")(
      "max-bad-steps", po::value(&max_bad_steps)->default_value(max_bad_steps),
      "non-finite losses or gradients in a row before training stops")(
      "checkpoint-minutes", po::value(&checkpoint_minutes)->default_value(checkpoint_minutes),
      "minutes between checkpoints (besides one at each epoch end)")(
      "checkpoint-steps", po::value(&checkpoint_steps)->default_value(checkpoint_steps),
      "also a checkpoint every this many steps; 0 = off")(
      "keep-best", po::value(&keep_best)->default_value(keep_best),
      "checkpoints kept by dev loss, averaged into the final model")(
      "log-every", po::value(&log_every)->default_value(log_every),
      "steps between log lines and metrics.csv rows")(
      "dev-decode", po::value(&dev_decode)->default_value(dev_decode),
      "greedy CER/WER on the dev set each epoch");
  po::options_description loss_desc;
  loss.Register(&loss_desc);
  AddExcept(desc, loss_desc, {"ctc-weight"});
  optimizer.Register(desc);
  lr.Register(desc);
  data.Register(desc);
}

void TrainerOptions::Validate() const {
  ATTEND_CHECK(threads >= 0, "--threads must be >= 0, got ", threads);
  ATTEND_CHECK(epochs > 0, "--epochs must be positive, got ", epochs);
  ATTEND_CHECK(max_steps >= 0, "--max-steps must be >= 0, got ", max_steps);
  ATTEND_CHECK(compute_type == "f32" || compute_type == "bf16",
               "--compute-type must be f32 or bf16, got '", compute_type, "'");
  ATTEND_CHECK(clip_norm >= 0, "--clip-norm must be >= 0, got ", clip_norm);
  ATTEND_CHECK(max_bad_steps >= 1, "--max-bad-steps must be >= 1, got ", max_bad_steps);
  ATTEND_CHECK(checkpoint_minutes > 0, "--checkpoint-minutes must be positive, got ",
               checkpoint_minutes);
  ATTEND_CHECK(checkpoint_steps >= 0, "--checkpoint-steps must be >= 0, got ", checkpoint_steps);
  ATTEND_CHECK(keep_best >= 1, "--keep-best must be >= 1, got ", keep_best);
  ATTEND_CHECK(log_every >= 1, "--log-every must be >= 1, got ", log_every);
  loss.Validate();
  optimizer.Validate();
  lr.Validate();
  data.Validate();
}

std::string TrainerOptions::ToString() const {
  TrainerOptions copy = *this;
  po::options_description desc;
  copy.Register(&desc);
  return ConfigText(desc);
}

Trainer::Trainer(const TrainerOptions& options, model::AsrModel* model, const Dataset* train,
                 const Dataset* dev, const std::string& exp_dir, TrainerCallbacks callbacks,
                 Communicator* comm)
    : options_((options.Validate(), options)),
      model_(model),
      train_(train),
      dev_(dev),
      exp_dir_(exp_dir),
      ckpt_dir_((fs::path(exp_dir) / "checkpoints").string()),
      callbacks_(std::move(callbacks)),
      comm_(comm != nullptr ? comm : &local_),
      params_(model->Parameters()),
      step_(
          model,
          [&] {
            decoder::JointLossOptions o = options_.loss;
            o.ctc_weight = model->config().ctc_weight;
            return o;
          }(),
          options_.optimizer, options_.clip_norm, comm_),
      dropout_rng_(options_.seed, "dropout"),
      sampling_rng_(options_.seed, "scheduled sampling") {
  ATTEND_CHECK(train_->num_batches() > 0, "no training batches (set the vocabulary first)");
  nn::SetNumThreads(options_.threads);
  model_->set_compute_type(options_.compute_type == "bf16" ? nn::ComputeType::kBf16
                                                           : nn::ComputeType::kF32);
  if (comm_->is_root()) {
    fs::create_directories(ckpt_dir_);
    log_file_.open((fs::path(exp_dir) / "train.log").string(), std::ios::app);
    ATTEND_CHECK(log_file_.good(), "cannot write '", (fs::path(exp_dir) / "train.log").string(),
                 "'");
    const std::string metrics = (fs::path(exp_dir) / "metrics.csv").string();
    if (!fs::exists(metrics) || fs::file_size(metrics) == 0) {
      std::ofstream(metrics) << kMetricsHeader << "\n";
    }
  }
  state_.dropout_rng = dropout_rng_.SaveState();
  state_.sampling_rng = sampling_rng_.SaveState();
  session_start_ = last_ckpt_time_ = std::chrono::steady_clock::now();
  // Every rank must form the same batches (the same data on a shared file system).
  ATTEND_CHECK(
      !distributed() || RanksAgree(comm_, {static_cast<double>(train_->num_batches()),
                                           static_cast<double>(train_->utterances().size()),
                                           dev_ ? static_cast<double>(dev_->num_batches()) : -1.0}),
      "the ranks formed different batches from '", train_->dir(),
      "': every rank must read the same data directories");
}

void Trainer::Resume(const std::string& checkpoint) {
  state_ = LoadCheckpoint(checkpoint, &step_.optimizer());
  dropout_rng_.LoadState(state_.dropout_rng);
  sampling_rng_.LoadState(state_.sampling_rng);
  last_checkpoint_ = checkpoint;
  session_start_elapsed_ = state_.elapsed_s;
  // Every rank must continue from the same position (the same file on a
  // shared file system).
  ATTEND_CHECK(!distributed() || RanksAgree(comm_, {static_cast<double>(state_.step),
                                                    static_cast<double>(state_.epoch),
                                                    static_cast<double>(state_.batch_position)}),
               "--resume: the ranks read different checkpoints; '", checkpoint,
               "' must be the same file on every node");
  if (!comm_->is_root()) return;
  // Rows after the checkpoint belong to the interrupted run's lost future: the
  // first metrics_rows rows were written before it (an epoch's row can follow
  // a checkpoint of the same step); older checkpoints keep rows by step.
  const std::string metrics = (fs::path(exp_dir_) / "metrics.csv").string();
  std::vector<std::string> keep = {kMetricsHeader};
  {
    std::ifstream in(metrics);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      const size_t comma = line.find(',');
      if (comma == std::string::npos || std::count(line.begin(), line.end(), ',') != 7) continue;
      if (state_.metrics_rows >= 0) {
        if (static_cast<int64_t>(keep.size()) - 1 < state_.metrics_rows) keep.push_back(line);
        continue;
      }
      try {
        if (std::stoll(line.substr(0, comma)) <= state_.step) keep.push_back(line);
      } catch (const std::logic_error&) {
      }
    }
  }
  state_.metrics_rows = static_cast<int64_t>(keep.size()) - 1;
  std::string text;
  for (const std::string& l : keep) text += l + "\n";
  std::ofstream(metrics, std::ios::trunc) << text;
  Log("resumed from " + checkpoint + " at step " + std::to_string(state_.step) + ", epoch " +
      std::to_string(state_.epoch + 1) + ", batch " + std::to_string(state_.batch_position));
}

float Trainer::learning_rate() const {
  return LearningRate(options_.lr, state_.step + 1, state_.plateau_scale);
}

void Trainer::Log(const std::string& line) {
  if (!comm_->is_root()) return;
  log_file_ << line << "\n";
  log_file_.flush();
  if (callbacks_.log) callbacks_.log(line);
}

void Trainer::SeedStepGenerators() {
  const uint64_t step_seed = options_.seed ^ (static_cast<uint64_t>(state_.step) << 20) ^
                             static_cast<uint64_t>(comm_->rank());
  dropout_rng_ = Rng(step_seed, "dropout of a rank's step");
  sampling_rng_ = Rng(step_seed, "scheduled sampling of a rank's step");
}

StepStatus Trainer::Step(const Batch& batch, double* loss) {
  if (distributed()) SeedStepGenerators();
  // With several ranks the stop request is agreed inside the step's allreduce.
  const bool stop = distributed() && callbacks_.stop_requested && callbacks_.stop_requested();
  const GradientResult result = step_.ComputeGradients(batch, &dropout_rng_, &sampling_rng_, stop);
  stop_agreed_ = result.stop;
  last_step_utts_ = result.utterances;
  last_step_frames_ = result.frames;
  last_step_tokens_ = result.tokens;
  if (result.utterances == 0) return StepStatus::kSkipped;  // no rank loaded anything
  const decoder::JointLossValue& value = result.loss;
  const bool finite = result.finite;
  if (!finite) {
    ++state_.bad_in_a_row;
    Log("step " + std::to_string(state_.step + 1) + ": non-finite " +
        (std::isfinite(value.total) ? "gradient norm" : "loss") + " (" +
        std::to_string(state_.bad_in_a_row) + " in a row); batch of " +
        std::to_string(batch.keys.size()) + " utterances from " +
        (batch.keys.empty() ? std::string("?") : batch.keys.front()) + " skipped");
    if (state_.bad_in_a_row >= options_.max_bad_steps) {
      throw Error("training stopped: " + std::to_string(state_.bad_in_a_row) +
                  " non-finite steps in a row; the last good checkpoint is " +
                  (last_checkpoint_.empty() ? std::string("none (no checkpoint written yet)")
                                            : last_checkpoint_) +
                  " (try a lower --lr or --clip-norm, then --resume)");
    }
    return StepStatus::kSkipped;
  }
  state_.bad_in_a_row = 0;
  ++state_.step;
  step_.Update(LearningRate(options_.lr, state_.step, state_.plateau_scale));
  *loss = value.total;
  return StepStatus::kOk;
}

DevResult Trainer::Evaluate(const Dataset& dev) {
  std::vector<int64_t> order(dev.num_batches());
  std::iota(order.begin(), order.end(), 0);
  BatchLoader loader(&dev, model_->cmvn(), options_.seed, 0, order, 0, /*augment=*/false, shard());
  acoustic::Encoder::Context ctx;
  nn::Tensor encoded, dencoded;
  Rng rng(options_.seed, "dev scheduled sampling");
  decoder::JointLossOptions loss_options = options_.loss;
  loss_options.ctc_weight = model_->config().ctc_weight;
  decoder::JointLoss dev_loss(loss_options);
  decoder::BeamSearchOptions search_options;
  search_options.beam = 1;
  search_options.ctc_weight = 0;
  search_options.keep_attention = false;
  decoder::ErrorCounts chars, words;
  const bool per_token = options_.loss.normalize == "token";
  double sum = 0, weight = 0;
  DevResult result;
  Batch b;
  while (loader.Next(&b)) {
    // The whole batch's counts normalize each rank's share (sums as one process).
    double counts[2] = {static_cast<double>(b.keys.size()), static_cast<double>(b.num_tokens())};
    comm_->AllreduceSum(counts, 2);
    const decoder::BatchTotals totals{static_cast<int64_t>(counts[0]),
                                      static_cast<int64_t>(counts[1])};
    const double w = per_token ? counts[0] + counts[1] : counts[0];
    weight += per_token ? static_cast<double>(b.num_tokens() + b.keys.size())
                        : static_cast<double>(b.keys.size());
    if (b.keys.empty()) continue;
    std::vector<int64_t> lengths;
    model_->encoder().Forward(b.features, b.lengths, &encoded, &lengths, &ctx, false);
    const decoder::JointLossValue v = dev_loss.ForwardBackward(
        &model_->ctc(), &model_->decoder(), encoded, lengths, b.targets, &rng, &dencoded, &totals);
    sum += v.total * w;
    result.utterances += static_cast<int64_t>(b.keys.size());
    if (options_.dev_decode) {
      decoder::BeamSearch search(search_options, &model_->decoder(), nullptr,
                                 decoder::Vocabulary::kBlank);
      const auto hyps = search.Search(encoded, lengths, nullptr);
      for (size_t n = 0; n < hyps.size(); ++n) {
        const std::string text =
            hyps[n].empty() ? std::string() : model_->vocab().Decode(hyps[n][0].tokens);
        chars += decoder::Align(decoder::SplitCharacters(b.texts[n]),
                                decoder::SplitCharacters(text), nullptr);
        words +=
            decoder::Align(decoder::SplitWords(b.texts[n]), decoder::SplitWords(text), nullptr);
        result.hyps.emplace_back(b.keys[n], text);
      }
    }
  }
  nn::ZeroGrad(params_);  // the dev pass must not leak into the next step
  if (distributed()) {
    auto counts = [](const decoder::ErrorCounts& c) {
      return std::vector<double>{static_cast<double>(c.reference), static_cast<double>(c.correct),
                                 static_cast<double>(c.substitutions),
                                 static_cast<double>(c.deletions),
                                 static_cast<double>(c.insertions)};
    };
    std::vector<double> sums = {sum, weight, static_cast<double>(result.utterances)};
    for (const auto* c : {&chars, &words}) {
      const std::vector<double> v = counts(*c);
      sums.insert(sums.end(), v.begin(), v.end());
    }
    comm_->AllreduceSum(sums.data(), static_cast<int64_t>(sums.size()));
    sum = sums[0];
    weight = sums[1];
    result.utterances = static_cast<int64_t>(sums[2]);
    for (decoder::ErrorCounts* c : {&chars, &words}) {
      const size_t at = c == &chars ? 3 : 8;
      c->reference = static_cast<int64_t>(sums[at]);
      c->correct = static_cast<int64_t>(sums[at + 1]);
      c->substitutions = static_cast<int64_t>(sums[at + 2]);
      c->deletions = static_cast<int64_t>(sums[at + 3]);
      c->insertions = static_cast<int64_t>(sums[at + 4]);
    }
  }
  result.loss = weight > 0 ? sum / weight : 0;
  if (options_.dev_decode) {
    result.cer = chars.Rate();
    result.wer = words.Rate();
  }
  return result;
}

std::string Trainer::LastCheckpointPath() const {
  return (fs::path(ckpt_dir_) / "last.attend").string();
}

void Trainer::SaveCheckpoint(const std::string& path) {
  state_.dropout_rng = dropout_rng_.SaveState();
  state_.sampling_rng = sampling_rng_.SaveState();
  if (comm_->is_root()) training::SaveCheckpoint(path, *model_, step_.optimizer(), state_);
  last_checkpoint_ = path;
  last_ckpt_time_ = std::chrono::steady_clock::now();
}

void Trainer::AppendMetrics(double train_loss, const DevResult* dev) {
  if (!comm_->is_root()) return;
  std::ofstream out((fs::path(exp_dir_) / "metrics.csv").string(), std::ios::app);
  std::ostringstream row;
  row << state_.step << "," << state_.epoch + 1 << "," << Exact(train_loss) << ",";
  if (dev != nullptr) {
    row << Exact(dev->loss) << "," << Fixed(dev->cer, 2) << "," << Fixed(dev->wer, 2);
  } else {
    row << ",,";
  }
  row << ","
      << Exact(LearningRate(options_.lr, std::max<int64_t>(state_.step, 1), state_.plateau_scale))
      << "," << Fixed(state_.elapsed_s, 1) << "\n";
  out << row.str();  // one write per row, so a kill leaves whole rows
  ++state_.metrics_rows;
  out.flush();
}

void Trainer::EndOfEvaluation(double rank_loss, const std::string& name) {
  ++state_.epochs_ranked;
  if (state_.epochs_ranked == 1 || rank_loss < state_.best_loss) {
    state_.best_loss = rank_loss;
    state_.stalled_epochs = 0;
  } else if (++state_.stalled_epochs >= options_.lr.plateau_patience &&
             options_.lr.schedule == "plateau") {
    state_.plateau_scale *= options_.lr.plateau_factor;
    state_.stalled_epochs = 0;
    Log("dev loss stalled: learning-rate scale now " + Exact(state_.plateau_scale));
  }
  const std::string path = (fs::path(ckpt_dir_) / (name + ".attend")).string();
  std::vector<RankedCheckpoint> kept = state_.kept;
  kept.push_back({path, rank_loss});
  std::stable_sort(
      kept.begin(), kept.end(),
      [](const RankedCheckpoint& a, const RankedCheckpoint& b) { return a.loss < b.loss; });
  std::vector<std::string> dropped;
  while (static_cast<int64_t>(kept.size()) > options_.keep_best) {
    dropped.push_back(kept.back().path);
    kept.pop_back();
  }
  state_.kept = kept;
  const bool keep_new = std::find(dropped.begin(), dropped.end(), path) == dropped.end();
  if (keep_new) SaveCheckpoint(path);
  SaveCheckpoint(LastCheckpointPath());
  for (const std::string& p : dropped) {
    std::error_code ec;
    if (p != path && comm_->is_root()) fs::remove(p, ec);
  }
}

Trainer::Summary Trainer::Train() {
  using Clock = std::chrono::steady_clock;
  const int64_t nb = train_->num_batches();
  auto limit_reached = [&] { return options_.max_steps > 0 && state_.step >= options_.max_steps; };
  auto update_elapsed = [&] {
    state_.elapsed_s = session_start_elapsed_ +
                       std::chrono::duration<double>(Clock::now() - session_start_).count();
  };
  Log("training on " + std::to_string(train_->utterances().size()) + " utterances in " +
      std::to_string(nb) + " batches" +
      (dev_ ? ", dev " + std::to_string(dev_->utterances().size()) + " utterances" : "") + "; " +
      std::to_string(options_.epochs) + " epochs");
  if (distributed()) {
    Log("data-parallel over " + std::to_string(comm_->size()) + " ranks (" + comm_->Describe() +
        "): each takes its share of every batch; the global batch is --batch-frames");
  }
  Summary summary;
  while (state_.epoch < options_.epochs && !limit_reached()) {
    BatchLoader loader(train_, model_->cmvn(), options_.seed, state_.epoch,
                       EpochOrder(nb, options_.seed, state_.epoch), state_.batch_position,
                       /*augment=*/true, shard());
    Batch b;
    while (!limit_reached() && loader.Next(&b)) {
      double loss = 0;
      const auto step_start = Clock::now();
      const StepStatus status = Step(b, &loss);
      session_step_s_ += std::chrono::duration<double>(Clock::now() - step_start).count();
      session_utts_ += last_step_utts_;
      session_frames_ += last_step_frames_;
      if (status == StepStatus::kOk) {
        state_.window_loss += loss;
        ++state_.window_steps;
        state_.epoch_loss += loss;
        ++state_.epoch_steps;
        session_tokens_ += last_step_tokens_;
        ++session_steps_;
      }
      state_.batch_position = b.index + 1;
      update_elapsed();
      const double session_s = state_.elapsed_s - session_start_elapsed_;
      if (callbacks_.progress) {
        TrainProgress p;
        p.epoch = state_.epoch + 1;
        p.epochs = options_.epochs;
        p.position = state_.batch_position;
        p.batches = nb;
        p.step = state_.step;
        p.loss = state_.window_steps > 0 ? state_.window_loss / state_.window_steps : loss;
        p.tokens_per_s = session_s > 0 ? session_tokens_ / session_s : 0;
        p.lr = LearningRate(options_.lr, std::max<int64_t>(state_.step, 1), state_.plateau_scale);
        int64_t remaining =
            (options_.epochs - state_.epoch - 1) * nb + (nb - state_.batch_position);
        if (options_.max_steps > 0)
          remaining = std::min(remaining, options_.max_steps - state_.step);
        p.eta_s = session_steps_ > 0 ? session_s / session_steps_ * remaining : 0;
        callbacks_.progress(p);
      }
      if (state_.step % options_.log_every == 0 && state_.window_steps > 0 && state_.step != 0) {
        const double mean = state_.window_loss / state_.window_steps;
        Log("epoch " + std::to_string(state_.epoch + 1) + " step " + std::to_string(state_.step) +
            " batch " + std::to_string(state_.batch_position) + "/" + std::to_string(nb) +
            " loss " + Fixed(mean, 4) + " lr " + Exact(learning_rate()) + " tokens/s " +
            Fixed(session_s > 0 ? session_tokens_ / session_s : 0, 0));
        AppendMetrics(mean, nullptr);
        state_.window_loss = 0;
        state_.window_steps = 0;
      }
      const double since_ckpt =
          std::chrono::duration<double>(Clock::now() - last_ckpt_time_).count();
      if (since_ckpt >= options_.checkpoint_minutes * 60 ||
          (options_.checkpoint_steps > 0 && state_.step % options_.checkpoint_steps == 0 &&
           state_.window_steps + state_.epoch_steps > 0)) {
        SaveCheckpoint(LastCheckpointPath());
      }
      const bool stop =
          distributed() ? stop_agreed_ : callbacks_.stop_requested && callbacks_.stop_requested();
      if (stop) {
        const std::string last = LastCheckpointPath();
        SaveCheckpoint(last);
        Log("interrupted at epoch " + std::to_string(state_.epoch + 1) + " step " +
            std::to_string(state_.step) + " batch " + std::to_string(state_.batch_position) + "/" +
            std::to_string(nb) + ": wrote " + last + "; continue with --resume");
        summary.steps = state_.step;
        summary.interrupted = true;
        return summary;
      }
    }
    // The loader ran dry (the epoch is over, even if its last batches failed
    // to load) unless --max-steps stopped it.
    const bool epoch_done = !limit_reached() || state_.batch_position >= nb;
    // An evaluation at each epoch end, and where --max-steps stops a run.
    const double train_loss = state_.epoch_steps > 0 ? state_.epoch_loss / state_.epoch_steps : 0;
    DevResult dev;
    if (dev_ != nullptr) dev = Evaluate(*dev_);
    update_elapsed();
    Log("epoch " + std::to_string(state_.epoch + 1) + (epoch_done ? " done" : " stopped") +
        " at step " + std::to_string(state_.step) + ": train loss " + Fixed(train_loss, 4) +
        (dev_ ? " dev loss " + Fixed(dev.loss, 4) +
                    (options_.dev_decode
                         ? " dev CER " + Fixed(dev.cer, 2) + "% WER " + Fixed(dev.wer, 2) + "%"
                         : "")
              : ""));
    AppendMetrics(train_loss, &dev);
    summary.evaluated = true;
    summary.train_loss = train_loss;
    summary.dev = dev;
    const std::string name = epoch_done ? "epoch" + std::to_string(state_.epoch + 1)
                                        : "step" + std::to_string(state_.step);
    if (epoch_done) {
      ++state_.epoch;
      state_.batch_position = 0;
      state_.epoch_loss = 0;
      state_.epoch_steps = 0;
    }
    EndOfEvaluation(dev_ != nullptr ? dev.loss : train_loss, name);
  }
  summary.steps = state_.step;
  if (session_steps_ > 0) {
    const double wall = state_.elapsed_s - session_start_elapsed_;
    Log("throughput: " + std::to_string(session_utts_) + " utterances, " +
        std::to_string(session_frames_) + " frames in " + Fixed(session_step_s_, 1) +
        " s of steps (" + Fixed(session_utts_ / session_step_s_, 1) + " utt/s, " +
        Fixed(session_frames_ / session_step_s_, 0) + " frames/s, " +
        Fixed(session_tokens_ / session_step_s_, 0) + " tokens/s); " + Fixed(wall, 1) +
        " s wall including data waits and dev evaluation");
    const StepTimes& t = step_.times();  // this session's steps, dev passes excluded
    auto part = [&](const char* name, double s) {
      return std::string(name) + " " + Fixed(s, 1) + " s (" +
             Fixed(t.total() > 0 ? 100 * s / t.total() : 0, 0) + "%)";
    };
    Log("step time: " + part("encoder forward", t.encoder_forward) + ", " +
        part("CTC + decoder forward/backward", t.heads) + ", " +
        part("encoder backward", t.encoder_backward) + ", " + part("clipping", t.clip) + ", " +
        part("optimizer", t.optimizer) +
        (distributed() ? ", " + part("allreduce (and waiting for other ranks)", t.allreduce) : ""));
  }
  std::vector<std::string> paths;
  for (const RankedCheckpoint& c : state_.kept) {
    if (fs::exists(c.path)) paths.push_back(c.path);
  }
  if (paths.empty() && !last_checkpoint_.empty()) paths.push_back(last_checkpoint_);
  summary.model_path = (fs::path(exp_dir_) / "model.attend").string();
  if (!comm_->is_root()) return summary;
  if (paths.empty()) {
    model_->Save(summary.model_path);
  } else {
    AverageModels(paths)->Save(summary.model_path);
  }
  Log("wrote " + summary.model_path + " (average of " + std::to_string(paths.size()) +
      " checkpoint" + (paths.size() == 1 ? "" : "s") + ")");
  return summary;
}

}  // namespace attend::training
