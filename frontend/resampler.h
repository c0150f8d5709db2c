// Streaming sample-rate conversion with libsoxr (high quality, one channel,
// one thread). Used for input audio at any rate and for speed perturbation.
// Feeding a signal in chunks gives the same samples as feeding it at once.
#pragma once

#include <span>
#include <vector>

namespace attend::frontend {

class Resampler {
 public:
  // Throws attend::Error when libsoxr rejects the rates.
  Resampler(double input_rate_hz, double output_rate_hz);
  ~Resampler();
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  double input_rate_hz() const { return input_rate_hz_; }
  double output_rate_hz() const { return output_rate_hz_; }

  // Consumes `in` and appends the output samples available so far to `out`.
  void Process(std::span<const float> in, std::vector<float>* out);
  // Ends the signal: appends the remaining output (the filter's tail) to
  // `out`. The resampler is then ready for a new signal.
  void Flush(std::vector<float>* out);

  // Resamples a whole signal.
  static std::vector<float> Resample(std::span<const float> in, double input_rate_hz,
                                     double output_rate_hz);

 private:
  void Run(const float* in, size_t n, std::vector<float>* out);

  double input_rate_hz_, output_rate_hz_;
  void* soxr_ = nullptr;       // soxr_t
  std::vector<float> buffer_;  // output scratch, reused
};

}  // namespace attend::frontend
