// The processes of a data-parallel run (`mpirun -np N attend train`, sharded
// `attend transcribe`) and the few collective operations they need.
//
//   Communicator   the interface: rank, size, sums and maxima over ranks, a
//                  gather of byte strings to rank 0, and ending the whole job.
//   World()        this process's communicator: MPI's when attend was built
//                  with MPI and started by an MPI launcher (mpirun, srun with
//                  PMI/PMIx), else a single process (rank 0 of 1, every
//                  collective the identity). Only distributed_mpi.cc includes
//                  mpi.h, so the rest of attend builds and runs without MPI.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attend::training {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool is_root() const { return rank() == 0; }
  // What the communicator runs on: "single process" or "MPI (<library>)".
  virtual std::string Describe() const = 0;

  // Element-wise sum (max) over the ranks of `n` values, in place. Every rank
  // calls it with the same n, in the same order as the other collectives.
  virtual void AllreduceSum(float* data, int64_t n) = 0;
  virtual void AllreduceSum(double* data, int64_t n) = 0;
  virtual void AllreduceMax(double* data, int64_t n) = 0;
  // Rank 0 receives every rank's `mine` (index = rank); the others receive an
  // empty vector.
  virtual std::vector<std::string> GatherToRoot(const std::string& mine) = 0;
  // Ends every rank of the job with `exit_code` (after an error on one rank
  // the others would wait in a collective for ever). Returns only for a
  // single process.
  virtual void Abort(int exit_code) = 0;
};

// The single process: rank 0 of 1.
class LocalCommunicator : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string Describe() const override { return "single process"; }
  void AllreduceSum(float*, int64_t) override {}
  void AllreduceSum(double*, int64_t) override {}
  void AllreduceMax(double*, int64_t) override {}
  std::vector<std::string> GatherToRoot(const std::string& mine) override { return {mine}; }
  void Abort(int) override {}
};

// This process's communicator, created on the first call (MPI_Init under a
// launcher; MPI_Finalize at normal exit). Throws attend::Error when a launcher
// started attend but MPI support was not built in.
Communicator& World();

// Whether World() was created and spans more than one process; main() then
// ends the job with Abort() after an error instead of returning.
bool WorldIsDistributed();

// The indices of `count` items that rank `rank` of `size` takes: rank,
// rank + size, rank + 2·size, ... (interleaved, so ranks get similar work from a
// list sorted by length and the outputs merge back in input order).
std::vector<int64_t> ShardIndices(int64_t count, int rank, int size);

// The half-open range [begin, end) of `count` items that rank `rank` of
// `size` takes when the items must stay contiguous (a batch's utterances,
// sorted by length): the first count % size ranks take one more.
std::pair<int64_t, int64_t> ShardRange(int64_t count, int rank, int size);

// Byte strings packed into one (lengths first) and back, for GatherToRoot.
std::string PackStrings(const std::vector<std::string>& items);
std::vector<std::string> UnpackStrings(const std::string& packed);

namespace internal {
// MPI's communicator when attend runs under an MPI launcher, null otherwise
// (distributed_mpi.cc, or distributed_no_mpi.cc when MPI was not found).
std::unique_ptr<Communicator> MakeLauncherCommunicator();
}  // namespace internal

}  // namespace attend::training
