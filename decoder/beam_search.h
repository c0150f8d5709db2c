// Batched beam search over a StepDecoder, with joint CTC/attention scoring
// (Watanabe et al. 2017) and n-gram shallow fusion. All live hypotheses of all
// utterances advance in one decoder step; the decoder batch stays at N·beam
// rows and finished or unused rows are masked (STYLE 12).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "decoder/hypothesis.h"
#include "decoder/language_model.h"
#include "decoder/step_decoder.h"
#include "nn/tensor.h"

namespace attend::decoder {

struct BeamSearchOptions {
  int beam = 8;                 // hypotheses kept per utterance; 1 = greedy
  int nbest = 1;                // hypotheses returned per utterance (<= beam)
  float ctc_weight = 0.3f;      // λ of the joint score; 0 = attention only, needs CTC when > 0
  float lm_weight = 0.0f;       // weight of the language model's ln P; 0 = no LM
  float length_penalty = 0.0f;  // added per output token (incl. <eos>); > 0 favours longer output
  bool length_normalization = false;  // rank by score / (tokens + 1)
  float max_len_ratio = 0.0f;         // max tokens = ratio · encoder frames; 0 = encoder frames
  float min_len_ratio = 0.0f;         // min tokens = ratio · encoder frames
  float pre_beam_ratio = 1.5f;        // CTC/LM score the best ratio·beam attention candidates
  bool keep_attention = true;         // return each hypothesis's attention matrix
  bool keep_head_attention = false;   // with keep_attention: also each head's (multi-head)

  // Registers --beam, --nbest, --ctc-weight, --lm-weight, --length-penalty,
  // --length-normalization, --max-len-ratio, --min-len-ratio, --pre-beam-ratio.
  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag and the bad value.
  void Validate() const;
  std::string ToString() const;
};

class BeamSearch {
 public:
  // The decoder and LM (may be null) must outlive the search; both are only
  // read, so searches on several threads may share them. The search owns
  // the decoder's state (StepDecoder::NewState()). blank_id is the CTC blank,
  // never emitted by search.
  BeamSearch(const BeamSearchOptions& options, const StepDecoder* decoder,
             const LanguageModel* lm = nullptr, int blank_id = 0);
  ~BeamSearch();

  // Decodes a batch. encoder_out: [T', N, D] tnc; lengths: N valid frame
  // counts; ctc_log_probs: [T', N, V] tnc CTC log-posteriors, or null (then
  // ctc_weight must be 0). Returns, per utterance, up to nbest hypotheses
  // sorted best first, with distinct token sequences. The per-utterance
  // buffers (CTC states, traceback, attention rows: megabytes for 30 s) are
  // kept for the next call, which then touches no fresh memory; so one search
  // object serves one thread at a time.
  std::vector<std::vector<Hypothesis>> Search(const nn::Tensor& encoder_out,
                                              const std::vector<int64_t>& lengths,
                                              const nn::Tensor* ctc_log_probs);

 private:
  BeamSearchOptions options_;
  const StepDecoder* decoder_;
  const LanguageModel* lm_;
  int blank_id_;
  struct Workspace;  // the per-utterance buffers (beam_search.cc)
  std::unique_ptr<Workspace> workspace_;
};

}  // namespace attend::decoder
