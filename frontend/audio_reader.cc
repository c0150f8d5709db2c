#include "frontend/audio_reader.h"

#include <sndfile.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>

#include "base/error.h"
#include "base/warning.h"

namespace attend::frontend {

namespace po = boost::program_options;

namespace {

constexpr int64_t kBlockFrames = kAudioBlockFrames;
constexpr int32_t kMinRateHz = 1000;
constexpr int32_t kMaxRateHz = 768000;

// libsndfile's format code for a --raw-format name (0 when unknown).
int RawFormat(const std::string& name) {
  static const std::map<std::string, int> formats = {
      {"s8", SF_FORMAT_PCM_S8},
      {"u8", SF_FORMAT_PCM_U8},
      {"s16le", SF_FORMAT_PCM_16 | SF_ENDIAN_LITTLE},
      {"s16be", SF_FORMAT_PCM_16 | SF_ENDIAN_BIG},
      {"s24le", SF_FORMAT_PCM_24 | SF_ENDIAN_LITTLE},
      {"s32le", SF_FORMAT_PCM_32 | SF_ENDIAN_LITTLE},
      {"f32le", SF_FORMAT_FLOAT | SF_ENDIAN_LITTLE},
      {"f64le", SF_FORMAT_DOUBLE | SF_ENDIAN_LITTLE},
      {"ulaw", SF_FORMAT_ULAW},
      {"alaw", SF_FORMAT_ALAW},
  };
  auto it = formats.find(name);
  return it == formats.end() ? 0 : it->second;
}

// Float samples beyond this magnitude (full scale is 1) are clipped to it, with
// a warning. Mixes and gains can leave floats somewhat above 1, and fbank copes
// with any finite level; but no recording reaches 60 dB above full scale: such
// values are garbage or a wrong scale, and squared in the fbank they overflow.
constexpr float kMaxFloatSample = 1000.0f;

// What libsndfile's log says about a WAV header (-1 or 0: not logged).
// libsndfile itself reads what is there and fixes its frame count.
struct HeaderLog {
  int64_t data_declared = -1;  // "data : 32000 (should be 15978)": bytes
  int64_t data_actual = -1;    //   the header declares and the file holds
  int64_t riff_declared = -1;  // "RIFF : 32036 (should be 16015)": bytes
  int64_t riff_actual = -1;    //   after the RIFF length field
  bool riff_zero = false;      // "RIFF : 0"
  int bit_width = 0;           // "Bit Width : 12"
  int valid_bits = 0;          // "Valid Bits : 7" (WAVE_FORMAT_EXTENSIBLE)
  int block_align = 0;         // "Block Align : 2": bytes per frame
};

HeaderLog ParseHeaderLog(SNDFILE* file) {
  char text[8192] = {0};
  sf_command(file, SFC_GET_LOG_INFO, text, sizeof(text) - 1);
  std::istringstream lines(text);
  HeaderLog log;
  std::string line;
  while (std::getline(lines, line)) {
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    const char* l = line.c_str() + start;
    long long declared = 0, actual = 0;
    if (std::sscanf(l, "data : %lld (should be %lld)", &declared, &actual) == 2) {
      log.data_declared = declared;
      log.data_actual = actual;
    }
    if (std::sscanf(l, "RIFF : %lld (should be %lld)", &declared, &actual) == 2) {
      log.riff_declared = declared;
      log.riff_actual = actual;
    }
    if (std::strcmp(l, "RIFF : 0") == 0) log.riff_zero = true;
    std::sscanf(l, "Bit Width : %d", &log.bit_width);
    std::sscanf(l, "Valid Bits : %d", &log.valid_bits);
    std::sscanf(l, "Block Align : %d", &log.block_align);
  }
  return log;
}

}  // namespace

void AudioOptions::Register(po::options_description* desc) {
  desc->add_options()("channel", po::value(&channel)->default_value(channel),
                      "channel to use (0-based); -1 mixes all channels down")(
      "raw-rate", po::value(&raw_rate)->default_value(raw_rate),
      "sample rate (Hz) of headerless raw PCM input; 0 = input has a header")(
      "raw-format", po::value(&raw_format)->default_value(raw_format),
      "sample format of raw input: s8|u8|s16le|s16be|s24le|s32le|f32le|f64le|ulaw|alaw")(
      "raw-channels", po::value(&raw_channels)->default_value(raw_channels),
      "channels of raw input");
}

void AudioOptions::Validate() const {
  ATTEND_CHECK(target_rate_hz > 0 && std::isfinite(target_rate_hz),
               "--sample-frequency must be positive, got ", target_rate_hz);
  ATTEND_CHECK(channel >= -1, "--channel must be -1 (mix down) or a channel index, got ", channel);
  ATTEND_CHECK(raw_rate == 0 || (raw_rate >= kMinRateHz && raw_rate <= kMaxRateHz),
               "--raw-rate must be 0 or in [", kMinRateHz, ", ", kMaxRateHz, "] Hz, got ",
               raw_rate);
  ATTEND_CHECK(RawFormat(raw_format) != 0, "--raw-format '", raw_format,
               "' is not one of s8, u8, s16le, s16be, s24le, s32le, f32le, f64le, ulaw, alaw");
  ATTEND_CHECK(raw_channels >= 1 && raw_channels <= 1024,
               "--raw-channels must be in [1, 1024], got ", raw_channels);
}

std::string AudioOptions::ToString() const {
  std::ostringstream out;
  out << "target-rate=" << target_rate_hz << " channel=" << channel << " raw-rate=" << raw_rate
      << " raw-format=" << raw_format << " raw-channels=" << raw_channels;
  return out.str();
}

void AudioReader::Fail(const std::string& what) const { throw Error(what + " (" + source_ + ")"); }

void AudioReader::Warn(const std::string& what) const { attend::Warn(what, " (", source_, ")"); }

void AudioReader::CheckHeader(void* sndfile, int64_t frames, bool pcm) const {
  const HeaderLog log = ParseHeaderLog(static_cast<SNDFILE*>(sndfile));
  if (log.data_declared > log.data_actual) {
    // sox and Kaldi read what a cut file holds and warn; so does attend.
    // Streaming writers leave a placeholder length (about 2^31 or 2^32) in a
    // header they cannot seek back to: such a file also warns, as in sox.
    const int64_t declared = log.data_declared / std::max(log.block_align, 1);
    if (frames == 0)
      Fail("no audio data, the header declares " + std::to_string(declared) + " frames");
    Warn("file shorter than its header says (" + std::to_string(frames) + " of " +
         std::to_string(declared) + " frames)");
  } else if (log.riff_zero) {
    Warn("RIFF length 0 in the header (a writer that did not finish the file?)");
  } else if (log.riff_declared > log.riff_actual) {
    // The audio is whole, but whatever followed it was cut off.
    Warn("file shorter than its RIFF header says (" + std::to_string(log.riff_actual) + " of " +
         std::to_string(log.riff_declared) + " bytes)");
  }
  // Compressed formats in WAV (IMA ADPCM: 4 bits) have depths of their own.
  if (!pcm) return;
  if (log.valid_bits > 0 && log.valid_bits < log.bit_width) {
    Warn(std::to_string(log.valid_bits) + "-bit samples, read as " + std::to_string(log.bit_width) +
         "-bit");
  } else if (log.bit_width % 8 != 0) {
    Warn(std::to_string(log.bit_width) + "-bit samples, read as " +
         std::to_string((log.bit_width + 7) / 8 * 8) + "-bit");
  }
}

AudioReader::AudioReader(const std::string& source, const AudioOptions& opts)
    : opts_(opts), source_(source) {
  opts_.Validate();
  SF_INFO info;
  std::memset(&info, 0, sizeof(info));
  if (opts_.raw_rate > 0) {
    info.format = SF_FORMAT_RAW | RawFormat(opts_.raw_format);
    info.samplerate = opts_.raw_rate;
    info.channels = opts_.raw_channels;
  }
  // A pipe: everything before the final '|' is a shell command.
  size_t last = source.find_last_not_of(" \t");
  const bool is_pipe = last != std::string::npos && source[last] == '|';
  SNDFILE* file = nullptr;
  if (is_pipe) {
    const std::string command = source.substr(0, last);
    std::fflush(nullptr);
    pipe_ = popen(command.c_str(), "r");
    if (pipe_ == nullptr) Fail(std::string("cannot run command: ") + std::strerror(errno));
    file = sf_open_fd(fileno(pipe_), SFM_READ, &info, 0);
  } else if (source == "-") {
    file = sf_open_fd(0, SFM_READ, &info, 0);
  } else {
    std::error_code ec;
    const auto size = std::filesystem::file_size(source, ec);
    if (ec) Fail("cannot open audio: " + ec.message());
    if (size == 0) Fail("empty file, not audio");
    file = sf_open(source.c_str(), SFM_READ, &info);
  }
  if (file == nullptr) {
    std::string why = sf_strerror(nullptr);
    while (!why.empty() && (why.back() == '.' || why.back() == ' ')) why.pop_back();
    if (pipe_ != nullptr) {
      int status = pclose(pipe_);
      pipe_ = nullptr;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        Fail("command failed (exit status " +
             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
             ") or gave no audio: " + why);
      }
    }
    Fail("cannot read audio: " + why);
  }
  sndfile_ = file;
  // A throwing constructor runs no destructor: close what is open before
  // the error leaves, or the file (and a pipe's child) would leak.
  try {
    input_rate_ = info.samplerate;
    input_channels_ = info.channels;
    if (input_channels_ < 1) Fail("audio has 0 channels");
    if (input_rate_ < kMinRateHz || input_rate_ > kMaxRateHz) {
      Fail("unsupported sample rate " + std::to_string(input_rate_) + " Hz (supported: " +
           std::to_string(kMinRateHz) + " to " + std::to_string(kMaxRateHz) + " Hz)");
    }
    if (opts_.channel >= input_channels_) {
      Fail("--channel " + std::to_string(opts_.channel) + " asked, but the audio has " +
           std::to_string(input_channels_) + " channel(s)");
    }
    const int subtype = info.format & SF_FORMAT_SUBMASK;
    is_float_ = subtype == SF_FORMAT_FLOAT || subtype == SF_FORMAT_DOUBLE;
    const bool seekable = info.seekable != 0 && pipe_ == nullptr && source != "-";
    // libsndfile gives SF_COUNT_MAX when it cannot tell (an OGG cut short).
    input_frames_ = seekable && info.frames != SF_COUNT_MAX ? info.frames : -1;
    const bool pcm = subtype == SF_FORMAT_PCM_S8 || subtype == SF_FORMAT_PCM_U8 ||
                     subtype == SF_FORMAT_PCM_16 || subtype == SF_FORMAT_PCM_24 ||
                     subtype == SF_FORMAT_PCM_32;
    if (seekable) CheckHeader(file, info.frames, pcm);
    if (static_cast<float>(input_rate_) != opts_.target_rate_hz) {
      resampler_ = std::make_unique<Resampler>(input_rate_, opts_.target_rate_hz);
    }
  } catch (...) {
    try {
      Close();
    } catch (...) {
    }
    throw;
  }
  interleaved_.resize(static_cast<size_t>(kBlockFrames * input_channels_));
  mono_.resize(kBlockFrames);
}

