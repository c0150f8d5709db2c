#include "api/batch_recognition.h"

#include <omp.h>

#include <algorithm>
#include <numeric>

#include "frontend/audio_reader.h"
#include "nn/engine.h"

namespace attend {

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
#pragma omp parallel for num_threads(jobs) schedule(dynamic, 1)
  for (int64_t b = 0; b < batches; ++b) {
    StreamImpl* stream = streams_[omp_get_thread_num()].get();
    nn::ScopedNumThreads one_thread(1);
    const size_t begin = b * batch, end = std::min(order.size(), begin + batch);
    std::vector<const frontend::Matrix*> feats;
    for (size_t k = begin; k < end; ++k) feats.push_back(&(*items)[order[k]].utterance.feats);
    std::vector<StreamImpl::EncodedUtterance> encoded;
    try {
      stream->EncodeBatch(feats, &encoded);
    } catch (const std::exception& e) {
      for (size_t k = begin; k < end; ++k) (*items)[order[k]].error = e.what();
      continue;
    }
    for (size_t k = begin; k < end; ++k) (*items)[order[k]].encoded = std::move(encoded[k - begin]);
  }
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
#pragma omp parallel for num_threads(jobs) schedule(dynamic, 1)
  for (int64_t i = 0; i < n; ++i) {
    nn::ScopedNumThreads one_thread(1);
    SegmentRecording(sources[i], streams_[omp_get_thread_num()].get(), i, &segmented[i],
                     &outcomes[i]);
  }
  std::vector<Item> items;
  for (std::vector<Item>& s : segmented)
    for (Item& item : s) items.push_back(std::move(item));
  segmented.clear();

  EncodeBatches(&items, jobs, batch);

  const auto count = static_cast<int64_t>(items.size());
#pragma omp parallel for num_threads(jobs) schedule(dynamic, 1)
  for (int64_t k = 0; k < count; ++k) {
    nn::ScopedNumThreads one_thread(1);
    Item& item = items[k];
    if (!item.error.empty()) continue;
    try {
      item.segment = streams_[omp_get_thread_num()]->SearchUtterance(
          item.encoded, item.utterance.start_frame, item.utterance.feats.rows());
    } catch (const std::exception& e) {
      item.error = e.what();
    }
    item.encoded = {};
  }
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
