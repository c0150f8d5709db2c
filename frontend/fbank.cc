#include "frontend/fbank.h"

#include <kiss_fftr.h>

#include <cfloat>
#include <cmath>
#include <sstream>

#include "base/error.h"

namespace attend::frontend {

namespace po = boost::program_options;

void FbankOptions::Register(po::options_description* desc) {
  frame.Register(desc);
  mel.Register(desc);
  desc->add_options()("use-energy", po::value(&use_energy)->default_value(use_energy),
                      "add the log energy as an extra coefficient (first; last with --htk-compat)")(
      "energy-floor", po::value(&energy_floor)->default_value(energy_floor),
      "floor on the energy (absolute, not log); 0 = none")(
      "raw-energy", po::value(&raw_energy)->default_value(raw_energy),
      "compute the energy before pre-emphasis and windowing")(
      "htk-compat", po::value(&htk_compat)->default_value(htk_compat),
      "put the energy last, as HTK does")(
      "use-log-fbank", po::value(&use_log_fbank)->default_value(use_log_fbank),
      "natural log of the mel energies (false: linear energies)")(
      "use-power", po::value(&use_power)->default_value(use_power),
      "power spectrum (false: magnitude spectrum)")(
      "vtln-warp", po::value(&vtln_warp)->default_value(vtln_warp), "VTLN warp factor (1 = none)");
}

void FbankOptions::Validate() const {
  frame.Validate();
  mel.Validate(frame.samp_freq);
  ATTEND_CHECK(energy_floor >= 0, "--energy-floor must be >= 0, got ", energy_floor);
  ATTEND_CHECK(vtln_warp > 0 && std::isfinite(vtln_warp), "--vtln-warp must be positive, got ",
               vtln_warp);
  ATTEND_CHECK(frame.PaddedWindowSize() % 2 == 0, "the FFT length must be even: --frame-length ",
               frame.frame_length_ms, " ms gives ", frame.PaddedWindowSize(),
               " samples with --round-to-power-of-two=false");
}

std::string FbankOptions::ToString() const {
  std::ostringstream out;
  out << frame.ToString() << " " << mel.ToString() << " use-energy=" << use_energy
      << " energy-floor=" << energy_floor << " raw-energy=" << raw_energy
      << " htk-compat=" << htk_compat << " use-log-fbank=" << use_log_fbank
      << " use-power=" << use_power << " vtln-warp=" << vtln_warp;
  return out.str();
}

FbankOptions WithVtlnWarp(FbankOptions opts, float warp, const std::string& what) {
  ATTEND_CHECK(warp > 0 && std::isfinite(warp), what, ": the VTLN warp must be positive, got ",
               warp);
  opts.vtln_warp *= warp;
  try {
    Fbank check(opts);  // builds the warped mel banks, the part a warp can break
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
  return opts;
}

namespace {
const FbankOptions& Validated(const FbankOptions& opts) {
  opts.Validate();
  return opts;
}
}  // namespace

Fbank::Fbank(const FbankOptions& opts)
    : opts_(Validated(opts)),
      window_(opts_.frame),
      mel_banks_(opts_.mel, opts_.frame, opts_.vtln_warp),
      rng_(opts_.frame.dither_seed, "dither") {
  const int32_t padded = opts_.frame.PaddedWindowSize();
  fft_ = kiss_fftr_alloc(padded, 0, nullptr, nullptr);
  ATTEND_CHECK(fft_ != nullptr, "cannot create a real FFT of length ", padded);
  frame_.assign(padded, 0.0f);
  spectrum_.assign(2 * (padded / 2 + 1), 0.0f);
  power_.assign(padded / 2 + 1, 0.0f);
  if (opts_.energy_floor > 0) log_energy_floor_ = std::log(opts_.energy_floor);
}

Fbank::~Fbank() { kiss_fftr_free(fft_); }

void Fbank::ComputeFrame(float* frame, float* out) {
  const bool energy = opts_.use_energy;
  float log_energy = 0.0f;
  ProcessWindow(opts_.frame, window_, &rng_, frame,
                energy && opts_.raw_energy ? &log_energy : nullptr);
  const int32_t padded = opts_.frame.PaddedWindowSize();
  if (energy && !opts_.raw_energy) {
    float sum = 0.0f;
    for (int32_t i = 0; i < padded; ++i) sum += frame[i] * frame[i];
    log_energy = std::log(std::max(sum, FLT_EPSILON));
  }
  if (energy && opts_.energy_floor > 0 && log_energy < log_energy_floor_) {
    log_energy = log_energy_floor_;
  }

  auto* spectrum = reinterpret_cast<kiss_fft_cpx*>(spectrum_.data());
  kiss_fftr(static_cast<kiss_fftr_cfg>(fft_), frame, spectrum);
  const int32_t num_power = padded / 2 + 1;
  float* power = power_.data();
  for (int32_t i = 0; i < num_power; ++i) {
    power[i] = spectrum[i].r * spectrum[i].r + spectrum[i].i * spectrum[i].i;
  }
  if (!opts_.use_power) {
    for (int32_t i = 0; i < num_power; ++i) power[i] = std::sqrt(power[i]);
  }

  float* mel = out + (energy && !opts_.htk_compat ? 1 : 0);
  mel_banks_.Compute(power, mel);
  if (opts_.use_log_fbank) {
    const int32_t num_bins = mel_banks_.NumBins();
    for (int32_t b = 0; b < num_bins; ++b) mel[b] = std::log(std::max(mel[b], FLT_EPSILON));
  }
  if (energy) out[opts_.htk_compat ? Dim() - 1 : 0] = log_energy;
}

Matrix Fbank::Compute(std::span<const float> wave) {
  Matrix features;
  Compute(wave, &features);
  return features;
}

void Fbank::Compute(std::span<const float> wave, Matrix* out) {
  const int64_t num_frames = NumFrames(static_cast<int64_t>(wave.size()), opts_.frame);
  out->Resize(num_frames, Dim());
  for (int64_t f = 0; f < num_frames; ++f) {
    ExtractWindowSamples(0, wave, f, opts_.frame, frame_.data());
    ComputeFrame(frame_.data(), out->Row(f));
  }
}

}  // namespace attend::frontend
