// Benchmark reporting shared by every benchmark in bench/: timing helpers, a
// table row per figure on stdout, and one JSON object per figure appended to
// the results file that bench/run.sh gathers into build/bench/results.json:
//   {"name": ..., "unit": ..., "value": ..., "config": ...,
//    "peers": [{"name": ..., "value": ..., "ratio": ...}]}
// ratio = peer value / attend value for times (higher is better for attend);
// for throughputs (unit ending in "/s" or "x realtime") it is attend / peer.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace attend::bench {

struct PeerFigure {
  std::string name;  // "torch 1.13 + OpenBLAS, 1 thread"
  double value = 0;  // same unit as the attend figure
};

struct Figure {
  std::string name;  // "frontend.fbank.60s"
  std::string unit;  // "ms", "GFLOP/s", "x realtime"
  double value = 0;
  std::string config;  // threads, batch, shapes, dtype
  std::vector<PeerFigure> peers;
};

// True when a larger value is better for this unit.
bool HigherIsBetter(const std::string& unit);
// The ratio that says how many times better attend is than the peer (> 1: attend wins).
double Advantage(const Figure& figure, const PeerFigure& peer);

// Prints the figure as table rows and appends its JSON line to the file named
// by $ATTEND_BENCH_RESULTS (when set).
void Report(const Figure& figure);

// Median of `repeats` timings (milliseconds) of `run`, after `warmup` untimed calls.
template <typename Fn>
double MedianMs(Fn&& run, int repeats = 7, int warmup = 2);

// Runs a peer script (python3 bench/peers/<script> <args>) with the fair
// settings of shared/BENCHMARKS.md (OpenBLAS from $ATTEND_BENCH_OPENBLAS, the
// tuned glibc allocator) and returns its stdout. Empty when the peer cannot run
// (no python3/torch, a model it cannot read): the last line of its stderr goes
// to stderr, and the caller prints that it skips the ratio.
std::string RunPeer(const std::string& script, const std::string& args);

double NowMs();

template <typename Fn>
double MedianMs(Fn&& run, int repeats, int warmup) {
  for (int i = 0; i < warmup; ++i) run();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    double start = NowMs();
    run();
    times.push_back(NowMs() - start);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace attend::bench
