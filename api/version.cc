#include "attend/version.h"

namespace attend {

const char* Version() { return ATTEND_VERSION_STRING; }

}  // namespace attend
