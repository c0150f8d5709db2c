#include "frontend/kaldi_archive.h"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <limits>
#include <sstream>
#include <vector>

#include "base/error.h"

namespace attend::frontend {

namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!s.empty() && s.back() == sep) parts.push_back("");
  return parts;
}

// Kaldi's binary int32: a size byte (4) then the value, little-endian.
void WriteInt32(std::ostream& out, int32_t v) {
  out.put(4);
  out.write(reinterpret_cast<const char*>(&v), 4);
}

int32_t ReadInt32(std::istream& in, const std::string& what) {
  const int size = in.get();
  int32_t v = 0;
  in.read(reinterpret_cast<char*>(&v), 4);
  ATTEND_CHECK(size == 4 && in.good(), "bad matrix dimension in Kaldi binary data (", what, ")");
  return v;
}

std::string ReadToken(std::istream& in) {
  std::string token;
  in >> token;
  in.get();  // the single space after a token
  return token;
}

template <typename T>
void WriteMatrix(std::ostream& out, const BasicMatrix<T>& m, bool binary) {
  if (binary) {
    out.write("\0B", 2);
    out << (sizeof(T) == 4 ? "FM " : "DM ");
    WriteInt32(out, static_cast<int32_t>(m.rows()));
    WriteInt32(out, static_cast<int32_t>(m.cols()));
    out.write(reinterpret_cast<const char*>(m.data()),
              static_cast<std::streamsize>(sizeof(T) * m.rows() * m.cols()));
    return;
  }
  if (m.rows() == 0) {
    out << " [ ]\n";
    return;
  }
  out << " [";
  const auto precision = out.precision(std::numeric_limits<T>::max_digits10);
  for (int64_t r = 0; r < m.rows(); ++r) {
    out << "\n  ";
    for (int64_t c = 0; c < m.cols(); ++c) out << m(r, c) << " ";
  }
  out << "]\n";
  out.precision(precision);
}

// Reads `count` values of T into `values`, a block at a time, so that a header
// claiming more data than the stream holds fails at the end of the data rather
// than first allocating what it claims. False when the stream ends early.
template <typename T>
bool ReadValues(std::istream& in, size_t count, std::vector<T>* values) {
  constexpr size_t kBlock = (size_t{1} << 20) / sizeof(T);
  values->clear();
  while (values->size() < count) {
    const size_t done = values->size(), n = std::min(kBlock, count - done);
    values->resize(done + n);
    in.read(reinterpret_cast<char*>(values->data() + done),
            static_cast<std::streamsize>(n * sizeof(T)));
    if (static_cast<size_t>(in.gcount()) != n * sizeof(T)) return false;
  }
  return true;
}

template <typename From, typename To>
void ReadRawInto(std::istream& in, int32_t rows, int32_t cols, const std::string& what,
                 BasicMatrix<To>* out) {
  std::vector<From> raw;
  ATTEND_CHECK(ReadValues(in, static_cast<size_t>(rows) * cols, &raw) && !in.bad(),
               "truncated matrix data (", what, ")");
  out->Resize(rows, cols);
  for (size_t i = 0; i < raw.size(); ++i) out->data()[i] = static_cast<To>(raw[i]);
}

