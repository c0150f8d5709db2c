// What every stream of one recognizer shares, read only after construction:
// the model, the language models, the validated search options and the
// decode options. Held by std::shared_ptr<const DecodingSetup>: recognizers
// cloned from one another and their streams share one setup, so a thread's
// memory is only its own decode state.
#pragma once

#include <memory>
#include <optional>

#include "attend/model.h"
#include "attend/recognizer.h"
#include "decoder/beam_search.h"
#include "decoder/lm_sum.h"
#include "decoder/ngram_lm.h"
#include "decoder/word_confidence.h"
#include "decoder/word_lm.h"
#include "model/asr_model.h"

namespace attend {

struct DecodingSetup {
  // Loads the options' language models and validates the options; throws
  // attend::Error naming the flag.
  DecodingSetup(std::shared_ptr<const Model> model, const DecodeOptions& options);
  DecodingSetup(const DecodingSetup&) = delete;
  DecodingSetup& operator=(const DecodingSetup&) = delete;

  std::shared_ptr<const Model> model;
  const model::AsrModel& network;  // model's
  DecodeOptions options;
  std::optional<decoder::NgramLm> lm;
  std::optional<decoder::WordLm> word_lm;
  std::optional<decoder::LmSum> lm_sum;
  const decoder::LanguageModel* fused_lm = nullptr;  // what search fuses, if any
  decoder::BeamSearchOptions search_options;
  decoder::ConfidenceCalibration calibration;
  // Word confidences need the whole final beam (n-best posteriors) and the
  // attention (its agreement with CTC): search returns beam hypotheses and
  // keeps attention, the stream returns options.nbest.
  bool word_features = false;
};

}  // namespace attend
