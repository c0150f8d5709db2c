// When an utterance ends: the endpoint rules, in the shape Kaldi's online2
// and sherpa-onnx use (rule 1: silence with nothing decoded; rule 2: silence
// after speech; rule 3: the maximum utterance length). Their signals are the
// recording's loudness (pauses relative to its own noise floor and speech
// level) and, where loudness finds none, the CTC head: a stretch in which
// greedy CTC writes no letter is a pause the model hears.
#pragma once

#include <string>

namespace boost::program_options {
class options_description;
}

namespace attend {

struct EndpointOptions {
  // Rule 1: a pause by loudness this long (s) with nothing before it in the
  // utterance stands alone and is dropped, not decoded; 0 = off.
  double min_leading_pause_seconds = 0.5;
  // Rule 2: a pause by loudness this long (s) after speech ends the
  // utterance; 0 = off (and so are the model's pauses below).
  double min_pause_seconds = 0.5;
  // Rule 3: an utterance ends by this length (s) at the latest. The bundled
  // model learned sentences of 12 s at most, and longer segments of several
  // sentences decode far worse (recipes/synth_en/RESULTS.md, long audio).
  double max_utterance_seconds = 10.0;
  // Where loudness finds no pause (noise as loud as the pauses, talk without
  // a break): a letterless stretch of CTC output this fraction of
  // min_pause_seconds long is a pause. It spans the silence and the blanks
  // at the edges of the words around it, hence shorter than min_pause.
  double model_pause_fraction = 0.6;
  // Of a pause that ends an utterance, this much (s) stays with the speech on
  // each side (at most about half the shorter pause rule).
  double pause_keep_seconds = 0.2;
  // Rule 3 without any pause: the cut is looked for in the last this many
  // seconds before the maximum length (the middle of the longest letterless
  // stretch, else the quietest frame).
  double cut_search_seconds = 5.0;

  // --min-leading-pause, --min-pause, --max-segment, --model-pause-fraction,
  // --pause-keep, --cut-search, bound to the fields with their current values
  // as defaults.
  void Register(boost::program_options::options_description* desc);
  // Throws std::runtime_error (attend::Error) naming the flag and the value.
  void Validate() const;
  std::string ToString() const;
};

}  // namespace attend