AudioReader::~AudioReader() {
  try {
    Close();
  } catch (...) {
  }
}

void AudioReader::Close() {
  if (sndfile_ != nullptr) sf_close(static_cast<SNDFILE*>(sndfile_));
  sndfile_ = nullptr;
  if (pipe_ != nullptr) {
    int status = pclose(pipe_);
    pipe_ = nullptr;
    if (!at_end_) return;  // closed early: the writer's SIGPIPE is expected
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      Fail("command failed (exit status " +
           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
    }
  }
}

bool AudioReader::Read(std::vector<float>* chunk) {
  chunk->clear();
  while (chunk->empty()) {
    if (sndfile_ == nullptr) return false;
    auto* file = static_cast<SNDFILE*>(sndfile_);
    const sf_count_t got = sf_readf_float(file, interleaved_.data(), kBlockFrames);
    if (got < 0 || sf_error(file) != SF_ERR_NO_ERROR) {
      Fail(std::string("error reading audio: ") + sf_strerror(file));
    }
    if (got == 0) {
      at_end_ = true;
      // Damaged OGG pages can leave libsndfile nothing to decode, without an
      // error: an empty transcript should not pass unremarked.
      if (input_frames_ >= 0 && frames_read_ < input_frames_) {
        Warn("file shorter than its header says (" + std::to_string(frames_read_) + " of " +
             std::to_string(input_frames_) + " frames)");
      } else if (frames_read_ == 0) {
        Warn("no audio samples in the file");
      }
      Close();
      if (resampler_) resampler_->Flush(chunk);
      return !chunk->empty();
    }
    const int32_t channels = input_channels_;
    if (is_float_) CheckFloatSamples(got * channels);
    const float* in = interleaved_.data();
    float* mono = mono_.data();
    if (opts_.channel >= 0) {
      for (sf_count_t i = 0; i < got; ++i) mono[i] = in[i * channels + opts_.channel] * 32768.0f;
    } else if (channels == 1) {
      for (sf_count_t i = 0; i < got; ++i) mono[i] = in[i] * 32768.0f;
    } else {
      const float scale = 32768.0f / static_cast<float>(channels);
      for (sf_count_t i = 0; i < got; ++i) {
        float sum = 0.0f;
        for (int32_t c = 0; c < channels; ++c) sum += in[i * channels + c];
        mono[i] = sum * scale;
      }
    }
    frames_read_ += got;
    if (resampler_) {
      resampler_->Process(std::span<const float>(mono, static_cast<size_t>(got)), chunk);
    } else {
      chunk->assign(mono, mono + got);
    }
  }
  return true;
}

