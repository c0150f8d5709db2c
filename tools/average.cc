// `attend average --out MODEL CKPT...`: the element-wise mean of the
// parameters of several checkpoints or models of one config (the usual final
// step of training: average the best epochs). Config, vocabulary and CMVN
// come from the first; optimizer state and training state are dropped.
// --storage bf16 writes the weight matrices as bfloat16 (half the size).
#include <iostream>

#include "tools/commands.h"
#include "tools/common/cli.h"
#include "training/checkpoint.h"

namespace attend::tools {

int RunAverage(const Args& args) {
  const CommandSpec spec{"average", "attend average [options] --out MODEL CHECKPOINT...",
                         "Averages the parameters of checkpoints (or models) with the same "
                         "config into one model file."};
  std::string out, storage = "f32";
  std::vector<std::string> inputs;
  po::options_description options("Options");
  options.add_options()("out", po::value(&out)->required(), "the averaged model file")(
      "storage", po::value(&storage)->default_value(storage),
      "weights in the file: f32, or bf16 (half the size; with one input, a conversion)")(
      "inputs", po::value(&inputs)->required()->multitoken(), "checkpoints to average");
  po::positional_options_description positional;
  positional.add("inputs", -1);
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, options, positional, &vm)) return 0;
  if (storage != "f32" && storage != "bf16")
    throw UsageError("--storage must be f32 or bf16, got '" + storage + "'");
  training::AverageModels(inputs)->Save(out, storage == "bf16"
                                                 ? model::AsrModel::Storage::kBfloat16
                                                 : model::AsrModel::Storage::kFloat32);
  std::cerr << "attend average: " << inputs.size() << " models -> " << out << "\n";
  return 0;
}

}  // namespace attend::tools
