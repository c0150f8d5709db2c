#include "training/checkpoint.h"

#include <csignal>
#include <cstdlib>
#include <map>
#include <sstream>

#include "base/atomic_file.h"
#include "base/error.h"

namespace attend::training {

namespace {

constexpr char kPrefix[] = "train-state.";

std::string FormatDouble(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

// The crash-safety test's hook: with ATTEND_TEST_STOP_IN_CHECKPOINT_WRITE=N
// in the environment, the Nth checkpoint this process writes stops the process
// (SIGSTOP) when half its bytes are in the temporary file, so that the test can
// kill it there, mid-write, every time (tests/training/train_e2e_test.cc).
bool StopInThisCheckpointWrite() {
  static const long stop_at = [] {
    const char* env = std::getenv("ATTEND_TEST_STOP_IN_CHECKPOINT_WRITE");
    return env != nullptr ? std::atol(env) : 0L;
  }();
  static long writes = 0;
  return ++writes == stop_at;
}

}  // namespace

std::string TrainState::ToText() const {
  std::ostringstream out;
  auto line = [&](const std::string& name, const std::string& value) {
    out << kPrefix << name << " = " << value << "\n";
  };
  line("step", std::to_string(step));
  line("epoch", std::to_string(epoch));
  line("batch-position", std::to_string(batch_position));
  line("elapsed-s", FormatDouble(elapsed_s));
  line("plateau-scale", FormatDouble(plateau_scale));
  line("best-loss", FormatDouble(best_loss));
  line("epochs-ranked", std::to_string(epochs_ranked));
  line("stalled-epochs", std::to_string(stalled_epochs));
  line("window-loss", FormatDouble(window_loss));
  line("window-steps", std::to_string(window_steps));
  line("epoch-loss", FormatDouble(epoch_loss));
  line("epoch-steps", std::to_string(epoch_steps));
  line("bad-in-a-row", std::to_string(bad_in_a_row));
  line("metrics-rows", std::to_string(metrics_rows));
  line("dropout-rng", dropout_rng);
  line("sampling-rng", sampling_rng);
  line("kept", std::to_string(kept.size()));
  for (size_t i = 0; i < kept.size(); ++i) {
    line("kept." + std::to_string(i), FormatDouble(kept[i].loss) + " " + kept[i].path);
  }
  return out.str();
}

TrainState TrainState::FromText(const std::string& text, const std::string& source) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  std::string line;
  const std::string prefix = kPrefix;
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) != 0) continue;
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    values[line.substr(prefix.size(), eq - prefix.size())] = line.substr(eq + 3);
  }
  auto get = [&](const std::string& name) -> const std::string& {
    auto it = values.find(name);
    ATTEND_CHECK(it != values.end(), "'", source, "' is not a training checkpoint (no ", prefix,
                 name, ")");
    return it->second;
  };
  TrainState s;
  try {
    s.step = std::stoll(get("step"));
    s.epoch = std::stoll(get("epoch"));
    s.batch_position = std::stoll(get("batch-position"));
    s.elapsed_s = std::stod(get("elapsed-s"));
    s.plateau_scale = std::stod(get("plateau-scale"));
    s.best_loss = std::stod(get("best-loss"));
    s.epochs_ranked = std::stoll(get("epochs-ranked"));
    s.stalled_epochs = std::stoll(get("stalled-epochs"));
    s.window_loss = std::stod(get("window-loss"));
    s.window_steps = std::stoll(get("window-steps"));
    s.epoch_loss = std::stod(get("epoch-loss"));
    s.epoch_steps = std::stoll(get("epoch-steps"));
    // Checkpoints before this field had none (their runs resumed at 0).
    s.bad_in_a_row = values.count("bad-in-a-row") ? std::stoll(get("bad-in-a-row")) : 0;
    s.metrics_rows = values.count("metrics-rows") ? std::stoll(get("metrics-rows")) : -1;
    s.dropout_rng = get("dropout-rng");
    s.sampling_rng = get("sampling-rng");
    const int64_t kept = std::stoll(get("kept"));
    for (int64_t i = 0; i < kept; ++i) {
      std::istringstream entry(get("kept." + std::to_string(i)));
      RankedCheckpoint c;
      entry >> c.loss >> std::ws;
      std::getline(entry, c.path);
      s.kept.push_back(c);
    }
  } catch (const std::logic_error& e) {  // stoll/stod
    throw Error("'" + source + "': malformed training state (" + e.what() + ")");
  }
  return s;
}

void SaveCheckpoint(const std::string& path, const model::AsrModel& model,
                    const Optimizer& optimizer, const TrainState& state) {
  nn::ModelFile file = model.ToModelFile();
  optimizer.Save(&file);
  if (!file.config.empty() && file.config.back() != '\n') file.config += '\n';
  file.config += state.ToText();
  const std::string bytes = file.Serialize();
  const bool stop = StopInThisCheckpointWrite();
  WriteFileAtomically(path, [&](std::ostream& out) {
    const size_t half = bytes.size() / 2;
    out.write(bytes.data(), static_cast<std::streamsize>(half));
    if (stop) {
      out.flush();
      std::raise(SIGSTOP);
    }
    out.write(bytes.data() + half, static_cast<std::streamsize>(bytes.size() - half));
  });
}

TrainState LoadCheckpoint(const std::string& path, Optimizer* optimizer) {
  const nn::ModelFile file = nn::ModelFile::Load(path);
  TrainState state = TrainState::FromText(file.config, path);
  optimizer->Load(file, path);
  return state;
}

std::unique_ptr<model::AsrModel> AverageModels(const std::vector<std::string>& paths) {
  ATTEND_CHECK(!paths.empty(), "no models to average");
  std::unique_ptr<model::AsrModel> avg = model::AsrModel::Load(paths[0]);
  const std::vector<nn::Parameter*> params = avg->Parameters();
  // Sums in double so the mean does not depend on the order of the files
  // beyond rounding of the final division.
  std::vector<std::vector<double>> sums(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    sums[i].assign(params[i]->value.data(), params[i]->value.data() + params[i]->value.size());
  }
  for (size_t f = 1; f < paths.size(); ++f) {
    const nn::ModelFile file = nn::ModelFile::Load(paths[f]);
    for (size_t i = 0; i < params.size(); ++i) {
      const nn::Tensor& t = file.Get(params[i]->name, paths[f]);
      ATTEND_CHECK(t.shape() == params[i]->value.shape(), "'", paths[f], "': tensor '",
                   params[i]->name, "' has shape ", nn::ShapeToString(t.shape()), ", '", paths[0],
                   "' has ", nn::ShapeToString(params[i]->value.shape()));
      for (int64_t k = 0; k < t.size(); ++k) sums[i][k] += t.data()[k];
    }
  }
  const double n = static_cast<double>(paths.size());
  for (size_t i = 0; i < params.size(); ++i) {
    float* v = params[i]->value.data();
    for (size_t k = 0; k < sums[i].size(); ++k) v[k] = static_cast<float>(sums[i][k] / n);
    params[i]->MarkUpdated();
  }
  return avg;
}

}  // namespace attend::training