template <typename T>
void ReadCompressed(std::istream& in, const std::string& token, const std::string& what,
                    BasicMatrix<T>* out) {
  struct GlobalHeader {
    float min_value;
    float range;
    int32_t num_rows;
    int32_t num_cols;
  } h;
  in.read(reinterpret_cast<char*>(&h), sizeof(h));
  ATTEND_CHECK(in.good() && h.num_rows >= 0 && h.num_cols >= 0, "bad compressed matrix header (",
               what, ")");
  const int32_t rows = h.num_rows, cols = h.num_cols;
  const size_t size = static_cast<size_t>(rows) * cols;
  auto u16_to_float = [&](uint16_t v) { return h.min_value + h.range * 1.52590218966964e-05f * v; };
  if (token == "CM") {
    struct PerColHeader {
      uint16_t p0, p25, p75, p100;
    };
    std::vector<PerColHeader> col_headers;
    std::vector<uint8_t> bytes;
    ATTEND_CHECK(ReadValues(in, cols, &col_headers) && ReadValues(in, size, &bytes),
                 "truncated compressed matrix (", what, ")");
    out->Resize(rows, cols);
    for (int32_t c = 0; c < cols; ++c) {
      const float p0 = u16_to_float(col_headers[c].p0), p25 = u16_to_float(col_headers[c].p25),
                  p75 = u16_to_float(col_headers[c].p75), p100 = u16_to_float(col_headers[c].p100);
      for (int32_t r = 0; r < rows; ++r) {
        const int v = bytes[static_cast<size_t>(c) * rows + r];
        float f;
        if (v <= 64) {
          f = p0 + (p25 - p0) * v * (1 / 64.0f);
        } else if (v <= 192) {
          f = p25 + (p75 - p25) * (v - 64) * (1 / 128.0f);
        } else {
          f = p75 + (p100 - p75) * (v - 192) * (1 / 63.0f);
        }
        (*out)(r, c) = static_cast<T>(f);
      }
    }
  } else if (token == "CM2") {
    std::vector<uint16_t> data;
    ATTEND_CHECK(ReadValues(in, size, &data), "truncated compressed matrix (", what, ")");
    out->Resize(rows, cols);
    const float inc = h.range * (1.0f / 65535.0f);
    for (size_t i = 0; i < data.size(); ++i)
      out->data()[i] = static_cast<T>(h.min_value + inc * data[i]);
  } else {  // CM3
    std::vector<uint8_t> data;
    ATTEND_CHECK(ReadValues(in, size, &data), "truncated compressed matrix (", what, ")");
    out->Resize(rows, cols);
    const float inc = h.range * (1.0f / 255.0f);
    for (size_t i = 0; i < data.size(); ++i)
      out->data()[i] = static_cast<T>(h.min_value + inc * data[i]);
  }
}

template <typename T>
void ReadMatrix(std::istream& in, const std::string& what, BasicMatrix<T>* out) {
  // Leading whitespace (text objects in archives start with " [").
  while (in.peek() == ' ' || in.peek() == '\t' || in.peek() == '\n') in.get();
  if (in.peek() == '\0') {
    in.get();
    ATTEND_CHECK(in.get() == 'B', "bad binary header: expected \\0B (", what, ")");
    const std::string token = ReadToken(in);
    if (token == "FM" || token == "DM") {
      const int32_t rows = ReadInt32(in, what), cols = ReadInt32(in, what);
      ATTEND_CHECK(rows >= 0 && cols >= 0 && static_cast<int64_t>(rows) * cols < (1ll << 34),
                   "bad matrix dimensions ", rows, "x", cols, " (", what, ")");
      if (token == "FM") {
        ReadRawInto<float>(in, rows, cols, what, out);
      } else {
        ReadRawInto<double>(in, rows, cols, what, out);
      }
      return;
    }
    if (token == "CM" || token == "CM2" || token == "CM3")
      return ReadCompressed(in, token, what, out);
    Fail("unsupported Kaldi object '", token, "', expected a matrix (", what, ")");
  }
  ATTEND_CHECK(in.get() == '[', "expected a Kaldi matrix ('[' or binary) (", what, ")");
  std::string body;
  ATTEND_CHECK(static_cast<bool>(std::getline(in, body, ']')), "unterminated text matrix (", what,
               ")");
  std::vector<T> values;
  int64_t rows = 0, cols = -1;
  for (const std::string& line : Split(body, '\n')) {
    std::istringstream fields(line);
    int64_t n = 0;
    for (std::string v; fields >> v; ++n) {
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      ATTEND_CHECK(end != v.c_str() && *end == '\0', "bad number '", v, "' in text matrix (", what,
                   ")");
      values.push_back(static_cast<T>(x));
    }
    if (n == 0) continue;
    ATTEND_CHECK(cols < 0 || n == cols, "text matrix rows of different lengths (", what, ")");
    cols = n;
    ++rows;
  }
  if (in.peek() == '\n') in.get();
  out->Resize(rows, std::max<int64_t>(cols, 0));
  std::copy(values.begin(), values.end(), out->data());
}

}  // namespace

bool IsTableSpecifier(const std::string& s) {
  const size_t colon = s.find(':');
  if (colon == std::string::npos) return false;
  for (const std::string& opt : Split(s.substr(0, colon), ',')) {
    if (opt == "ark" || opt == "scp") return true;
  }
  return false;
}

