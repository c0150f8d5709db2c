#include "api/decoding_setup.h"

#include <cmath>

#include "base/error.h"

namespace attend {

DecodingSetup::DecodingSetup(std::shared_ptr<const Model> model_in, const DecodeOptions& options_in)
    : model(std::move(model_in)), network(model->network()), options(options_in) {
  search_options.beam = options.beam;
  search_options.nbest = options.nbest;
  search_options.ctc_weight =
      options.ctc_weight < 0 ? network.config().ctc_weight : options.ctc_weight;
  search_options.lm_weight = options.lm_weight;
  search_options.length_penalty = options.length_penalty;
  search_options.length_normalization = options.length_normalization;
  search_options.max_len_ratio = options.max_len_ratio;
  search_options.min_len_ratio = options.min_len_ratio;
  search_options.keep_attention = options.keep_attention;
  search_options.keep_head_attention = options.keep_head_attention;
  search_options.Validate();
  calibration.weights = options.confidence_weights;
  calibration.nbest_scale = options.confidence_nbest_scale;
  calibration.Validate();
  word_features = calibration.enabled() || options.keep_confidence_features;
  if (word_features) {
    search_options.nbest = options.beam;
    search_options.keep_attention = true;
  }
  options.endpoint.Validate();
  ATTEND_CHECK(
      options.partial_interval_seconds > 0 && std::isfinite(options.partial_interval_seconds),
      "--partial-interval must be > 0 seconds, got ", options.partial_interval_seconds);
  const std::vector<std::string> tokens = model->Tokens();
  if (!options.lm_path.empty()) lm.emplace(options.lm_path, tokens);
  ATTEND_CHECK(options.lm_weight == 0 || lm, "--lm-weight is ", options.lm_weight,
               " but no --lm was given");
  ATTEND_CHECK(options.word_lm_weight >= 0 && std::isfinite(options.word_lm_weight),
               "--word-lm-weight must be >= 0, got ", options.word_lm_weight);
  if (!options.word_lm_path.empty())
    word_lm.emplace(decoder::NgramLm(options.word_lm_path, {}), tokens, options.oov_penalty);
  ATTEND_CHECK(options.word_lm_weight == 0 || word_lm, "--word-lm-weight is ",
               options.word_lm_weight, " but no --word-lm was given");
  // Search fuses one model with one weight: either LM, or both as a sum.
  fused_lm = lm ? &*lm : nullptr;
  if (options.word_lm_weight > 0) {
    if (options.lm_weight > 0) {
      lm_sum.emplace(&*lm, options.lm_weight, &*word_lm, options.word_lm_weight);
      fused_lm = &*lm_sum;
      search_options.lm_weight = 1;
    } else {
      fused_lm = &*word_lm;
      search_options.lm_weight = options.word_lm_weight;
    }
  }
}

}  // namespace attend
