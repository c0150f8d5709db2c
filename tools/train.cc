// `attend train --data DIR --exp DIR [--dev DIR] [--resume] [options]`: trains
// a model (training/trainer.h) on a Kaldi data directory. The vocabulary is
// built from the training text and CMVN statistics from the training
// features (or --cmvn FILE); with --init-model FILE (fine-tuning), weights,
// options, vocabulary and CMVN come from FILE and only the optimizer starts
// afresh; with --resume, the model, optimizer and state come from
// EXP/checkpoints/last.attend. Writes EXP/model.attend (the average
// of the best checkpoints), EXP/train.log, EXP/metrics.csv and
// EXP/learning_curve.png; prints a summary line on stdout. EXP/train.conf
// holds the options of the latest start, train.log each start's command line.
// Under an MPI launcher (`mpirun -np N attend train ...`) the N ranks train
// data-parallel (training/trainer.h); rank 0 alone logs and writes files.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <sstream>

#include "base/error.h"
#include "model/asr_model.h"
#include "tools/commands.h"
#include "tools/common/cli.h"
#include "tools/common/png_image.h"
#include "training/dataset.h"
#include "training/distributed.h"
#include "training/trainer.h"

namespace attend::tools {

namespace {

namespace fs = std::filesystem;

std::string FormatDuration(double s) {
  const auto total = static_cast<int64_t>(std::max(0.0, s));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", static_cast<long long>(total / 3600),
                static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  return buf;
}

// The learning curve from metrics.csv: train loss at every log row (blue
// line) and dev loss at every evaluation (orange line with dots), loss on a
// linear y axis against the step.
void DrawLearningCurve(const std::string& metrics, const std::string& png) {
  struct Point {
    double step, loss;
  };
  std::vector<Point> train, dev;
  std::ifstream in(metrics);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    if (f.size() < 4) continue;
    try {
      const double step = std::stod(f[0]);
      if (!f[3].empty()) {
        dev.push_back({step, std::stod(f[3])});
      } else if (!f[2].empty()) {
        train.push_back({step, std::stod(f[2])});
      }
    } catch (const std::logic_error&) {
    }
  }
  if (train.empty() && dev.empty()) return;
  double max_step = 1, max_loss = 0;
  for (const auto* v : {&train, &dev}) {
    for (const Point& p : *v) {
      if (!std::isfinite(p.loss)) continue;
      max_step = std::max(max_step, p.step);
      max_loss = std::max(max_loss, p.loss);
    }
  }
  if (max_loss <= 0) max_loss = 1;
  const int W = 720, H = 420, left = 70, right = 20, top = 30, bottom = 50;
  PngImage img(W, H);
  const Rgb black{0, 0, 0}, grey{220, 220, 220}, blue{31, 119, 180}, orange{255, 127, 14};
  auto X = [&](double step) {
    return left + static_cast<int>(step / max_step * (W - left - right));
  };
  auto Y = [&](double loss) {
    return H - bottom - static_cast<int>(loss / max_loss * (H - top - bottom));
  };
  for (int i = 0; i <= 4; ++i) {
    const double loss = max_loss * i / 4, step = max_step * i / 4;
    img.Line(left, Y(loss), W - right, Y(loss), grey);
    std::ostringstream l, s;
    l.precision(3);
    l << loss;
    s << static_cast<int64_t>(std::llround(step));
    img.Text(left - 6 - PngImage::TextWidth(l.str()), Y(loss) - 3, l.str(), black);
    img.Text(X(step) - PngImage::TextWidth(s.str()) / 2, H - bottom + 8, s.str(), black);
  }
  img.Line(left, top, left, H - bottom, black);
  img.Line(left, H - bottom, W - right, H - bottom, black);
  img.Text((W - PngImage::TextWidth("step")) / 2, H - bottom + 24, "step", black);
  img.TextUp(12, (H + PngImage::TextWidth("loss")) / 2, "loss", black);
  img.Text(left + 10, 10, "train loss", blue, 1);
  img.Text(left + 100, 10, "dev loss", orange, 1);
  auto plot = [&](const std::vector<Point>& pts, Rgb color, bool dots) {
    for (size_t i = 0; i < pts.size(); ++i) {
      if (!std::isfinite(pts[i].loss)) continue;
      if (i > 0 && std::isfinite(pts[i - 1].loss)) {
        img.Line(X(pts[i - 1].step), Y(pts[i - 1].loss), X(pts[i].step), Y(pts[i].loss), color);
      }
      if (dots) img.FillRect(X(pts[i].step) - 2, Y(pts[i].loss) - 2, 5, 5, color);
    }
  };
  plot(train, blue, false);
  plot(dev, orange, true);
  img.Save(png);
}

// The signal that asked training to stop (SIGINT, SIGTERM), 0 while none has.
volatile std::sig_atomic_t stop_signal = 0;

void RequestStop(int signal) { stop_signal = signal; }

// The first Ctrl-C or SIGTERM asks the trainer to checkpoint and return; the
// handler then resets (SA_RESETHAND), so a second one kills at once.
void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = RequestStop;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// A fine-tuned model keeps its vocabulary, so characters it never had become
// <unk> targets: say how many, once, so a user sees a mismatched alphabet.
void ReportUnknownCharacters(const training::Dataset& train,
                             const std::function<void(const std::string&)>& log) {
  int64_t utts = 0, chars = 0;
  for (const training::Utterance& u : train.utterances()) {
    const auto n = std::count(u.targets.begin(), u.targets.end(), decoder::Vocabulary::kUnk);
    utts += n > 0;
    chars += n;
  }
  if (utts == 0) return;
  log("warning: characters outside the model's vocabulary, trained as <unk>: " +
      std::to_string(chars) + " in " + std::to_string(utts) + " of " +
      std::to_string(train.utterances().size()) + " training utterances");
}

}  // namespace

