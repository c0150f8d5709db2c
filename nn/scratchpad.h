// Scratchpads that belong to a caller's plans, not to a thread. Every oneDNN
// primitive in nn is created with UserScratchpad(): its temporary buffer is
// passed at each execution (DNNL_ARG_SCRATCHPAD) from a buffer the caller's
// state owns, so a state runs on whichever thread calls it.
//
// Why not oneDNN's default (library) mode: a oneDNN built without
// DNNL_ENABLE_CONCURRENT_EXEC (Debian's libdnnl) gives every such primitive a
// view of a per-thread global buffer, sized by the primitives created on that
// thread and looked up on the thread that executes. A primitive created on
// one thread and run on another then writes into that thread's buffer, which
// may be missing or too small (a crash or a heap overflow), and destroying it
// on another thread unbalances both threads' reference counts.
#pragma once

#include <cstddef>
#include <unordered_map>

#include <dnnl.hpp>

#include "nn/byte_buffer.h"

namespace attend::nn {

// Primitive attributes with the scratchpad in user mode.
dnnl::primitive_attr UserScratchpad();

// One primitive's scratchpad argument: a memory of the size its descriptor
// asks for, pointed at the caller's buffer before each execution. Plans of
// one state run one at a time, so they share one buffer (grown to the largest).
class ScratchpadArg {
 public:
  ScratchpadArg() = default;
  // `pd` must have been created with UserScratchpad().
  ScratchpadArg(const dnnl::primitive_desc_base& pd, const dnnl::engine& engine);

  // Grows `buffer` to fit, points the memory at it and adds it to `args`;
  // nothing when the primitive needs no scratchpad.
  void AddTo(ByteBuffer* buffer, std::unordered_map<int, dnnl::memory>* args);
  // The same at `data`, which has room for bytes() (64-byte aligned).
  void AddAt(void* data, std::unordered_map<int, dnnl::memory>* args);

  size_t bytes() const { return bytes_; }

 private:
  dnnl::memory mem_;
  size_t bytes_ = 0;
};

// Reorders src into dst with a reorder created here (weights, once per
// version), its scratchpad in `buffer`, and waits.
void Reorder(const dnnl::memory& src, const dnnl::memory& dst, dnnl::stream& stream,
             ByteBuffer* buffer);

}  // namespace attend::nn
