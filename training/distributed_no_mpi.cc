// Built when CMake found no MPI: attend is always a single process, and a
// launcher that starts several copies gets an error instead of N independent
// runs writing the same files.
#include <cstdlib>
#include <string>

#include "base/error.h"
#include "training/distributed.h"

namespace attend::training::internal {

std::unique_ptr<Communicator> MakeLauncherCommunicator() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && std::atoi(value) > 1) {
      throw Error(std::string("started by an MPI launcher (") + name + "=" + value +
                  ") but attend was built without MPI: install libopenmpi-dev and rebuild");
    }
  }
  return nullptr;
}

}  // namespace attend::training::internal
