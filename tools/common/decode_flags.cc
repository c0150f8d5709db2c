#include "tools/common/decode_flags.h"

#include <filesystem>

#include <boost/program_options.hpp>

#include "tools/common/cli.h"

namespace attend::tools {

namespace po = boost::program_options;

void RegisterDecodeFlags(DecodeOptions* o, po::options_description* desc) {
  desc->add_options()("beam", po::value(&o->beam)->default_value(o->beam),
                      "hypotheses kept (1 = greedy)")(
      "nbest", po::value(&o->nbest)->default_value(o->nbest), "alternatives per segment (<= beam)")(
      "ctc-weight", po::value(&o->ctc_weight)->default_value(o->ctc_weight),
      "joint CTC/attention weight in [0, 1]; < 0: the weight the model was trained with")(
      "lm", po::value(&o->lm_path), "ARPA n-gram LM over the model's tokens (attend train-lm)")(
      "lm-weight", po::value(&o->lm_weight)->default_value(o->lm_weight),
      "LM shallow-fusion weight")("length-penalty",
                                  po::value(&o->length_penalty)->default_value(o->length_penalty),
                                  "score added per output token (> 0 favours longer output)")(
      "length-normalization", po::bool_switch(&o->length_normalization),
      "rank hypotheses by score per token")(
      "max-len-ratio", po::value(&o->max_len_ratio)->default_value(o->max_len_ratio),
      "max output tokens per encoder frame (0 = one per frame)")(
      "min-len-ratio", po::value(&o->min_len_ratio)->default_value(o->min_len_ratio),
      "min output tokens per encoder frame")(
      "max-segment", po::value(&o->max_segment_seconds)->default_value(o->max_segment_seconds),
      "seconds; longer audio is cut at quiet points and decoded in segments")(
      "threads", po::value(&o->threads)->default_value(o->threads),
      "oneDNN threads per decoder (0 = all cores)");
}

std::string ReadModelDecodeDefaults(const std::string& model_path,
                                    const po::options_description& decode_flags,
                                    po::variables_map* vm) {
  const std::string path =
      std::filesystem::path(model_path).replace_extension(".decode.conf").string();
  if (!std::filesystem::exists(path)) return "";
  StoreConfigFile(path, decode_flags, vm);
  try {
    po::notify(*vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (" + path + ")");
  }
  return path;
}

}  // namespace attend::tools
