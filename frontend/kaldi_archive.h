// Kaldi archives of feature matrices: the table specifiers Kaldi tools take
// (`ark:f.ark`, `ark,t:-`, `ark,scp:f.ark,f.scp`, `scp:feats.scp`), a writer
// and a reader of float matrices, and single-matrix files (CMVN stats). The
// bytes are Kaldi's: binary entries are `key \0B FM <rows> <cols> <floats>`
// (DM for double), text entries `key  [\n  v v \n  v v ]\n`, scp lines
// `key path:byte-offset`. Files written here are read by Kaldi's tools and by
// kaldi_io-style readers; the reader also takes Kaldi's compressed matrices
// (CM, CM2, CM3) as written by `copy-feats --compress=true`.
#pragma once

#include <cstdint>
#include <fstream>
#include <iosfwd>
#include <memory>
#include <string>

#include "frontend/matrix.h"

namespace attend::frontend {

// A parsed table specifier. Options before ':' are comma-separated: ark,
// scp, t (text), b (binary), f/nf (flush), p (permissive), o, s, cs (ignored
// sort hints).
struct TableSpecifier {
  enum class Kind { kArchive, kScript };
  Kind kind = Kind::kArchive;
  bool text = false;        // ark,t
  bool permissive = false;  // p: a reader skips entries it cannot read
  bool flush = false;       // f
  std::string ark_path;     // archive file ("-" = stdin/stdout)
  std::string scp_path;     // script file (scp: reading; ark,scp: writing)
};

// Parses a Kaldi rspecifier/wspecifier; throws attend::Error naming it when
// malformed (e.g. `ark,scp:` without two paths, or scp output to stdout).
TableSpecifier ParseTableSpecifier(const std::string& specifier, bool for_writing);

// True when `s` looks like a table specifier (`ark...:` or `scp...:`).
bool IsTableSpecifier(const std::string& s);

// Writes matrices to an archive (and its scp). Throws attend::Error naming the
// file on I/O errors.
class MatrixArchiveWriter {
 public:
  explicit MatrixArchiveWriter(const std::string& wspecifier);
  ~MatrixArchiveWriter();
  void Write(const std::string& key, const Matrix& matrix);
  // Flushes and closes; throws on a write error (the destructor swallows them).
  void Close();

 private:
  TableSpecifier spec_;
  std::ofstream ark_file_, scp_file_;
  std::ostream* ark_ = nullptr;
  bool closed_ = false;
};

// Reads float (or double, converted) matrices from `ark:` / `scp:`
// rspecifiers, in order:
//   for (MatrixArchiveReader r(spec); !r.Done(); r.Next()) use(r.Key(), r.Value());
class MatrixArchiveReader {
 public:
  explicit MatrixArchiveReader(const std::string& rspecifier);
  ~MatrixArchiveReader();
  bool Done() const { return done_; }
  const std::string& Key() const { return key_; }
  const Matrix& Value() const { return value_; }
  void Next();

 private:
  void ReadArchiveEntry();
  void ReadScriptEntry();

  TableSpecifier spec_;
  std::ifstream file_;
  std::istream* in_ = nullptr;
  int64_t scp_line_ = 0;
  bool done_ = false;
  std::string key_;
  Matrix value_;
};

// One matrix in Kaldi's format (binary with the `\0B` header, or text), from
// a stream at its start; `what` names the source in errors. Float and double
// matrices both read, into the requested precision.
void ReadKaldiMatrix(std::istream& in, const std::string& what, Matrix* out);
void ReadKaldiMatrix(std::istream& in, const std::string& what, DoubleMatrix* out);
// Writes one matrix (binary: `\0B` then FM/DM; text: ` [ ... ]`).
void WriteKaldiMatrix(std::ostream& out, const Matrix& m, bool binary);
void WriteKaldiMatrix(std::ostream& out, const DoubleMatrix& m, bool binary);

// A single matrix from `rxfilename`: a path, `path:offset` (as in scp
// files), or "-" for stdin.
DoubleMatrix ReadKaldiDoubleMatrix(const std::string& rxfilename);

}  // namespace attend::frontend
