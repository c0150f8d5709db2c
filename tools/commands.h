// The subcommands of `attend`. Each is `int Run<Name>(args)` in tools/<name>.cc,
// receives the arguments after its name, and returns the process exit code;
// it throws attend::Error for bad usage or bad input (main prints it).
#pragma once

#include <string>
#include <vector>

namespace attend::tools {

using Args = std::vector<std::string>;

int RunInfo(const Args& args);
int RunScore(const Args& args);
int RunFeatures(const Args& args);
int RunComputeCmvn(const Args& args);
int RunTrainLm(const Args& args);
int RunTranscribe(const Args& args);
int RunStream(const Args& args);
int RunTrain(const Args& args);
int RunAverage(const Args& args);
int RunAttentionStats(const Args& args);

}  // namespace attend::tools
