#include "api/decode_flags.h"

#include <filesystem>
#include <sstream>
#include <vector>

#include <boost/program_options.hpp>

#include "base/config_file.h"
#include "base/error.h"

namespace attend {

namespace po = boost::program_options;

namespace {

// Space-separated numbers; "none" or "" is no calibration.
std::vector<float> ParseWeights(const std::string& text) {
  std::vector<float> weights;
  if (text == "none") return weights;
  std::istringstream in(text);
  std::string word;
  while (in >> word) {
    size_t used = 0;
    float w = 0;
    try {
      w = std::stof(word, &used);
    } catch (const std::exception&) {
    }
    ATTEND_CHECK(used == word.size(), "--confidence-weights: '", word, "' is not a number");
    weights.push_back(w);
  }
  return weights;
}

}  // namespace

void RegisterDecodeFlags(DecodeOptions* o, po::options_description* desc) {
  desc->add_options()("beam", po::value(&o->beam)->default_value(o->beam),
                      "hypotheses kept (1 = greedy)")(
      "nbest", po::value(&o->nbest)->default_value(o->nbest), "alternatives per segment (<= beam)")(
      "ctc-weight", po::value(&o->ctc_weight)->default_value(o->ctc_weight),
      "joint CTC/attention weight in [0, 1]; < 0: the weight the model was trained with")(
      "lm", po::value(&o->lm_path), "ARPA n-gram LM over the model's tokens (attend train-lm)")(
      "lm-weight", po::value(&o->lm_weight)->default_value(o->lm_weight),
      "LM shallow-fusion weight")(
      "word-lm", po::value(&o->word_lm_path),
      "ARPA word n-gram LM (attend train-lm --words); its words are the lexicon")(
      "word-lm-weight", po::value(&o->word_lm_weight)->default_value(o->word_lm_weight),
      "word LM shallow-fusion weight")(
      "oov-penalty", po::value(&o->oov_penalty)->default_value(o->oov_penalty),
      "word LM: a word off the lexicon costs P(<unk>) times this, in (0, 1]")(
      "length-penalty", po::value(&o->length_penalty)->default_value(o->length_penalty),
      "score added per output token (> 0 favours longer output)")(
      // A switch, but its default is the field's: options read onto defaults
      // that normalize must keep normalizing.
      "length-normalization",
      po::bool_switch(&o->length_normalization)->default_value(o->length_normalization),
      "rank hypotheses by score per token")(
      "max-len-ratio", po::value(&o->max_len_ratio)->default_value(o->max_len_ratio),
      "max output tokens per encoder frame (0 = one per frame)")(
      "min-len-ratio", po::value(&o->min_len_ratio)->default_value(o->min_len_ratio),
      "min output tokens per encoder frame")("threads",
                                             po::value(&o->threads)->default_value(o->threads),
                                             "oneDNN threads per decoder (0 = all cores)")(
      "vtln-warp", po::value(&o->vtln_warp)->default_value(o->vtln_warp),
      "VTLN warp factor applied to the model's filterbank (1 = none)");
  desc->add_options()(
      "confidence-weights", po::value<std::string>()->notifier([o](const std::string& text) {
        o->confidence_weights = ParseWeights(text);
      }),
      "word confidence calibration: logistic weights, bias first, over the word features "
      "(decoder/word_confidence.h); 'none': the lowest token confidence, uncalibrated")(
      "confidence-nbest-scale",
      po::value(&o->confidence_nbest_scale)->default_value(o->confidence_nbest_scale),
      "word confidence: n-best posteriors are a softmax of this times the scores");
  o->endpoint.Register(desc);
}

std::string DecodeConfPath(const std::string& model_path) {
  return std::filesystem::path(model_path).replace_extension(".decode.conf").string();
}

DecodeOptions ModelDecodeOptions(const std::string& model_path, const DecodeOptions& defaults) {
  DecodeOptions options = defaults;
  const std::string path = DecodeConfPath(model_path);
  if (!std::filesystem::exists(path)) return options;
  po::options_description desc;
  RegisterDecodeFlags(&options, &desc);
  po::variables_map vm;
  StoreConfigFile(path, desc, &vm, kDecodeConfPathOptions);
  po::notify(vm);  // no option is required, so nothing to fail here
  return options;
}

}  // namespace attend
