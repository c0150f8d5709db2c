#include "nn/adam.h"

#include <boost/program_options.hpp>
#include <cmath>
#include <sstream>

#include "base/error.h"

namespace attend::nn {

namespace po = boost::program_options;

void AdamOptions::Register(po::options_description* desc) {
  desc->add_options()("adam-learning-rate", po::value(&learning_rate)->default_value(learning_rate),
                      "Adam step size")("adam-beta1", po::value(&beta1)->default_value(beta1),
                                        "Adam first-moment decay, in [0, 1)")(
      "adam-beta2", po::value(&beta2)->default_value(beta2), "Adam second-moment decay, in [0, 1)")(
      "adam-epsilon", po::value(&epsilon)->default_value(epsilon),
      "added to the root of the second moment, > 0")(
      "adam-weight-decay", po::value(&weight_decay)->default_value(weight_decay),
      "decoupled (AdamW) weight decay, >= 0; 0 = off");
}

void AdamOptions::Validate() const {
  ATTEND_CHECK(learning_rate > 0, "--adam-learning-rate must be > 0, got ", learning_rate);
  ATTEND_CHECK(beta1 >= 0 && beta1 < 1, "--adam-beta1 must be in [0, 1), got ", beta1);
  ATTEND_CHECK(beta2 >= 0 && beta2 < 1, "--adam-beta2 must be in [0, 1), got ", beta2);
  ATTEND_CHECK(epsilon > 0, "--adam-epsilon must be > 0, got ", epsilon);
  ATTEND_CHECK(weight_decay >= 0, "--adam-weight-decay must be >= 0, got ", weight_decay);
}

std::string AdamOptions::ToString() const {
  std::ostringstream out;
  out << "adam-learning-rate=" << learning_rate << " adam-beta1=" << beta1
      << " adam-beta2=" << beta2 << " adam-epsilon=" << epsilon
      << " adam-weight-decay=" << weight_decay;
  return out.str();
}

Adam::Adam(std::vector<Parameter*> params, const AdamOptions& options)
    : params_(std::move(params)), options_(options) {
  options_.Validate();
  for (Parameter* p : params_) {
    m_.emplace_back(p->value.shape());
    v_.emplace_back(p->value.shape());
  }
}

void Adam::Step() {
  ++step_;
  const double bc1 = 1.0 - std::pow(static_cast<double>(options_.beta1), step_);
  const double bc2 = 1.0 - std::pow(static_cast<double>(options_.beta2), step_);
  const float lr = options_.learning_rate;
  const float step_size = static_cast<float>(lr / bc1);
  const float inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  const float b1 = options_.beta1, b2 = options_.beta2, eps = options_.epsilon;
  const float decay = 1.0f - lr * options_.weight_decay;
  const bool decayed = options_.weight_decay > 0;  // a local, so the loop vectorizes
  for (size_t k = 0; k < params_.size(); ++k) {
    Parameter* p = params_[k];
    float* w = p->value.data();
    const float* g = p->grad.data();
    float* m = m_[k].data();
    float* v = v_[k].data();
    const int64_t n = p->value.size();
    for (int64_t i = 0; i < n; ++i) {
      if (decayed) w[i] *= decay;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      w[i] -= step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + eps);
    }
    p->MarkUpdated();
  }
}

void Adam::Save(ModelFile* file) const {
  Tensor step({1});
  step[0] = static_cast<float>(step_);
  file->tensors["adam.step"] = step;
  for (size_t k = 0; k < params_.size(); ++k) {
    file->tensors["adam.m." + params_[k]->name] = m_[k];
    file->tensors["adam.v." + params_[k]->name] = v_[k];
  }
}

void Adam::Load(const ModelFile& file, const std::string& path) {
  step_ = static_cast<int64_t>(file.Get("adam.step", path)[0]);
  for (size_t k = 0; k < params_.size(); ++k) {
    for (auto [prefix, dst] : {std::pair{"adam.m.", &m_[k]}, std::pair{"adam.v.", &v_[k]}}) {
      const Tensor& t = file.Get(prefix + params_[k]->name, path);
      ATTEND_CHECK(t.shape() == dst->shape(), prefix, params_[k]->name, " in ", path, ": shape ",
                   ShapeToString(t.shape()), ", expected ", ShapeToString(dst->shape()));
      *dst = t;
    }
  }
}

}  // namespace attend::nn