TableSpecifier ParseTableSpecifier(const std::string& specifier, bool for_writing) {
  const size_t colon = specifier.find(':');
  ATTEND_CHECK(colon != std::string::npos, "not a Kaldi table specifier (", specifier,
               "): expected ark:..., ark,t:..., ark,scp:...,... or scp:...");
  TableSpecifier spec;
  bool ark = false, scp = false;
  for (const std::string& opt : Split(specifier.substr(0, colon), ',')) {
    if (opt == "ark") {
      ark = true;
    } else if (opt == "scp") {
      scp = true;
    } else if (opt == "t") {
      spec.text = true;
    } else if (opt == "b") {
      spec.text = false;
    } else if (opt == "f") {
      spec.flush = true;
    } else if (opt == "nf") {
      spec.flush = false;
    } else if (opt == "p") {
      spec.permissive = true;
    } else if (opt == "o" || opt == "s" || opt == "cs" || opt == "no" || opt == "ns" ||
               opt == "ncs") {
      // sort/once hints: irrelevant for sequential access
    } else {
      Fail("unknown option '", opt, "' in table specifier (", specifier, ")");
    }
  }
  const std::string rest = specifier.substr(colon + 1);
  ATTEND_CHECK(!rest.empty(), "table specifier without a file (", specifier, ")");
  if (ark && scp) {
    ATTEND_CHECK(for_writing, "ark,scp: is for writing; read with scp: or ark: (", specifier, ")");
    const std::vector<std::string> paths = Split(rest, ',');
    ATTEND_CHECK(paths.size() == 2 && !paths[0].empty() && !paths[1].empty(),
                 "ark,scp: needs two files, archive and script (", specifier, ")");
    ATTEND_CHECK(paths[0] != "-", "ark,scp: cannot write the archive to stdout (offsets) (",
                 specifier, ")");
    spec.kind = TableSpecifier::Kind::kArchive;
    spec.ark_path = paths[0];
    spec.scp_path = paths[1];
  } else if (ark) {
    spec.kind = TableSpecifier::Kind::kArchive;
    spec.ark_path = rest;
  } else if (scp) {
    ATTEND_CHECK(!for_writing, "scp: output (one file per key) is not supported; use ark,scp: (",
                 specifier, ")");
    spec.kind = TableSpecifier::Kind::kScript;
    spec.scp_path = rest;
  } else {
    Fail("table specifier needs ark or scp (", specifier, ")");
  }
  return spec;
}

// ---- writer ----

MatrixArchiveWriter::MatrixArchiveWriter(const std::string& wspecifier)
    : spec_(ParseTableSpecifier(wspecifier, true)) {
  if (spec_.ark_path == "-") {
    ark_ = &std::cout;
  } else {
    ark_file_.open(spec_.ark_path, std::ios::binary | std::ios::trunc);
    ATTEND_CHECK(ark_file_.is_open(), "cannot write archive (", spec_.ark_path, ")");
    ark_ = &ark_file_;
  }
  if (!spec_.scp_path.empty()) {
    scp_file_.open(spec_.scp_path, std::ios::trunc);
    ATTEND_CHECK(scp_file_.is_open(), "cannot write script file (", spec_.scp_path, ")");
  }
}

MatrixArchiveWriter::~MatrixArchiveWriter() {
  try {
    Close();
  } catch (...) {
  }
}

void MatrixArchiveWriter::Write(const std::string& key, const Matrix& matrix) {
  ATTEND_CHECK(!closed_, "archive already closed (", spec_.ark_path, ")");
  ATTEND_CHECK(!key.empty() && key.find_first_of(" \t\n") == std::string::npos, "bad archive key '",
               key, "': keys are nonempty and without whitespace (", spec_.ark_path, ")");
  *ark_ << key << ' ';
  if (scp_file_.is_open())
    scp_file_ << key << ' ' << spec_.ark_path << ':' << ark_->tellp() << '\n';
  WriteMatrix(*ark_, matrix, !spec_.text);
  if (spec_.flush) ark_->flush();
  ATTEND_CHECK(ark_->good(), "error writing archive (", spec_.ark_path, ")");
}

void MatrixArchiveWriter::Close() {
  if (closed_) return;
  closed_ = true;
  ark_->flush();
  const bool ark_ok = ark_->good();
  if (ark_file_.is_open()) ark_file_.close();
  ATTEND_CHECK(ark_ok && !ark_file_.fail(), "error writing archive (", spec_.ark_path, ")");
  if (scp_file_.is_open()) {
    scp_file_.close();
    ATTEND_CHECK(!scp_file_.fail(), "error writing script file (", spec_.scp_path, ")");
  }
}

