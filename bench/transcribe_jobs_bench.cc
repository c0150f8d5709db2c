// `attend transcribe --scp` on many utterances with the bundled model and
// its default options: one job (oneDNN on all cores, and on one thread),
// two jobs each decoding their own recordings, and two jobs that encode the
// utterances of different recordings together (--batch 4).
//   transcribe_jobs.throughput.<run>  audio seconds per CPU second (user +
//                                     sys of the process: the machine may
//                                     be shared, so wall time is reported
//                                     beside it, not used)
//   transcribe_jobs.speed.<run>       audio seconds per wall second
//   transcribe_jobs.peak_rss.<run>    MB
// and the ratios of each two-job run to one job. The transcripts of every
// run are compared with one job's (text format: they must be identical).
//
// Data: $ATTEND_BENCH_SCP (a wav.scp), else the first
// $ATTEND_BENCH_UTTERANCES (300) lines of recipes/real_en/data/synth/dev
// when the recipe has made it, else the bundled samples repeated to 60.
#include <sndfile.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/common/child_process.h"
#include "bench/common/report.h"

namespace {

namespace fs = std::filesystem;
using attend::bench::Figure;

const std::string kRoot = ATTEND_SOURCE_ROOT;

// The scp to decode (written beside the executable) and its audio seconds.
std::string MakeScp(const std::string& dir, double* seconds) {
  const char* env_scp = std::getenv("ATTEND_BENCH_SCP");
  const char* env_n = std::getenv("ATTEND_BENCH_UTTERANCES");
  const int wanted = env_n != nullptr ? std::atoi(env_n) : 300;
  std::vector<std::pair<std::string, std::string>> entries;
  const std::string dev = kRoot + "/recipes/real_en/data/synth/dev/wav.scp";
  const std::string source = env_scp != nullptr ? env_scp : fs::exists(dev) ? dev : "";
  if (!source.empty()) {
    std::ifstream in(source);
    std::string key, path;
    while (static_cast<int>(entries.size()) < wanted && in >> key &&
           std::getline(in >> std::ws, path))
      entries.emplace_back(key, path);
  } else {
    std::vector<std::string> samples;
    for (const auto& e : fs::directory_iterator(kRoot + "/samples"))
      if (e.path().extension() == ".wav") samples.push_back(e.path().string());
    std::sort(samples.begin(), samples.end());
    for (int i = 0; i < 60; ++i)
      entries.emplace_back("u" + std::to_string(i), samples[i % samples.size()]);
  }
  const std::string scp = dir + "/transcribe_jobs.scp";
  std::ofstream out(scp);
  *seconds = 0;
  for (const auto& [key, path] : entries) {
    out << key << " " << path << "\n";
    SF_INFO info{};
    if (SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info)) {
      *seconds += static_cast<double>(info.frames) / info.samplerate;
      sf_close(f);
    }
  }
  return scp;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Run {
  std::string name, flags;
  attend::bench::ChildRun result;
  bool same_text = true;
};

}  // namespace

int main() {
  const std::string dir = fs::path(ATTEND_BINARY).parent_path().parent_path().string() + "/bench";
  double audio_s = 0;
  const std::string scp = MakeScp(dir, &audio_s);
  const std::string model = kRoot + "/models/default.attend";
  std::vector<Run> runs(4);
  runs[0].name = "jobs1", runs[0].flags = "--jobs 1";
  runs[1].name = "jobs1_threads1", runs[1].flags = "--jobs 1 --threads 1";
  runs[2].name = "jobs2", runs[2].flags = "--jobs 2";
  runs[3].name = "jobs2_batch4", runs[3].flags = "--jobs 2 --batch 4";
  std::string reference;
  for (Run& r : runs) {
    std::vector<std::string> args = {ATTEND_BINARY, "transcribe", "--quiet", "--model",
                                     model,         "--scp",      scp};
    std::istringstream flags(r.flags);
    for (std::string f; flags >> f;) args.push_back(f);
    const std::string out = dir + "/transcribe_jobs." + r.name + ".txt";
    r.result = attend::bench::RunChild(args, out);
    if (!r.result.ok) {
      std::fprintf(stderr, "transcribe_jobs_bench: %s failed\n", r.name.c_str());
      return 1;
    }
    const std::string text = ReadFile(out);
    if (reference.empty()) reference = text;
    r.same_text = text == reference;
  }
  char config[160];
  for (const Run& r : runs) {
    std::snprintf(config, sizeof config, "%s, %.0f s of audio, %s text as --jobs 1",
                  r.flags.c_str(), audio_s, r.same_text ? "same" : "DIFFERENT");
    const double cpu_s = r.result.cpu_ms / 1000.0;
    attend::bench::Report(Figure{
        "transcribe_jobs.throughput." + r.name, "audio s/CPU s", audio_s / cpu_s, config, {}});
    attend::bench::Report(Figure{"transcribe_jobs.speed." + r.name,
                                 "x realtime",
                                 audio_s / (r.result.ms / 1000.0),
                                 config,
                                 {}});
    attend::bench::Report(Figure{"transcribe_jobs.peak_rss." + r.name,
                                 "MB",
                                 static_cast<double>(r.result.peak_kb) / 1024.0,
                                 config,
                                 {}});
  }
  // Ratios of the two-job runs: wall time and memory against --jobs 1 as it
  // is run by default; the speed-up two free cores would show from CPU
  // time, against one job on one thread (which keeps one core busy: its
  // wall time is its CPU time, and two jobs on two cores halve theirs).
  const Run &one = runs[0], &one_thread = runs[1];
  for (size_t i = 2; i < runs.size(); ++i) {
    const Run& r = runs[i];
    std::snprintf(config, sizeof config, "%s against --jobs 1 (targets: >= 1.7 and <= 1.25)",
                  r.flags.c_str());
    attend::bench::Report(Figure{"transcribe_jobs.speedup_on_2_cores." + r.name,
                                 "x",
                                 2.0 * one_thread.result.cpu_ms / r.result.cpu_ms,
                                 config,
                                 {}});
    attend::bench::Report(Figure{
        "transcribe_jobs.wall_ratio." + r.name, "x", one.result.ms / r.result.ms, config, {}});
    attend::bench::Report(Figure{"transcribe_jobs.rss_ratio." + r.name,
                                 "x",
                                 static_cast<double>(r.result.peak_kb) / one.result.peak_kb,
                                 config,
                                 {}});
  }
  return 0;
}
