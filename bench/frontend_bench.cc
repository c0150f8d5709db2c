// Frontend throughput (issue 3): Kaldi-compatible fbank on 60 s of 16 kHz
// audio in process, one thread, against torchaudio.compliance.kaldi.fbank in
// the same run (with and without the tuned allocator, shared/BENCHMARKS.md);
// the whole `attend features` process on a 10-minute file; and its peak
// memory beyond the features themselves on a 1-hour file.
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/random.h"
#include "bench/common/child_process.h"
#include "bench/common/report.h"
#include "bench/common/wav_writer.h"
#include "frontend/fbank.h"

namespace {

using attend::bench::Figure;
using attend::bench::PeerFigure;

// Speech-like test audio: a chirping tone with noise, int16 range.
std::vector<float> MakeAudio(double seconds, uint64_t seed) {
  attend::Rng rng(seed, "bench-audio");
  const int64_t n = static_cast<int64_t>(seconds * 16000);
  std::vector<float> x(n);
  for (int64_t i = 0; i < n; ++i) {
    const double t = i / 16000.0;
    x[i] = static_cast<float>(8000 * std::sin(2 * M_PI * (200 + 50 * std::sin(t)) * t) +
                              rng.Normal(0, 500));
  }
  return x;
}

}  // namespace

int main() {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("attend_frontend_bench_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);

  // 1. In process, 60 s, one thread.
  const std::vector<float> audio60 = MakeAudio(60.0, 1);
  const std::string wav60 = (dir / "60s.wav").string();
  attend::bench::WriteWav16k(wav60, audio60);
  attend::frontend::Fbank fbank{attend::frontend::FbankOptions()};
  // The output matrix is reused across calls, as a server or training loader
  // would (a fresh 1.9 MB matrix per call costs ~5 ms of first-touch page
  // faults on these VMs, shared/ARCHITECTURE.md).
  attend::frontend::Matrix features;
  const double ms = attend::bench::MedianMs([&] { fbank.Compute(audio60, &features); }, 9, 2);
  const int64_t frames = features.rows();
  // FLOPs per frame: real FFT of 512 (~2.5 N log2 N), window processing (~5 per
  // sample of 400), power (3 per bin), mel (2 per weight, ~2 per bin), log.
  const double flops_per_frame = 2.5 * 512 * 9 + 5 * 400 + 3 * 257 + 2 * 257 + 80;
  const double gflops = frames * flops_per_frame / (ms * 1e6);
  Figure fig{"frontend.fbank.60s_16k",
             "x realtime",
             60000.0 / ms,
             "80 bins, 25/10 ms, 1 thread, in process, median of 9; " + std::to_string(frames) +
                 " frames in " + std::to_string(ms).substr(0, 6) + " ms, ~" +
                 std::to_string(gflops).substr(0, 4) + " GFLOP/s",
             {}};
  for (bool tuned : {true, false}) {
    const std::string out = attend::bench::RunPeer(
        "torchaudio_fbank.py", wav60 + " --repeats 7" + (tuned ? "" : " --default-allocator"));
    if (out.empty()) {
      std::printf("  torchaudio peer could not run (python3-torchaudio missing?): ratio skipped\n");
      break;
    }
    const double peer_ms = std::atof(out.c_str());
    fig.peers.push_back({std::string("torchaudio 0.13 kaldi.fbank, 1 thread, ") +
                             (tuned ? "tuned allocator" : "default allocator"),
                         60000.0 / peer_ms});
  }
  attend::bench::Report(fig);

  // 2. The whole `attend features` process on a 10-minute file.
  const std::string wav600 = (dir / "600s.wav").string();
  attend::bench::WriteWav16k(wav600, MakeAudio(600.0, 2));
  std::vector<double> times;
  bool ok = true;
  for (int i = 0; i < 3; ++i) {
    const attend::bench::ChildRun run =
        attend::bench::RunChild({ATTEND_BINARY, "features", wav600, "ark:/dev/null"});
    ok = ok && run.ok;
    times.push_back(run.ms);
  }
  std::sort(times.begin(), times.end());
  if (ok) {
    attend::bench::Report({"frontend.attend_features_process.10min",
                           "x realtime",
                           600000.0 / times[1],
                           "`attend features 10min.wav ark:/dev/null`: decode, fbank, archive; "
                           "whole process, median of 3 (" +
                               std::to_string(times[1]).substr(0, 6) + " ms)",
                           {}});
  } else {
    std::printf("frontend_bench: attend features failed on the 10-minute file\n");
  }

  // 3. Peak memory on a 1-hour file, beyond the features (rows x 80 floats).
  const std::string wav3600 = (dir / "3600s.wav").string();
  attend::bench::WriteWav16k(wav3600, MakeAudio(3600.0, 3));
  const attend::bench::ChildRun run3600 =
      attend::bench::RunChild({ATTEND_BINARY, "features", wav3600, "ark:/dev/null"});
  const long peak_kb = run3600.peak_kb;
  if (run3600.ok) {
    const double features_mb = 359998.0 * 80 * 4 / (1024.0 * 1024.0);
    attend::bench::Report({"frontend.attend_features_peak_memory.1h",
                           "MB",
                           peak_kb / 1024.0 - features_mb,
                           "peak RSS of `attend features 1h.wav ark:/dev/null` minus the " +
                               std::to_string(features_mb).substr(0, 5) +
                               " MB feature matrix (peak RSS " +
                               std::to_string(peak_kb / 1024.0).substr(0, 5) + " MB)",
                           {}});
  }
  std::filesystem::remove_all(dir);
  return 0;
}
