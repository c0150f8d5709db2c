#include "nn/scratchpad.h"

namespace attend::nn {

dnnl::primitive_attr UserScratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

ScratchpadArg::ScratchpadArg(const dnnl::primitive_desc_base& pd, const dnnl::engine& engine) {
  const dnnl::memory::desc md = pd.scratchpad_desc();
  bytes_ = md.get_size();
  if (bytes_ > 0) mem_ = dnnl::memory(md, engine, nullptr);
}

void ScratchpadArg::AddTo(ByteBuffer* buffer, std::unordered_map<int, dnnl::memory>* args) {
  if (bytes_ == 0) return;
  buffer->Resize(bytes_);
  AddAt(buffer->data(), args);
}

void ScratchpadArg::AddAt(void* data, std::unordered_map<int, dnnl::memory>* args) {
  if (bytes_ == 0) return;
  mem_.set_data_handle(data);
  (*args)[DNNL_ARG_SCRATCHPAD] = mem_;
}

void Reorder(const dnnl::memory& src, const dnnl::memory& dst, dnnl::stream& stream,
             ByteBuffer* buffer) {
  const dnnl::reorder::primitive_desc pd(src, dst, UserScratchpad());
  std::unordered_map<int, dnnl::memory> args = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
  ScratchpadArg(pd, src.get_engine()).AddTo(buffer, &args);
  dnnl::reorder(pd).execute(stream, args);
  stream.wait();
}

}  // namespace attend::nn