int RunTrain(const Args& args) {
  const CommandSpec spec{
      "train", "attend train --data DIR --exp DIR [--dev DIR] [--resume] [options]",
      "Trains a model on a Kaldi data directory (text + wav.scp [segments] or feats.scp). The "
      "vocabulary comes from the training text, CMVN statistics from the training features "
      "(or --cmvn from 'attend compute-cmvn'). Writes EXP/model.attend (the average of the best "
      "checkpoints by dev loss), EXP/checkpoints/, EXP/train.log, EXP/metrics.csv and "
      "EXP/learning_curve.png. --resume continues an interrupted run exactly from "
      "EXP/checkpoints/last.attend (model options then come from the checkpoint). "
      "--init-model FILE fine-tunes FILE (e.g. models/default.attend) on the data: its "
      "weights, options, vocabulary and CMVN, with a fresh optimizer and schedule. Ctrl-C or "
      "SIGTERM stops after the current step with a checkpoint; a second one stops at once. "
      "Under mpirun (or srun) the ranks train data-parallel: each takes its share of every "
      "batch (--batch-frames is the global batch), gradients are summed, and rank 0 alone "
      "writes files (docs/training_at_scale.md)."};
  std::string data_dir, dev_dir, exp_dir, cmvn_path, init_model;
  bool resume = false, quiet = false;
  model::AsrModelConfig model_config;
  training::TrainerOptions trainer_options;
  po::options_description options("Options");
  options.add_options()("data", po::value(&data_dir)->required(), "training data directory")(
      "dev", po::value(&dev_dir),
      "dev data directory (dev loss, greedy CER/WER, best checkpoints)")(
      "exp", po::value(&exp_dir)->required(), "experiment directory (created)")(
      "cmvn", po::value(&cmvn_path),
      "global CMVN stats (Kaldi format); default: computed (with --init-model: the model's)")(
      "init-model", po::value(&init_model),
      "fine-tune: start from this model's weights, options, vocabulary and CMVN (ignored "
      "with --resume)")("resume", po::bool_switch(&resume),
                        "continue from EXP/checkpoints/last.attend")(
      "quiet", po::bool_switch(&quiet), "no progress bar or log lines on stderr");
  po::options_description model_desc("Model options (ignored with --resume or --init-model)");
  model_config.Register(&model_desc);
  po::options_description train_desc("Training options");
  trainer_options.Register(&train_desc);
  po::options_description all;
  all.add(options).add(model_desc).add(train_desc);
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, all, {}, &vm)) return 0;
  if (vm["encoder.input_dim"].defaulted()) {
    model_config.encoder.input_dim =
        model_config.fbank.mel.num_bins + (model_config.fbank.use_energy ? 1 : 0);
  }
  trainer_options.Validate();
  training::Communicator& world = training::World();
  const bool root = world.is_root();
  if (!root) quiet = true;  // rank 0 speaks for the job

  fs::create_directories(exp_dir);
  const bool bar = !quiet && isatty(STDERR_FILENO);
  bool bar_shown = false;
  std::mutex stderr_mutex;  // the loader thread reports bad utterances too
  training::TrainerCallbacks callbacks;
  callbacks.log = [&](const std::string& line) {
    if (quiet) return;
    std::lock_guard<std::mutex> lock(stderr_mutex);
    if (bar_shown) std::cerr << "\r\033[K";
    bar_shown = false;
    std::cerr << line << "\n";
  };
  if (bar) {
    callbacks.progress = [&](const training::TrainProgress& p) {
      char buf[256];
      std::snprintf(buf, sizeof(buf),
                    "\r\033[Kepoch %lld/%lld [%lld/%lld] step %lld loss %.4f %.0f tok/s lr %.3g "
                    "ETA %s",
                    static_cast<long long>(p.epoch), static_cast<long long>(p.epochs),
                    static_cast<long long>(p.position), static_cast<long long>(p.batches),
                    static_cast<long long>(p.step), p.loss, p.tokens_per_s, p.lr,
                    FormatDuration(p.eta_s).c_str());
      std::lock_guard<std::mutex> lock(stderr_mutex);
      std::cerr << buf << std::flush;
      bar_shown = true;
    };
  }
  auto log = [&](const std::string& line) {
    if (!root) return;
    std::ofstream((fs::path(exp_dir) / "train.log").string(), std::ios::app) << line << "\n";
    if (callbacks.log) callbacks.log(line);
  };
  // Each start of a run (train.log is appended across resumes) begins with
  // its command line, as Kaldi's logs do.
  std::string command = "# attend train";
  for (const std::string& arg : args) command += " " + arg;
  log(command);

  const std::string last = (fs::path(exp_dir) / "checkpoints" / "last.attend").string();
  std::unique_ptr<model::AsrModel> model;
  if (resume) {
    ATTEND_CHECK(fs::exists(last), "--resume: no checkpoint at '", last, "'");
    model = model::AsrModel::Load(last);
  } else if (!init_model.empty()) {
    model = model::AsrModel::Load(init_model);
    log("initialized from " + init_model + " (its options, vocabulary and CMVN)");
  }
  const model::AsrModelConfig& config = model ? model->config() : model_config;
  training::DataModelInfo info{config.fbank, config.text, config.encoder.reduction};
  training::Dataset train(data_dir, trainer_options.data, info, log);
  std::unique_ptr<training::Dataset> dev;
  if (!dev_dir.empty()) {
    dev = std::make_unique<training::Dataset>(dev_dir, trainer_options.data, info, log);
  }
  if (!model) {
    model = std::make_unique<model::AsrModel>(model_config,
                                              decoder::Vocabulary::FromTexts(train.Texts()));
    Rng init_rng(trainer_options.seed, "init");
    model->Init(&init_rng);
  }
  train.SetVocabulary(model->vocab());
  if (dev) dev->SetVocabulary(model->vocab());
  if (!resume && !init_model.empty()) ReportUnknownCharacters(train, log);
  if (!resume) {
    if (!cmvn_path.empty()) {
      model->SetCmvn(frontend::CmvnStats::Read(cmvn_path));
    } else if (init_model.empty()) {
      log("computing CMVN statistics over " + std::to_string(train.utterances().size()) +
          " training utterances");
      model->SetCmvn(train.ComputeCmvnStats());
    }
  }
  // The options in effect: the model's, and the training options of this
  // start (a resume may change them, e.g. add --vtlp for the last epochs).
  if (root) {
    std::ofstream((fs::path(exp_dir) / "train.conf").string())
        << model->config().ToString() << trainer_options.ToString();
  }
  log("vocabulary: " + std::to_string(model->vocab().size()) + " tokens; " +
      std::to_string(model->Parameters().size()) + " parameter tensors");

  callbacks.stop_requested = [] { return stop_signal != 0; };
  training::Trainer trainer(trainer_options, model.get(), &train, dev.get(), exp_dir, callbacks,
                            &world);
  if (resume) trainer.Resume(last);
  InstallStopHandlers();
  const training::Trainer::Summary summary = trainer.Train();
  if (bar_shown) std::cerr << "\r\033[K";
  // Rank 0 alone reports the job's status: a non-zero exit of another rank
  // would make mpirun end rank 0 before it has written its files.
  if (!root) return 0;
  if (summary.interrupted) {
    // Under MPI the signal may have reached another rank only: SIGTERM then.
    const int stopped_by = stop_signal != 0 ? static_cast<int>(stop_signal) : SIGTERM;
    std::fprintf(stderr,
                 "attend: training interrupted by %s at step %lld; `attend train --resume` "
                 "continues it (%s)\n",
                 stopped_by == SIGINT ? "SIGINT" : "SIGTERM", static_cast<long long>(summary.steps),
                 last.c_str());
    return 128 + stopped_by;  // the shell's status for a process a signal ended
  }
  const std::string png = (fs::path(exp_dir) / "learning_curve.png").string();
  DrawLearningCurve((fs::path(exp_dir) / "metrics.csv").string(), png);

  // A resume with nothing left to train (--epochs reached) only averages.
  std::printf("final step %lld", static_cast<long long>(summary.steps));
  if (summary.evaluated) std::printf(" train-loss %.6f", summary.train_loss);
  if (dev && summary.evaluated) {
    std::printf(" dev-loss %.6f dev-cer %.2f dev-wer %.2f", summary.dev.loss, summary.dev.cer,
                summary.dev.wer);
  }
  std::printf(" model %s\n", summary.model_path.c_str());
  return 0;
}

}  // namespace attend::tools