// ---- reader ----

MatrixArchiveReader::MatrixArchiveReader(const std::string& rspecifier)
    : spec_(ParseTableSpecifier(rspecifier, false)) {
  const std::string& path =
      spec_.kind == TableSpecifier::Kind::kArchive ? spec_.ark_path : spec_.scp_path;
  if (path == "-") {
    in_ = &std::cin;
  } else {
    file_.open(path, std::ios::binary);
    ATTEND_CHECK(file_.is_open(), "cannot open (", path, ")");
    in_ = &file_;
  }
  Next();
}

MatrixArchiveReader::~MatrixArchiveReader() = default;

void MatrixArchiveReader::Next() {
  if (spec_.kind == TableSpecifier::Kind::kArchive) {
    ReadArchiveEntry();
  } else {
    ReadScriptEntry();
  }
}

void MatrixArchiveReader::ReadArchiveEntry() {
  std::istream& in = *in_;
  while (in.peek() == '\n' || in.peek() == ' ' || in.peek() == '\r') in.get();
  if (in.peek() == EOF) {
    done_ = true;
    return;
  }
  key_.clear();
  for (int c = in.peek(); c != EOF && c != ' ' && c != '\t' && c != '\n'; c = in.peek()) {
    key_.push_back(static_cast<char>(in.get()));
  }
  ATTEND_CHECK(in.get() == ' ', "bad archive entry after key '", key_, "' (", spec_.ark_path, ")");
  ReadMatrix(in, "key " + key_ + " in " + spec_.ark_path, &value_);
}

void MatrixArchiveReader::ReadScriptEntry() {
  std::string line;
  while (true) {
    if (!std::getline(*in_, line)) {
      done_ = true;
      return;
    }
    ++scp_line_;
    if (line.find_first_not_of(" \t\r") != std::string::npos) break;
  }
  std::istringstream fields(line);
  std::string target;
  fields >> key_ >> target;
  const std::string where = spec_.scp_path + ":" + std::to_string(scp_line_);
  ATTEND_CHECK(!target.empty(), "scp line without a file (", where, ")");
  try {
    value_ = Matrix();
    DoubleMatrix m = ReadKaldiDoubleMatrix(target);
    value_.Resize(m.rows(), m.cols());
    for (int64_t i = 0; i < m.rows() * m.cols(); ++i)
      value_.data()[i] = static_cast<float>(m.data()[i]);
  } catch (const Error& e) {
    if (!spec_.permissive) throw Error(std::string(e.what()) + " (" + where + ")");
    return ReadScriptEntry();  // p: skip what cannot be read
  }
}

// ---- single matrices ----

void ReadKaldiMatrix(std::istream& in, const std::string& what, Matrix* out) {
  ReadMatrix(in, what, out);
}
void ReadKaldiMatrix(std::istream& in, const std::string& what, DoubleMatrix* out) {
  ReadMatrix(in, what, out);
}
void WriteKaldiMatrix(std::ostream& out, const Matrix& m, bool binary) {
  WriteMatrix(out, m, binary);
}
void WriteKaldiMatrix(std::ostream& out, const DoubleMatrix& m, bool binary) {
  WriteMatrix(out, m, binary);
}

DoubleMatrix ReadKaldiDoubleMatrix(const std::string& rxfilename) {
  DoubleMatrix m;
  if (rxfilename == "-") {
    ReadMatrix(std::cin, "stdin", &m);
    return m;
  }
  std::string path = rxfilename;
  std::streamoff offset = 0;
  const size_t colon = rxfilename.rfind(':');
  if (colon != std::string::npos && colon + 1 < rxfilename.size() &&
      rxfilename.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    path = rxfilename.substr(0, colon);
    offset = std::stoll(rxfilename.substr(colon + 1));
  }
  std::ifstream in(path, std::ios::binary);
  ATTEND_CHECK(in.is_open(), "cannot open (", path, ")");
  if (offset > 0) in.seekg(offset);
  ATTEND_CHECK(in.good(), "cannot seek to offset ", offset, " (", path, ")");
  ReadMatrix(in, rxfilename, &m);
  return m;
}

}  // namespace attend::frontend
