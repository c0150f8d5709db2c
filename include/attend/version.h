// attend's version, for applications that embed the library.
#pragma once

namespace attend {

// "MAJOR.MINOR.PATCH" of the library the application is running against.
const char* Version();

}  // namespace attend
