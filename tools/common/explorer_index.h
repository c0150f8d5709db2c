// The index of the attention explorer's pages (DIR/index.html of `attend
// transcribe --format html --output-dir DIR`): one line per utterance linking
// its page, with its transcript and, when references were given, its word
// errors, worst first.
#pragma once

#include <string>
#include <vector>

#include "tools/common/explorer_page.h"

namespace attend::tools {

// The index page over `pages` (in input order; sorted by errors, most first,
// when any was scored). Self-contained HTML, no script.
std::string RenderExplorerIndex(std::vector<ExplorerSummary> pages);

}  // namespace attend::tools
