#include "bench/common/wav_writer.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace attend::bench {

void WriteWav16k(const std::string& path, const std::vector<float>& int16_scale) {
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (f == nullptr) {
    std::fprintf(stderr, "bench: cannot write %s\n", path.c_str());
    std::exit(1);
  }
  std::vector<short> pcm(int16_scale.size());
  for (size_t i = 0; i < pcm.size(); ++i)
    pcm[i] = static_cast<short>(std::clamp(std::lrint(int16_scale[i]), -32768L, 32767L));
  sf_write_short(f, pcm.data(), static_cast<sf_count_t>(pcm.size()));
  sf_close(f);
}

}  // namespace attend::bench