void AudioReader::CheckFloatSamples(int64_t count) {
  float* in = interleaved_.data();
  for (int64_t i = 0; i < count; ++i) {
    // An error, not zeroed: no level can stand in for a NaN or Inf, and
    // zeroing would hide a broken writer behind a changed transcript.
    if (!std::isfinite(in[i])) {
      Fail("audio contains NaN or Inf samples (frame " +
           std::to_string(frames_read_ + i / input_channels_) + ")");
    }
    if (std::fabs(in[i]) > kMaxFloatSample) {
      if (!clipped_) {
        Warn("samples out of range, clipped to +-" +
             std::to_string(static_cast<int>(kMaxFloatSample)) +
             " times full scale (first at frame " +
             std::to_string(frames_read_ + i / input_channels_) + ")");
      }
      clipped_ = true;
      in[i] = std::copysign(kMaxFloatSample, in[i]);
    }
  }
}

double AudioReader::ReserveSeconds() const {
  if (input_frames_ <= 0) return 0.0;
  return std::min(static_cast<double>(input_frames_) / input_rate_, kMaxReserveSeconds);
}

std::vector<float> AudioReader::ReadAll() {
  std::vector<float> all, chunk;
  all.reserve(static_cast<size_t>(ReserveSeconds() * opts_.target_rate_hz) + 1024);
  while (Read(&chunk)) all.insert(all.end(), chunk.begin(), chunk.end());
  return all;
}

std::vector<float> ReadAudio(const std::string& source, const AudioOptions& opts) {
  AudioReader reader(source, opts);
  return reader.ReadAll();
}

}  // namespace attend::frontend
