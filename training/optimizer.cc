#include "training/optimizer.h"

#include <set>

#include <boost/program_options.hpp>

#include "base/error.h"

namespace attend::training {

namespace po = boost::program_options;

namespace {

// Adds the options of `from` except `skip` (the schedule's --lr rules).
void AddExcept(po::options_description* to, const po::options_description& from,
               const std::string& skip) {
  for (const auto& option : from.options()) {
    if (option->long_name() != skip) to->add(option);
  }
}

}  // namespace

void OptimizerOptions::Register(po::options_description* desc) {
  desc->add_options()("optimizer", po::value(&type)->default_value(type),
                      "adam | adadelta (AdaDelta: use --lr 1 with a constant or plateau "
                      "schedule, as ESPnet)");
  po::options_description adam_desc, adadelta_desc;
  adam.Register(&adam_desc);
  adadelta.Register(&adadelta_desc);
  AddExcept(desc, adam_desc, "adam-learning-rate");
  AddExcept(desc, adadelta_desc, "adadelta-learning-rate");
}

void OptimizerOptions::Validate() const {
  ATTEND_CHECK(type == "adam" || type == "adadelta", "--optimizer must be adam or adadelta, got '",
               type, "'");
  adam.Validate();
  adadelta.Validate();
}

Optimizer::Optimizer(std::vector<nn::Parameter*> params, const OptimizerOptions& options)
    : options_(options) {
  options_.Validate();
  if (options_.type == "adam") {
    adam_ = std::make_unique<nn::Adam>(std::move(params), options_.adam);
  } else {
    adadelta_ = std::make_unique<nn::AdaDelta>(std::move(params), options_.adadelta);
  }
}

void Optimizer::Step(float learning_rate) {
  if (adam_) {
    adam_->set_learning_rate(learning_rate);
    adam_->Step();
  } else {
    adadelta_->set_learning_rate(learning_rate);
    adadelta_->Step();
  }
}

int64_t Optimizer::step_count() const {
  return adam_ ? adam_->step_count() : adadelta_->step_count();
}

void Optimizer::Save(nn::ModelFile* file) const {
  if (adam_) {
    adam_->Save(file);
  } else {
    adadelta_->Save(file);
  }
}

void Optimizer::Load(const nn::ModelFile& file, const std::string& path) {
  const std::string mine = options_.type + ".step";
  if (!file.tensors.count(mine)) {
    const std::string other = options_.type == "adam" ? "adadelta" : "adam";
    ATTEND_CHECK(!file.tensors.count(other + ".step"), "'", path, "' holds ", other,
                 " optimizer state, but --optimizer is ", options_.type);
    throw Error("'" + path + "' holds no optimizer state (no tensor " + mine + ")");
  }
  if (adam_) {
    adam_->Load(file, path);
  } else {
    adadelta_->Load(file, path);
  }
}

}  // namespace attend::training
