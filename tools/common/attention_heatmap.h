// The attention heatmap: which audio each output token came from. One row per
// output token (labelled, the final row is <eos>), one column per encoder
// frame, time in seconds along the bottom; brighter = more attention.
#pragma once

#include <string>

#include "attend/recognizer.h"
#include "tools/common/png_image.h"

namespace attend::tools {

// Draws `alternative`'s attention matrix (it must have one) for a segment
// starting at `segment_start` seconds whose frames are `seconds_per_frame`
// apart; `title` goes on top (the utterance key).
PngImage DrawAttentionHeatmap(const Alternative& alternative, double segment_start,
                              double seconds_per_frame, const std::string& title);

}  // namespace attend::tools
