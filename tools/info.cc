// `attend info MODEL`: a model file's config and tensor table.
#include <cstdio>
#include <iostream>

#include "nn/model_file.h"
#include "tools/commands.h"
#include "tools/common/cli.h"

namespace attend::tools {

int RunInfo(const Args& args) {
  const CommandSpec spec{"info", "attend info [options] MODEL",
                         "Prints the config a model file was built with and a table of its "
                         "tensors (name, shape, parameter count)."};
  std::string model_path;
  po::options_description options("Options");
  options.add_options()("model", po::value(&model_path)->required(), "model file");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, options, positional, &vm)) return 0;

  nn::ModelFile model = nn::ModelFile::Load(model_path);
  std::cout << "# model: " << model_path << "\n# config\n" << model.config;
  if (!model.config.empty() && model.config.back() != '\n') std::cout << "\n";
  std::cout << "# tensors\n";
  int64_t total = 0;
  for (const auto& [name, tensor] : model.tensors) {
    std::printf("%-48s %-20s %12lld%s\n", name.c_str(), nn::ShapeToString(tensor.shape()).c_str(),
                static_cast<long long>(tensor.size()), model.bf16.count(name) ? " bf16" : "");
    total += tensor.size();
  }
  std::printf("# %zu tensors, %lld parameters, %zu stored as bfloat16\n", model.tensors.size(),
              static_cast<long long>(total), model.bf16.size());
  return 0;
}

}  // namespace attend::tools
