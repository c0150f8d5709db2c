#include "nn/model_file.h"

#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <vector>

#include "base/atomic_file.h"
#include "base/crc32.h"
#include "base/error.h"
#include "nn/bf16.h"

namespace attend::nn {
namespace {

constexpr char kMagic[8] = {'A', 'T', 'T', 'N', 'D', 'M', 'D', 'L'};
constexpr char kTrailer[8] = {'E', 'N', 'D', 'A', 'T', 'T', 'N', 'D'};
constexpr uint8_t kDtypeFloat32 = 0;
constexpr uint8_t kDtypeBfloat16 = 1;
constexpr uint32_t kMaxRank = 8;

static_assert(std::endian::native == std::endian::little,
              "the model file format is little-endian; add byte swapping for this host");

template <typename T>
void Put(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

// Reads from an in-memory file image; every read is bounds-checked.
class Reader {
 public:
  Reader(const std::string& bytes, const std::string& source) : bytes_(bytes), source_(source) {}

  template <typename T>
  T Get(const char* what) {
    Need(sizeof(T), what);
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string GetBytes(uint64_t n, const char* what) {
    Need(n, what);
    std::string s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  const char* Here() const { return bytes_.data() + pos_; }
  void Skip(uint64_t n, const char* what) {
    Need(n, what);
    pos_ += n;
  }
  size_t pos() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  [[noreturn]] void Corrupt(const std::string& what) const {
    Fail("corrupt model file: ", what, " at byte ", pos_, " (", source_, ")");
  }

 private:
  void Need(uint64_t n, const char* what) const {
    if (n > remaining())
      Fail("truncated model file: ", what, " needs ", n, " bytes at byte ", pos_, ", ", remaining(),
           " remain (", source_, ")");
  }
  const std::string& bytes_;
  const std::string& source_;
  size_t pos_ = 0;
};

// A name as it may appear in a message: a corrupted one can hold any byte.
std::string Printable(const std::string& name) {
  std::string out;
  for (unsigned char c : name.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? char(c) : '?';
  return name.size() > 64 ? out + "..." : out;
}

}  // namespace

const Tensor& ModelFile::Get(const std::string& name, const std::string& file) const {
  auto it = tensors.find(name);
  if (it == tensors.end())
    Fail("model has no tensor '", name, "'", file.empty() ? "" : " (" + file + ")");
  return it->second;
}

std::string ModelFile::Serialize() const {
  std::string out(kMagic, sizeof(kMagic));
  for (const std::string& name : bf16)
    if (!tensors.count(name)) Fail("no tensor '", name, "' to store as bfloat16");
  Put<uint32_t>(&out, bf16.empty() ? 1 : 2);
  Put<uint64_t>(&out, config.size());
  out += config;
  Put<uint64_t>(&out, tensors.size());
  Put<uint32_t>(&out, Crc32(out.data(), out.size()));
  for (const auto& [name, tensor] : tensors) {
    size_t start = out.size();
    Put<uint32_t>(&out, static_cast<uint32_t>(name.size()));
    out += name;
    const bool half = bf16.count(name) > 0;
    Put<uint8_t>(&out, half ? kDtypeBfloat16 : kDtypeFloat32);
    Put<uint32_t>(&out, static_cast<uint32_t>(tensor.rank()));
    for (int64_t d : tensor.shape()) Put<int64_t>(&out, d);
    const uint64_t data_bytes =
        static_cast<uint64_t>(tensor.size()) * (half ? sizeof(bf16_t) : sizeof(float));
    Put<uint64_t>(&out, data_bytes);
    if (half) {
      // Converted in an aligned buffer: the file offset of the data is odd.
      std::vector<bf16_t> halves(static_cast<size_t>(tensor.size()));
      FloatToBf16(tensor.data(), halves.data(), tensor.size());
      out.append(reinterpret_cast<const char*>(halves.data()), data_bytes);
    } else {
      out.append(reinterpret_cast<const char*>(tensor.data()), data_bytes);
    }
    Put<uint32_t>(&out, Crc32(out.data() + start, out.size() - start));
  }
  out.append(kTrailer, sizeof(kTrailer));
  return out;
}

void ModelFile::Save(const std::string& path) const { WriteFileAtomically(path, Serialize()); }

// Fuzzing builds (ATTEND_FUZZ defines the macro libFuzzer's convention names)
// skip the checksum comparisons, so that mutated files reach the checks
// behind them instead of stopping at the first CRC.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr bool kVerifyChecksums = false;
#else
constexpr bool kVerifyChecksums = true;
#endif

ModelFile ModelFile::Parse(const std::string& bytes, const std::string& source) {
  Reader in(bytes, source);
  std::string magic = in.GetBytes(sizeof(kMagic), "magic");
  if (std::memcmp(magic.data(), kMagic, sizeof(kMagic)) != 0)
    Fail("not an attend model file: wrong magic (", source, ")");
  uint32_t version = in.Get<uint32_t>("format version");
  if (version == 0 || version > kModelFormatVersion)
    Fail("model file format version ", version, " is not supported (this build reads up to ",
         kModelFormatVersion, "; a newer attend wrote it?) (", source, ")");
  ModelFile model;
  uint64_t config_bytes = in.Get<uint64_t>("config length");
  model.config = in.GetBytes(config_bytes, "config");
  uint64_t count = in.Get<uint64_t>("tensor count");
  size_t header_end = in.pos();
  uint32_t header_crc = in.Get<uint32_t>("header checksum");
  if (kVerifyChecksums && Crc32(bytes.data(), header_end) != header_crc)
    in.Corrupt("header checksum mismatch");
  for (uint64_t i = 0; i < count; ++i) {
    size_t start = in.pos();
    uint32_t name_bytes = in.Get<uint32_t>("tensor name length");
    std::string name = in.GetBytes(name_bytes, "tensor name");
    uint8_t dtype = in.Get<uint8_t>("tensor dtype");
    if (dtype != kDtypeFloat32 && !(dtype == kDtypeBfloat16 && version >= 2))
      in.Corrupt("unknown dtype " + std::to_string(dtype));
    const size_t element_bytes = dtype == kDtypeBfloat16 ? sizeof(bf16_t) : sizeof(float);
    uint32_t rank = in.Get<uint32_t>("tensor rank");
    if (rank > kMaxRank) in.Corrupt("tensor rank " + std::to_string(rank));
    Shape shape(rank);
    uint64_t elements = 1;
    for (uint32_t d = 0; d < rank; ++d) {
      shape[d] = in.Get<int64_t>("tensor dimension");
      // Dimensions are bounded by the file size, so the product cannot overflow.
      if (shape[d] < 0 || static_cast<uint64_t>(shape[d]) > bytes.size())
        in.Corrupt("tensor dimension " + std::to_string(shape[d]));
      elements *= static_cast<uint64_t>(shape[d]);
      if (elements > bytes.size()) in.Corrupt("tensor larger than the file");
    }
    uint64_t data_bytes = in.Get<uint64_t>("tensor data length");
    if (data_bytes != elements * element_bytes)
      in.Corrupt("tensor '" + Printable(name) + "' data length does not match its shape");
    const char* data = in.Here();
    in.Skip(data_bytes, "tensor data");
    size_t end = in.pos();
    uint32_t crc = in.Get<uint32_t>("tensor checksum");
    if (kVerifyChecksums && Crc32(bytes.data() + start, end - start) != crc)
      in.Corrupt("checksum mismatch in tensor '" + Printable(name) + "'");
    if (model.tensors.count(name)) in.Corrupt("duplicate tensor '" + Printable(name) + "'");
    Tensor tensor(shape);
    if (dtype == kDtypeBfloat16) {
      // memcpy first: the data need not be 2-byte aligned in the image.
      std::vector<bf16_t> half(elements);
      if (data_bytes > 0) std::memcpy(half.data(), data, data_bytes);
      Bf16ToFloat(half.data(), tensor.data(), static_cast<int64_t>(elements));
      model.bf16.insert(name);
    } else if (data_bytes > 0) {
      std::memcpy(tensor.data(), data, data_bytes);
    }
    model.tensors.emplace(std::move(name), std::move(tensor));
  }
  std::string trailer = in.GetBytes(sizeof(kTrailer), "end marker");
  if (std::memcmp(trailer.data(), kTrailer, sizeof(kTrailer)) != 0) in.Corrupt("bad end marker");
  if (in.remaining() != 0) in.Corrupt("unexpected bytes after the end marker");
  return model;
}

ModelFile ModelFile::Load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) Fail("cannot open model file (", path, ")");
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) Fail("cannot read model file (", path, ")");
  return Parse(bytes, path);
}

}  // namespace attend::nn
