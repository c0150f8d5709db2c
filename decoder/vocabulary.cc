#include "decoder/vocabulary.h"

#include <algorithm>
#include <set>

#include "base/error.h"

namespace attend::decoder {

namespace {
constexpr int32_t kSpecialCodes[Vocabulary::kNumSpecial] = {-1, -2, -3};
const char* const kSpecialNames[Vocabulary::kNumSpecial] = {"<blank>", "<unk>", "<sos/eos>"};
constexpr const char* kTensorName = "vocabulary.code_points";
}  // namespace

std::vector<int32_t> DecodeUtf8(const std::string& text) {
  std::vector<int32_t> out;
  for (size_t i = 0; i < text.size();) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    ATTEND_CHECK(extra >= 0, "invalid UTF-8 lead byte at byte ", i);
    ATTEND_CHECK(i + static_cast<size_t>(extra) < text.size(), "truncated UTF-8 at byte ", i);
    int32_t cp = extra == 0 ? c : c & (0x3f >> extra);
    for (int k = 1; k <= extra; ++k) {
      ATTEND_CHECK((byte(i + k) & 0xc0) == 0x80, "invalid UTF-8 continuation at byte ", i + k);
      cp = (cp << 6) | (byte(i + k) & 0x3f);
    }
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

std::string EncodeUtf8(int32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xc0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xe0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    s += static_cast<char>(0xf0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return s;
}

Vocabulary::Vocabulary() : code_points_(std::begin(kSpecialCodes), std::end(kSpecialCodes)) {}

Vocabulary Vocabulary::FromTexts(const std::vector<std::string>& texts) {
  std::set<int32_t> seen;
  for (size_t i = 0; i < texts.size(); ++i) {
    try {
      for (int32_t cp : DecodeUtf8(texts[i])) seen.insert(cp);
    } catch (const Error& e) {
      Fail("vocabulary: text ", i, ": ", e.what());
    }
  }
  Vocabulary vocab;
  vocab.code_points_.insert(vocab.code_points_.end(), seen.begin(), seen.end());
  return vocab;
}

std::string Vocabulary::Token(int id) const {
  ATTEND_CHECK(id >= 0 && id < size(), "token id ", id, " out of range [0, ", size(), ")");
  if (id < kNumSpecial) return kSpecialNames[id];
  if (code_points_[id] == ' ') return "<space>";
  return EncodeUtf8(code_points_[id]);
}

int Vocabulary::IdOfCodePoint(int32_t cp) const {
  // Characters are sorted after the specials.
  auto begin = code_points_.begin() + kNumSpecial;
  auto it = std::lower_bound(begin, code_points_.end(), cp);
  if (it == code_points_.end() || *it != cp) return kUnk;
  return static_cast<int>(it - code_points_.begin());
}

int Vocabulary::Id(const std::string& token) const {
  for (int i = 0; i < kNumSpecial; ++i)
    if (token == kSpecialNames[i]) return i;
  if (token == "<space>") return IdOfCodePoint(' ');
  std::vector<int32_t> cps = DecodeUtf8(token);
  if (cps.size() != 1) return kUnk;
  return IdOfCodePoint(cps[0]);
}

std::vector<int> Vocabulary::Encode(const std::string& text) const {
  std::vector<int> ids;
  for (int32_t cp : DecodeUtf8(text)) ids.push_back(IdOfCodePoint(cp));
  return ids;
}

std::string Vocabulary::Decode(const std::vector<int>& ids) const {
  std::string text;
  for (int id : ids) {
    ATTEND_CHECK(id >= 0 && id < size(), "token id ", id, " out of range [0, ", size(), ")");
    if (id >= kNumSpecial) text += EncodeUtf8(code_points_[id]);
  }
  return text;
}

void Vocabulary::Save(nn::ModelFile* model) const {
  nn::Tensor t({static_cast<int64_t>(code_points_.size())});
  for (size_t i = 0; i < code_points_.size(); ++i) t[i] = static_cast<float>(code_points_[i]);
  model->tensors[kTensorName] = std::move(t);
}

Vocabulary Vocabulary::Load(const nn::ModelFile& model, const std::string& file) {
  const nn::Tensor& t = model.Get(kTensorName, file);
  ATTEND_CHECK(t.rank() == 1 && t.size() >= kNumSpecial, kTensorName, " in ", file,
               ": expected a vector of at least ", kNumSpecial, " entries, got shape ",
               nn::ShapeToString(t.shape()));
  Vocabulary vocab;
  vocab.code_points_.clear();
  for (int64_t i = 0; i < t.size(); ++i) {
    float v = t[i];
    bool ok = i < kNumSpecial
                  ? v == static_cast<float>(kSpecialCodes[i])
                  : v >= 0 && v <= 0x10FFFF && v == static_cast<float>(static_cast<int32_t>(v)) &&
                        (i == kNumSpecial || v > t[i - 1]);
    ATTEND_CHECK(ok, kTensorName, " in ", file, ": malformed entry ", i, " (", v, ")");
    vocab.code_points_.push_back(static_cast<int32_t>(v));
  }
  return vocab;
}

}  // namespace attend::decoder
