#include "nn/adadelta.h"

#include <boost/program_options.hpp>
#include <cmath>
#include <sstream>

#include "base/error.h"

namespace attend::nn {

namespace po = boost::program_options;

void AdaDeltaOptions::Register(po::options_description* desc) {
  desc->add_options()("adadelta-learning-rate",
                      po::value(&learning_rate)->default_value(learning_rate),
                      "AdaDelta update scale (1 = plain AdaDelta)")(
      "adadelta-rho", po::value(&rho)->default_value(rho),
      "AdaDelta decay of the running averages, in [0, 1)")(
      "adadelta-epsilon", po::value(&epsilon)->default_value(epsilon),
      "AdaDelta epsilon inside the square roots, > 0")(
      "adadelta-weight-decay", po::value(&weight_decay)->default_value(weight_decay),
      "AdaDelta L2 penalty added to the gradient, >= 0; 0 = off");
}

void AdaDeltaOptions::Validate() const {
  ATTEND_CHECK(learning_rate > 0, "--adadelta-learning-rate must be > 0, got ", learning_rate);
  ATTEND_CHECK(rho >= 0 && rho < 1, "--adadelta-rho must be in [0, 1), got ", rho);
  ATTEND_CHECK(epsilon > 0, "--adadelta-epsilon must be > 0, got ", epsilon);
  ATTEND_CHECK(weight_decay >= 0, "--adadelta-weight-decay must be >= 0, got ", weight_decay);
}

std::string AdaDeltaOptions::ToString() const {
  std::ostringstream out;
  out << "adadelta-learning-rate=" << learning_rate << " adadelta-rho=" << rho
      << " adadelta-epsilon=" << epsilon << " adadelta-weight-decay=" << weight_decay;
  return out.str();
}

AdaDelta::AdaDelta(std::vector<Parameter*> params, const AdaDeltaOptions& options)
    : params_(std::move(params)), options_(options) {
  options_.Validate();
  for (Parameter* p : params_) {
    square_avg_.emplace_back(p->value.shape());
    acc_delta_.emplace_back(p->value.shape());
  }
}

void AdaDelta::Step() {
  ++step_;
  const float lr = options_.learning_rate, rho = options_.rho, eps = options_.epsilon;
  const float decay = options_.weight_decay;
  for (size_t k = 0; k < params_.size(); ++k) {
    Parameter* p = params_[k];
    float* w = p->value.data();
    const float* grad = p->grad.data();
    float* sq = square_avg_[k].data();
    float* acc = acc_delta_[k].data();
    for (int64_t i = 0; i < p->value.size(); ++i) {
      const float g = decay > 0 ? grad[i] + decay * w[i] : grad[i];
      sq[i] = rho * sq[i] + (1 - rho) * g * g;
      const float delta = std::sqrt(acc[i] + eps) / std::sqrt(sq[i] + eps) * g;
      acc[i] = rho * acc[i] + (1 - rho) * delta * delta;
      w[i] -= lr * delta;
    }
    p->MarkUpdated();
  }
}

void AdaDelta::Save(ModelFile* file) const {
  Tensor step({1});
  step[0] = static_cast<float>(step_);
  file->tensors["adadelta.step"] = step;
  for (size_t k = 0; k < params_.size(); ++k) {
    file->tensors["adadelta.square_avg." + params_[k]->name] = square_avg_[k];
    file->tensors["adadelta.acc_delta." + params_[k]->name] = acc_delta_[k];
  }
}

void AdaDelta::Load(const ModelFile& file, const std::string& path) {
  step_ = static_cast<int64_t>(file.Get("adadelta.step", path)[0]);
  for (size_t k = 0; k < params_.size(); ++k) {
    for (auto [prefix, dst] : {std::pair{"adadelta.square_avg.", &square_avg_[k]},
                               std::pair{"adadelta.acc_delta.", &acc_delta_[k]}}) {
      const Tensor& t = file.Get(prefix + params_[k]->name, path);
      ATTEND_CHECK(t.shape() == dst->shape(), prefix, params_[k]->name, " in ", path, ": shape ",
                   ShapeToString(t.shape()), ", expected ", ShapeToString(dst->shape()));
      *dst = t;
    }
  }
}

}  // namespace attend::nn
