#include "frontend/resampler.h"

#include <soxr.h>

#include <cmath>

#include "base/error.h"

namespace attend::frontend {

Resampler::Resampler(double input_rate_hz, double output_rate_hz)
    : input_rate_hz_(input_rate_hz), output_rate_hz_(output_rate_hz) {
  ATTEND_CHECK(input_rate_hz > 0 && output_rate_hz > 0, "cannot resample from ", input_rate_hz,
               " Hz to ", output_rate_hz, " Hz");
  soxr_error_t error = nullptr;
  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  soxr_ = soxr_create(input_rate_hz, output_rate_hz, 1, &error, &io, &quality, &runtime);
  ATTEND_CHECK(error == nullptr && soxr_ != nullptr, "libsoxr cannot resample from ", input_rate_hz,
               " Hz to ", output_rate_hz, " Hz: ", error ? error : "unknown error");
  buffer_.resize(8192);
}

Resampler::~Resampler() { soxr_delete(static_cast<soxr_t>(soxr_)); }

void Resampler::Run(const float* in, size_t n, std::vector<float>* out) {
  auto* s = static_cast<soxr_t>(soxr_);
  const size_t wanted = static_cast<size_t>(std::ceil(n * output_rate_hz_ / input_rate_hz_)) + 64;
  if (buffer_.size() < wanted) buffer_.resize(wanted);
  size_t consumed = 0;
  while (true) {
    size_t in_done = 0, out_done = 0;
    soxr_error_t error = soxr_process(s, in == nullptr ? nullptr : in + consumed, n - consumed,
                                      &in_done, buffer_.data(), buffer_.size(), &out_done);
    ATTEND_CHECK(error == nullptr, "libsoxr: ", error);
    out->insert(out->end(), buffer_.data(), buffer_.data() + out_done);
    consumed += in_done;
    // Done when all input is consumed and the output buffer was not filled
    // (a full buffer may mean more output is waiting).
    if (consumed >= n && out_done < buffer_.size()) break;
    if (in == nullptr && out_done == 0) break;
  }
}

void Resampler::Process(std::span<const float> in, std::vector<float>* out) {
  if (in.empty()) return;
  Run(in.data(), in.size(), out);
}

void Resampler::Flush(std::vector<float>* out) {
  Run(nullptr, 0, out);
  soxr_clear(static_cast<soxr_t>(soxr_));
}

std::vector<float> Resampler::Resample(std::span<const float> in, double input_rate_hz,
                                       double output_rate_hz) {
  Resampler r(input_rate_hz, output_rate_hz);
  std::vector<float> out;
  out.reserve(static_cast<size_t>(in.size() * output_rate_hz / input_rate_hz) + 64);
  r.Process(in, &out);
  r.Flush(&out);
  return out;
}

}  // namespace attend::frontend
