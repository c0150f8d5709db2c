#include "frontend/cmvn.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "base/atomic_file.h"
#include "base/error.h"
#include "frontend/kaldi_archive.h"

namespace attend::frontend {

namespace po = boost::program_options;

void CmvnOptions::Register(po::options_description* desc) {
  desc->add_options()("norm-means", po::value(&norm_means)->default_value(norm_means),
                      "CMVN: subtract the mean")("norm-vars",
                                                 po::value(&norm_vars)->default_value(norm_vars),
                                                 "CMVN: divide by the standard deviation")(
      "var-floor", po::value(&var_floor)->default_value(var_floor), "CMVN: floor on the variances");
}

void CmvnOptions::Validate() const {
  ATTEND_CHECK(norm_means || !norm_vars, "--norm-vars needs --norm-means");
  ATTEND_CHECK(var_floor > 0, "--var-floor must be positive, got ", var_floor);
}

std::string CmvnOptions::ToString() const {
  std::ostringstream out;
  out << "norm-means=" << norm_means << " norm-vars=" << norm_vars << " var-floor=" << var_floor;
  return out.str();
}

CmvnStats CmvnStats::FromMatrix(const DoubleMatrix& stats, const std::string& what) {
  ATTEND_CHECK(stats.rows() == 2 && stats.cols() >= 2, "CMVN stats must be 2 x (dim+1), got ",
               stats.rows(), " x ", stats.cols(), " (", what, ")");
  ATTEND_CHECK(stats(0, stats.cols() - 1) >= 0, "CMVN stats with a negative count (", what, ")");
  CmvnStats s;
  s.stats_ = stats;
  return s;
}

CmvnStats CmvnStats::Read(const std::string& path) {
  return FromMatrix(ReadKaldiDoubleMatrix(path), path);
}

void CmvnStats::Accumulate(const Matrix& features) {
  if (stats_.cols() == 0) stats_ = DoubleMatrix(2, features.cols() + 1);
  ATTEND_CHECK(features.cols() == Dim(), "features of dimension ", features.cols(),
               " added to CMVN stats of dimension ", Dim());
  const int64_t dim = Dim();
  double* sum = stats_.Row(0);
  double* sumsq = stats_.Row(1);
  for (int64_t r = 0; r < features.rows(); ++r) {
    const float* x = features.Row(r);
    for (int64_t d = 0; d < dim; ++d) {
      sum[d] += x[d];
      sumsq[d] += static_cast<double>(x[d]) * x[d];
    }
  }
  sum[dim] += static_cast<double>(features.rows());
}

void CmvnStats::Add(const CmvnStats& other) {
  if (other.stats_.cols() == 0) return;
  if (stats_.cols() == 0) stats_ = DoubleMatrix(2, other.stats_.cols());
  ATTEND_CHECK(other.Dim() == Dim(), "adding CMVN stats of dimension ", other.Dim(), " to ", Dim());
  for (int64_t i = 0; i < 2 * stats_.cols(); ++i) stats_.data()[i] += other.stats_.data()[i];
}

void CmvnStats::Write(const std::string& path, bool binary) const {
  WriteFileAtomically(path, [&](std::ostream& out) { WriteKaldiMatrix(out, stats_, binary); });
}

Cmvn::Cmvn(const CmvnStats& stats, const CmvnOptions& opts) : opts_(opts) {
  opts_.Validate();
  const double count = stats.Count();
  ATTEND_CHECK(count >= 1, "CMVN stats hold no frames (count ", count, ")");
  const int32_t dim = stats.Dim();
  mean_.resize(dim);
  inv_std_.assign(dim, 1.0f);
  const DoubleMatrix& m = stats.matrix();
  for (int32_t d = 0; d < dim; ++d) {
    const double mean = m(0, d) / count;
    mean_[d] = static_cast<float>(mean);
    double var = m(1, d) / count - mean * mean;
    if (var < opts_.var_floor) var = opts_.var_floor;
    inv_std_[d] = static_cast<float>(1.0 / std::sqrt(var));
  }
}

Cmvn::Cmvn(std::vector<float> mean, std::vector<float> inv_std, const CmvnOptions& opts)
    : opts_(opts), mean_(std::move(mean)), inv_std_(std::move(inv_std)) {
  opts_.Validate();
  ATTEND_CHECK(mean_.size() == inv_std_.size(), "CMVN mean has ", mean_.size(),
               " values but inv_std has ", inv_std_.size());
}

void Cmvn::Apply(Matrix* features) const {
  if (features->rows() == 0) return;
  ATTEND_CHECK(features->cols() == Dim(), "CMVN of dimension ", Dim(),
               " applied to features of dimension ", features->cols());
  if (!opts_.norm_means) return;
  const int64_t dim = Dim();
  for (int64_t r = 0; r < features->rows(); ++r) {
    float* x = features->Row(r);
    if (opts_.norm_vars) {
      for (int64_t d = 0; d < dim; ++d) x[d] = (x[d] - mean_[d]) * inv_std_[d];
    } else {
      for (int64_t d = 0; d < dim; ++d) x[d] -= mean_[d];
    }
  }
}

void ApplyPerUtteranceCmvn(const CmvnOptions& opts, Matrix* features) {
  if (features->rows() == 0) return;
  CmvnStats stats;
  stats.Accumulate(*features);
  Cmvn(stats, opts).Apply(features);
}

}  // namespace attend::frontend
