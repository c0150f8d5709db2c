#include "api/batch_recognition.h"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <thread>

#include "frontend/audio_reader.h"
#include "nn/engine.h"

namespace attend {
namespace {

// Calls fn(thread, i) for every i < n on `jobs` threads (thread < jobs), each
// taking the next i when it is done; oneDNN runs on one thread in each.
template <typename Fn>
void ParallelFor(int jobs, int64_t n, Fn&& fn) {
  std::atomic<int64_t> next{0};
  auto work = [&](int thread) {
    nn::ScopedNumThreads one_thread(1);
    for (int64_t i; (i = next++) < n;) fn(thread, i);
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs && t < n; ++t) threads.emplace_back(work, t);
  work(0);
  for (std::thread& t : threads) t.join();
}

}  // namespace

BatchRecognition::BatchRecognition(std::shared_ptr<const DecodingSetup> setup)
    : setup_(std::move(setup)) {}

void BatchRecognition::SegmentRecording(const std::string& source, StreamImpl* stream,
                                        size_t recording, std::vector<Item>* items,
                                        Outcome* outcome) {
  try {
    frontend::AudioOptions audio;
    audio.target_rate_hz = setup_->network.config().fbank.frame.samp_freq;
    frontend::AudioReader reader(source, audio);
    stream->Reset();
    stream->set_defer_decoding(true);
    std::vector<float> chunk;
    while (reader.Read(&chunk)) stream->AcceptBlock(chunk);
    stream->Finish();
    outcome->transcript.duration = stream->Duration();
    outcome->transcript.seconds_per_frame = stream->SecondsPerFrame();
    for (StreamImpl::PendingUtterance& u : stream->TakePending())
      items->push_back({recording, std::move(u), {}, {}, {}});
  } catch (const std::exception& e) {
    outcome->error = e.what();
  }
}

void BatchRecognition::EncodeBatches(std::vector<Item>* items, int jobs, int batch) {
  // Utterances of similar lengths together: little padding to compute.
  std::vector<size_t> order(items->size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return (*items)[a].utterance.feats.rows() < (*items)[b].utterance.feats.rows();
  });
  const auto batches = static_cast<int64_t>((order.size() + batch - 1) / batch);
  ParallelFor(jobs, batches, [&](int thread, int64_t b) {
    StreamImpl* stream = streams_[thread].get();
    const size_t begin = b * batch, end = std::min(order.size(), begin + batch);
    std::vector<const frontend::Matrix*> feats;
    for (size_t k = begin; k < end; ++k) feats.push_back(&(*items)[order[k]].utterance.feats);
    std::vector<StreamImpl::EncodedUtterance> encoded;
    try {
      stream->EncodeBatch(feats, &encoded);
    } catch (const std::exception& e) {
      for (size_t k = begin; k < end; ++k) (*items)[order[k]].error = e.what();
      return;
    }
    for (size_t k = begin; k < end; ++k) (*items)[order[k]].encoded = std::move(encoded[k - begin]);
  });
}

std::vector<BatchRecognition::Outcome> BatchRecognition::RecognizeFiles(
    const std::vector<std::string>& sources, int jobs, int batch) {
  jobs = std::max(jobs, 1);
  batch = std::max(batch, 1);
  while (streams_.size() < static_cast<size_t>(jobs))
    streams_.push_back(std::make_unique<StreamImpl>(setup_));
  std::vector<Outcome> outcomes(sources.size());
  // Each recording's utterances, by thread, in order; then all of them.
  std::vector<std::vector<Item>> segmented(sources.size());
  const auto n = static_cast<int64_t>(sources.size());
  ParallelFor(jobs, n, [&](int thread, int64_t i) {
    SegmentRecording(sources[i], streams_[thread].get(), i, &segmented[i], &outcomes[i]);
  });
  std::vector<Item> items;
  for (std::vector<Item>& s : segmented)
    for (Item& item : s) items.push_back(std::move(item));
  segmented.clear();

  EncodeBatches(&items, jobs, batch);

  const auto count = static_cast<int64_t>(items.size());
  ParallelFor(jobs, count, [&](int thread, int64_t k) {
    Item& item = items[k];
    if (!item.error.empty()) return;
    try {
      item.segment = streams_[thread]->SearchUtterance(item.encoded, item.utterance.start_frame,
                                                       item.utterance.feats.rows());
    } catch (const std::exception& e) {
      item.error = e.what();
    }
    item.encoded = {};
  });
  for (Item& item : items) {
    Outcome& o = outcomes[item.recording];
    if (o.error.empty()) o.error = item.error;
    if (o.error.empty()) o.transcript.segments.push_back(std::move(item.segment));
  }
  for (Outcome& o : outcomes)
    if (!o.error.empty()) o.transcript = {};
  for (Outcome& o : outcomes) StreamImpl::JoinText(&o.transcript);
  return outcomes;
}

}  // namespace attend
