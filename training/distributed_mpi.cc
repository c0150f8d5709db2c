// The MPI communicator (MPI_COMM_WORLD), created only when an MPI launcher
// started attend: without one, attend never calls MPI_Init, so a plain run
// does not depend on a working MPI installation at all.
#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>

#include "base/error.h"
#include "training/distributed.h"

namespace attend::training::internal {

namespace {

// Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE; Slurm's srun and other
// launchers (MPICH's hydra, PMIx) set PMI_* or PMIX_* variables.
bool StartedByLauncher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

void Check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char message[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, message, &length);
  throw Error(std::string("MPI: ") + what + " failed: " + std::string(message, length));
}

void FinalizeAtExit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

// MPI counts are ints: long buffers go in pieces of at most 2^30 elements.
template <typename T>
void AllreduceInPieces(T* data, int64_t n, MPI_Datatype type, MPI_Op op) {
  constexpr int64_t kPiece = int64_t{1} << 30;
  for (int64_t at = 0; at < n; at += kPiece) {
    const int count = static_cast<int>(std::min(kPiece, n - at));
    Check(MPI_Allreduce(MPI_IN_PLACE, data + at, count, type, op, MPI_COMM_WORLD), "MPI_Allreduce");
  }
}

class MpiCommunicator : public Communicator {
 public:
  MpiCommunicator() {
    int provided = 0;
    // Only the main thread calls MPI (the data loader and OpenMP threads never do).
    Check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    std::atexit(FinalizeAtExit);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    Check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    Check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    library_ = std::string(version, length);
    library_ = library_.substr(0, library_.find_first_of(",\n"));
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string Describe() const override { return "MPI (" + library_ + ")"; }

  void AllreduceSum(float* data, int64_t n) override {
    AllreduceInPieces(data, n, MPI_FLOAT, MPI_SUM);
  }
  void AllreduceSum(double* data, int64_t n) override {
    AllreduceInPieces(data, n, MPI_DOUBLE, MPI_SUM);
  }
  void AllreduceMax(double* data, int64_t n) override {
    AllreduceInPieces(data, n, MPI_DOUBLE, MPI_MAX);
  }

  std::vector<std::string> GatherToRoot(const std::string& mine) override {
    const uint64_t length = mine.size();
    std::vector<uint64_t> lengths(rank_ == 0 ? size_ : 0);
    Check(MPI_Gather(&length, 1, MPI_UINT64_T, lengths.data(), 1, MPI_UINT64_T, 0, MPI_COMM_WORLD),
          "MPI_Gather");
    std::vector<int> counts, offsets;
    std::string all;
    if (rank_ == 0) {
      uint64_t total = 0;
      for (uint64_t l : lengths) {
        ATTEND_CHECK(total + l <= static_cast<uint64_t>(std::numeric_limits<int>::max()),
                     "MPI: more than 2 GB to gather on rank 0");
        counts.push_back(static_cast<int>(l));
        offsets.push_back(static_cast<int>(total));
        total += l;
      }
      all.resize(total);
    }
    Check(MPI_Gatherv(mine.data(), static_cast<int>(length), MPI_CHAR, all.data(), counts.data(),
                      offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD),
          "MPI_Gatherv");
    std::vector<std::string> parts;
    for (size_t r = 0; r < counts.size(); ++r) parts.push_back(all.substr(offsets[r], counts[r]));
    return parts;
  }

  void Abort(int exit_code) override { MPI_Abort(MPI_COMM_WORLD, exit_code); }

 private:
  int rank_ = 0, size_ = 1;
  std::string library_;
};

}  // namespace

std::unique_ptr<Communicator> MakeLauncherCommunicator() {
  if (!StartedByLauncher()) return nullptr;
  return std::make_unique<MpiCommunicator>();
}

}  // namespace attend::training::internal
