// The training loop of `attend train`. One optimizer step:
//   zero grads → encoder forward (training, dropout) → JointLoss (λ from the
//   model config, label smoothing; gradients of both heads and dL/dH) →
//   encoder backward → global grad-norm clipping → learning rate of the
//   schedule → Adam or AdaDelta (training/train_step.h holds this math).
// A non-finite loss or gradient norm skips the step (logged); after
// --max-bad-steps in a row training stops with an error naming the last good
// checkpoint. Each epoch ends with the dev loss and greedy (beam 1, attention
// only) CER/WER; checkpoints are written every --checkpoint-minutes (and
// --checkpoint-steps) and at each epoch end, and the best --keep-best by
// dev loss are kept for averaging into the final model.
//
// Data-parallel (`mpirun -np N attend train`, a Communicator of N ranks):
// every rank reads the same data, walks the same epoch order and takes its
// contiguous share of each batch (BatchShard), so the global batch is the one
// a single process would train on, split N ways; TrainStep sums the
// gradients, and every rank applies the same update. Dropout and scheduled
// sampling draw from generators seeded by (seed, step, rank). Only rank 0
// writes train.log, metrics.csv, checkpoints and the model; the dev set is
// split the same way and its figures summed over the ranks. All ranks resume
// from the same checkpoint (a shared file system) and check that they agree
// on its position.
//
// Files under the experiment folder:
//   train.log                 every log line, appended across resumes
//   metrics.csv               step,epoch,train_loss,dev_loss,dev_cer,dev_wer,lr,time_s
//   checkpoints/last.attend   the newest checkpoint (what --resume reads)
//   checkpoints/epoch<E>.attend, checkpoints/step<S>.attend   kept checkpoints
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "base/random.h"
#include "decoder/joint_loss.h"
#include "model/asr_model.h"
#include "training/checkpoint.h"
#include "training/dataset.h"
#include "training/distributed.h"
#include "training/lr_schedule.h"
#include "training/optimizer.h"
#include "training/train_step.h"

namespace attend::training {

struct TrainerOptions {
  int64_t epochs = 20;    // --epochs: passes over the training data
  int64_t max_steps = 0;  // --max-steps: stop after this many optimizer steps; 0 = no limit
  uint64_t seed = 1;      // --seed: init, dropout, data order and augmentation
  int threads = 0;        // --threads: oneDNN (OpenMP) threads; 0 = all cores; 1 = bit-reproducible
  std::string compute_type = "f32";  // --compute-type: f32 | bf16 (recurrent layers; f32 master
                                     //   weights)
  double clip_norm = 5.0;            // --clip-norm: global gradient L2 norm limit; 0 = no clipping
  int64_t max_bad_steps = 5;         // --max-bad-steps: non-finite steps in a row before stopping
  double checkpoint_minutes = 10;    // --checkpoint-minutes: wall time between checkpoints
  int64_t checkpoint_steps = 0;      // --checkpoint-steps: also every this many steps; 0 = off
  int64_t keep_best = 5;             // --keep-best: checkpoints kept (and averaged) by dev loss
  int64_t log_every = 50;            // --log-every: steps between log lines and metrics rows
  bool dev_decode = true;            // --dev-decode: greedy CER/WER on the dev set each epoch
  decoder::JointLossOptions loss;    // --label-smoothing, --loss-normalize, --ctc-zero-infinity
                                     //   (λ comes from the model's --ctc-weight)
  OptimizerOptions optimizer;        // --optimizer, --adam-*, --adadelta-*
  LrScheduleOptions lr;              // --lr, --lr-schedule, --warmup-steps, ...
  DatasetOptions data;               // --batch-frames, --speed-perturb, --spec-augment, ...

