// Cepstral mean and variance normalization. CmvnStats accumulates Kaldi's
// CMVN statistics (a 2 x (dim+1) double matrix: row 0 the sums of the
// features and, last, the frame count; row 1 the sums of squares), so stats
// files interoperate with Kaldi's compute-cmvn-stats / apply-cmvn. Cmvn
// applies global statistics (the ones a model stores); ApplyPerUtteranceCmvn
// normalizes one utterance by its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "frontend/matrix.h"

namespace attend::frontend {

struct CmvnOptions {
  bool norm_means = true;    // --norm-means: subtract the mean
  bool norm_vars = false;    // --norm-vars: divide by the standard deviation
  double var_floor = 1e-10;  // --var-floor: variances below are raised to it

  void Register(boost::program_options::options_description* desc);
  void Validate() const;
  std::string ToString() const;
};

class CmvnStats {
 public:
  CmvnStats() = default;
  explicit CmvnStats(int32_t dim) : stats_(2, dim + 1) {}
  // From Kaldi's 2 x (dim+1) matrix; throws attend::Error naming `what` if
  // the shape or count is wrong.
  static CmvnStats FromMatrix(const DoubleMatrix& stats, const std::string& what);
  // Reads a stats file in Kaldi's format (binary or text); "-" is stdin.
  static CmvnStats Read(const std::string& path);

  // Adds every frame of `features` (the first call fixes the dimension).
  void Accumulate(const Matrix& features);
  void Add(const CmvnStats& other);

  int32_t Dim() const { return stats_.cols() > 0 ? static_cast<int32_t>(stats_.cols() - 1) : 0; }
  double Count() const { return stats_.cols() > 0 ? stats_(0, stats_.cols() - 1) : 0.0; }
  const DoubleMatrix& matrix() const { return stats_; }

  // Writes Kaldi's format atomically (binary `\0B DM`, or text).
  void Write(const std::string& path, bool binary) const;

 private:
  DoubleMatrix stats_;
};

class Cmvn {
 public:
  // Throws attend::Error when the stats hold no frames.
  Cmvn(const CmvnStats& stats, const CmvnOptions& opts);
  // From a stored mean and inverse standard deviation (both Dim() long; the
  // form a model file keeps).
  Cmvn(std::vector<float> mean, std::vector<float> inv_std, const CmvnOptions& opts);

  int32_t Dim() const { return static_cast<int32_t>(mean_.size()); }
  const std::vector<float>& mean() const { return mean_; }
  const std::vector<float>& inv_std() const { return inv_std_; }

  // x <- (x - mean) * inv_std, per the options; throws attend::Error on a
  // dimension mismatch.
  void Apply(Matrix* features) const;

 private:
  CmvnOptions opts_;
  std::vector<float> mean_, inv_std_;
};

// Normalizes `features` by its own mean (and variance with norm_vars). An
// empty matrix is left alone.
void ApplyPerUtteranceCmvn(const CmvnOptions& opts, Matrix* features);

}  // namespace attend::frontend
