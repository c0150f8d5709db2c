// `attend`: git-style subcommands. main() is the one place that turns
// exceptions into `attend: error: ...` and an exit code; nothing escapes it.
#include <dnnl.hpp>

#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "base/error.h"
#include "tools/commands.h"
#include "tools/common/cli.h"
#include "training/distributed.h"

namespace attend::tools {
namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args&);
};

const Command kCommands[] = {
    {"info", "print a model file's config and tensor table", RunInfo},
    {"score", "word and character error rates of hypotheses against references", RunScore},
    {"features", "filterbank features of audio into Kaldi archives", RunFeatures},
    {"compute-cmvn", "global CMVN statistics of features (Kaldi format)", RunComputeCmvn},
    {"train-lm", "train a character n-gram language model (ARPA)", RunTrainLm},
    {"transcribe", "transcribe audio files or a wav.scp (text, json, srt, vtt, ctm)",
     RunTranscribe},
    {"stream", "live transcription of a microphone, stdin or a file in real time", RunStream},
    {"train", "train a model on a Kaldi data directory (checkpoints, resume, metrics)", RunTrain},
    {"average", "average the parameters of checkpoints into one model", RunAverage},
    {"attention-stats", "attention diagnostics of the decoder, teacher-forced on a data directory",
     RunAttentionStats},
};

void PrintHelp(std::ostream& out) {
  out << "usage: attend [--help] [--version] <command> [<args>]\n\n"
         "attend: attention-based speech recognition on oneDNN.\n\ncommands:\n";
  for (const Command& c : kCommands) {
    std::string name = c.name;
    out << "  " << name << std::string(name.size() < 16 ? 16 - name.size() : 1, ' ') << c.summary
        << "\n";
  }
  out << "\n'attend <command> --help' shows a command's options.\n";
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintHelp(std::cerr);
    return kExitUsage;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintHelp(std::cout);
    return 0;
  }
  if (name == "--version") {
    std::cout << "attend " << ATTEND_VERSION_STRING << " (oneDNN " << dnnl_version()->major << "."
              << dnnl_version()->minor << "." << dnnl_version()->patch << ")\n";
    return 0;
  }
  for (const Command& c : kCommands) {
    if (name == c.name) return c.run(Args(argv + 2, argv + argc));
  }
  throw UsageError("unknown command '" + name + "' (see 'attend --help')");
}

}  // namespace
}  // namespace attend::tools

namespace {

// After an error on one rank of an MPI job the others would wait for it in
// their next collective: end them all (Open MPI's mpirun reports the rank).
int EndJob(int exit_code) {
  if (attend::training::WorldIsDistributed()) attend::training::World().Abort(exit_code);
  return exit_code;
}

int RunMain(int argc, char** argv) {
  using namespace attend::tools;
  try {
    return Main(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "attend: error: " << e.what() << "\n";
    return EndJob(kExitUsage);
  } catch (const attend::Error& e) {
    std::cerr << "attend: error: " << e.what() << "\n";
  } catch (const dnnl::error& e) {
    std::cerr << "attend: error: oneDNN: " << e.what() << "\n";
  } catch (const std::bad_alloc&) {
    std::cerr << "attend: error: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "attend: error: " << e.what() << "\n";
  }
  return EndJob(kExitFailure);
}

}  // namespace

int main(int argc, char** argv) { return RunMain(argc, argv); }