  // Every training option (not the model's). The optimizers' learning-rate
  // flags and --ctc-weight are not registered: --lr and the model's
  // --ctc-weight rule.
  void Register(boost::program_options::options_description* desc);
  void Validate() const;
  std::string ToString() const;
};

// What the progress display shows after each step.
struct TrainProgress {
  int64_t epoch = 0, epochs = 0;      // 1-based epoch
  int64_t position = 0, batches = 0;  // batches done in this epoch, of
  int64_t step = 0;
  double loss = 0;          // mean train loss since the last log line
  double tokens_per_s = 0;  // reference tokens per second of this session
  float lr = 0;
  double eta_s = 0;  // estimated seconds to the end
};

struct TrainerCallbacks {
  // A finished log line (also appended to train.log); null = train.log only.
  std::function<void(const std::string&)> log;
  // After every step (for a progress bar); may be null.
  std::function<void(const TrainProgress&)> progress;
  // Polled after every step; when it returns true (Ctrl-C, SIGTERM from a job
  // scheduler) the trainer writes checkpoints/last.attend and returns with
  // Summary::interrupted set, so --resume loses nothing. May be null.
  std::function<bool()> stop_requested;
};

// Dev set figures.
struct DevResult {
  double loss = 0;
  double cer = 0, wer = 0;  // percentages; 0 without decoding
  int64_t utterances = 0;
  std::vector<std::pair<std::string, std::string>> hyps;  // key, greedy text
};

enum class StepStatus { kOk, kSkipped };

class Trainer {
 public:
  // `model` has its parameters (initialized or loaded) and CMVN; `dev` may be
  // null. Creates `exp_dir`/checkpoints. The datasets must have their
  // vocabulary set. `comm` (null: a single process) spans the ranks of a
  // data-parallel run; every rank constructs a Trainer on the same data.
  Trainer(const TrainerOptions& options, model::AsrModel* model, const Dataset* train,
          const Dataset* dev, const std::string& exp_dir, TrainerCallbacks callbacks = {},
          Communicator* comm = nullptr);

  // Restores optimizer and state from a checkpoint whose model was loaded
  // into `model` (AsrModel::Load of the same file); truncates metrics.csv to
  // the checkpoint's step.
  void Resume(const std::string& checkpoint);

  // Trains to --epochs / --max-steps, then writes `exp_dir`/model.attend: the
  // average of the kept checkpoints. Returns the final train-loss and dev
  // figures (dev loss 0 without a dev set).
  struct Summary {
    bool evaluated = false;  // an epoch ended in this run: train_loss and dev are set
    double train_loss = 0;   // mean over the last epoch (or partial epoch)
    DevResult dev;
    int64_t steps = 0;
    std::string model_path;    // empty when interrupted
    bool interrupted = false;  // stop_requested: last.attend written, no model.attend
  };
  Summary Train();

  // One optimizer step (exposed for tests). kSkipped for a non-finite loss or
  // gradient (no update; the step count does not advance), or a global batch
  // without utterances; throws attend::Error after max_bad_steps non-finite
  // steps in a row. With several ranks `batch` is this rank's share.
  StepStatus Step(const Batch& batch, double* loss);

  // Dev loss (no augmentation, no dropout) and, with dev_decode, greedy CER/WER.
  // With several ranks each evaluates its share of every batch and the loss
  // and error counts are summed (hyps holds this rank's share only).
  DevResult Evaluate(const Dataset& dev);

  void SaveCheckpoint(const std::string& path);
  // checkpoints/last.attend: what --resume reads.
  std::string LastCheckpointPath() const;
  const TrainState& state() const { return state_; }
  float learning_rate() const;
  const std::string& last_good_checkpoint() const { return last_checkpoint_; }

 private:
  void Log(const std::string& line);
  void AppendMetrics(double train_loss, const DevResult* dev);
  void EndOfEvaluation(double rank_loss, const std::string& name);
  bool distributed() const { return comm_->size() > 1; }
  BatchShard shard() const { return {comm_->rank(), comm_->size()}; }
  // Data-parallel: dropout and scheduled-sampling generators for the next
  // step, seeded by (seed, step, rank), so a resume needs no per-rank state.
  void SeedStepGenerators();

  TrainerOptions options_;
  model::AsrModel* model_;
  const Dataset* train_;
  const Dataset* dev_;
  std::string exp_dir_, ckpt_dir_;
  TrainerCallbacks callbacks_;
  LocalCommunicator local_;
  Communicator* comm_;
  bool stop_agreed_ = false;  // the last step's agreed stop flag
  // The last step's global batch (summed over ranks).
  int64_t last_step_utts_ = 0, last_step_frames_ = 0, last_step_tokens_ = 0;
  std::vector<nn::Parameter*> params_;
  TrainStep step_;
  TrainState state_;
  Rng dropout_rng_, sampling_rng_;
  std::ofstream log_file_;
  std::string last_checkpoint_;
  std::chrono::steady_clock::time_point session_start_, last_ckpt_time_;
  double session_start_elapsed_ = 0;
  int64_t session_tokens_ = 0, session_steps_ = 0;
  int64_t session_utts_ = 0, session_frames_ = 0;
  double session_step_s_ = 0;  // time inside Step() (the math, without waiting for data)
};

}  // namespace attend::training
