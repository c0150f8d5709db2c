// Diagnostics of an attention matrix: how sharp, how monotonic and how
// complete the decoder's attention over the encoder frames is, how far its
// peaks sit from a CTC forced alignment, and counts of the typical failures
// of attention decoders (a stalled peak that repeats words, a peak that jumps
// back, audio at the end that no step attends and whose words go missing).
//
// Every function is pure: it reads an attention matrix ([rows, frames]
// row-major; row i is output step i's weights over the encoder frames, each
// row summing to one) and returns numbers. The peak of a row is its argmax
// (the first one on ties).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

namespace attend::decoder {

struct AttentionStatsOptions {
  // --coverage-min-weight: a frame counts as covered when its weight summed
  // over all rows is at least this many times 1/frames (1 = as much as a
  // frame of one uniform row gets).
  float coverage_min_weight = 0.5f;
  // --stall-steps: a stall is a run of at least this many consecutive steps
  // whose peak stays on the same frame.
  int stall_steps = 3;
  // --jump-back-frames: a jump back is a step whose peak moves back by more
  // than this many frames.
  int jump_back_frames = 2;
  // --tail-fraction: the tail is this share of the frames at the end, in (0, 1).
  float tail_fraction = 0.1f;
  // --tail-min-weight: the tail is unattended when it receives less than this
  // share of the total weight, in [0, 1].
  float tail_min_weight = 0.01f;

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag and the bad value.
  void Validate() const;
  std::string ToString() const;
};

// A read-only attention matrix: rows × frames floats, row-major.
struct AttentionMatrix {
  const float* data = nullptr;
  int64_t rows = 0;
  int64_t frames = 0;
  const float* Row(int64_t i) const { return data + i * frames; }
};

// Each row's argmax frame.
std::vector<int64_t> AttentionPeaks(const AttentionMatrix& a);
// Mean over rows of each row's largest weight, in [1/frames, 1]; 0 without rows.
double Sharpness(const AttentionMatrix& a);
// Mean over rows of each row's entropy in nats, in [0, log(frames)].
double MeanEntropy(const AttentionMatrix& a);
// Share of steps (pairs of consecutive rows) whose peak does not move back,
// in [0, 1]; 1 with fewer than two rows.
double Monotonicity(const std::vector<int64_t>& peaks);
// Share of frames whose weight summed over rows is at least
// options.coverage_min_weight / frames, in [0, 1].
double Coverage(const AttentionMatrix& a, const AttentionStatsOptions& options);
// Runs of at least options.stall_steps consecutive equal peaks (each run
// counts once, however long).
int64_t CountStalls(const std::vector<int64_t>& peaks, const AttentionStatsOptions& options);
// Steps whose peak moves back by more than options.jump_back_frames.
int64_t CountJumpsBack(const std::vector<int64_t>& peaks, const AttentionStatsOptions& options);
// Share of the total weight on the last ceil(tail_fraction × frames) frames
// (at least one).
double TailWeight(const AttentionMatrix& a, const AttentionStatsOptions& options);
// Mean |peaks[i] − reference[i]| over the first min(sizes) entries (frames);
// -1 when either is empty.
double MeanPeakDistance(const std::vector<int64_t>& peaks, const std::vector<int64_t>& reference);

// All statistics of one utterance.
struct AttentionStats {
  int64_t rows = 0;
  int64_t frames = 0;
  double sharpness = 0;
  double entropy = 0;  // nats
  double monotonicity = 0;
  double coverage = 0;
  double tail_weight = 0;
  // Mean distance (frames) of the peaks from the CTC alignment; -1 when there
  // is no alignment.
  double ctc_distance = -1;
  int64_t stalls = 0;
  int64_t jumps_back = 0;
  bool unattended_tail = false;  // tail_weight < options.tail_min_weight
};

// The statistics of `a`. `ctc_frames[i]` is the frame the CTC alignment gives
// output token i (compared with row i's peak); empty when there is none.
AttentionStats ComputeAttentionStats(const AttentionMatrix& a,
                                     const std::vector<int64_t>& ctc_frames,
                                     const AttentionStatsOptions& options);

// Statistics over utterances: the means of the per-utterance ratios and the
// sums of the failure counts.
struct AttentionStatsSummary {
  int64_t utterances = 0;
  double sharpness = 0, entropy = 0, monotonicity = 0, coverage = 0;
  double ctc_distance = -1;  // mean over the utterances that have one; -1 if none
  int64_t ctc_aligned = 0;   // utterances with a CTC alignment
  int64_t stalls = 0, jumps_back = 0, unattended_tails = 0;
};

AttentionStatsSummary Summarize(const std::vector<AttentionStats>& stats);

}  // namespace attend::decoder
