// `attend attention-stats --model M --data DIR`: diagnostics of the
// decoder's attention on a Kaldi data directory. The decoder runs
// teacher-forced on each reference (so the figures do not depend on decoding
// errors); the statistics are decoder/attention_stats.h's. One JSON line per
// utterance on stdout (or --out), a summary table on stderr (or --summary).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attend/model.h"
#include "base/error.h"
#include "decoder/attention_decoder.h"
#include "decoder/attention_stats.h"
#include "decoder/timestamps.h"
#include "decoder/vocabulary.h"
#include "model/asr_model.h"
#include "tools/commands.h"
#include "tools/common/bundled_model.h"
#include "tools/common/cli.h"
#include "training/dataset.h"

namespace attend::tools {

namespace {

// The network's buffers for one utterance at a time (the model stays const).
struct Work {
  nn::Tensor input, encoded, ctc_log_probs, log_probs, attention;
  std::vector<int64_t> out_lengths;
  acoustic::Encoder::Context encoder_ctx;
  nn::Linear::State ctc_plans;
  decoder::DecoderTrainContext decoder_ctx;
};

// Each head's weights of the first `rows` steps of a teacher-forced Forward
// over one utterance (each step's head_weights is [1, heads, T']), the
// first `frames` frames of each row; nothing for a one-head model.
void CopyHeads(const decoder::DecoderTrainContext& ctx, int64_t rows, int64_t frames,
               std::vector<std::vector<float>>* heads) {
  heads->clear();
  if (rows == 0 || ctx.steps.empty()) return;
  const int64_t num_heads = ctx.steps[0].attention.head_weights.dim(1);
  if (num_heads < 2) return;
  heads->assign(num_heads, std::vector<float>(rows * frames));
  for (int64_t i = 0; i < rows; ++i) {
    const nn::Tensor& w = ctx.steps[i].attention.head_weights;  // [1, heads, T']
    const int64_t stride = w.dim(2);
    for (int64_t h = 0; h < num_heads; ++h)
      std::copy_n(w.data() + h * stride, frames, (*heads)[h].data() + i * frames);
  }
}

// Teacher-forced attention of one utterance ([tokens + 1, frames] row-major,
// the valid encoder frames only; the heads' mean), each head's (the same
// shape; left empty for a one-head model) and the first frame CTC aligns each
// token to (empty when the reference cannot be aligned).
void RunUtterance(const model::AsrModel& net, frontend::Matrix feats,
                  const std::vector<int>& targets, Work* w, std::vector<float>* attention,
                  std::vector<std::vector<float>>* head_attention, int64_t* frames,
                  std::vector<int64_t>* ctc_frames) {
  if (net.cmvn() != nullptr) net.cmvn()->Apply(&feats);
  const int64_t T = feats.rows(), dim = feats.cols();
  const int64_t padded = net.config().encoder.PaddedLength(T);
  w->input.Resize({padded, 1, dim});  // [T, N=1, C] tnc, zero-padded
  std::copy_n(feats.data(), T * dim, w->input.data());
  std::fill(w->input.data() + T * dim, w->input.data() + padded * dim, 0.0f);
  net.encoder().Forward(w->input, {T}, &w->encoded, &w->out_lengths, &w->encoder_ctx);
  net.ctc().Forward(w->encoded, &w->ctc_log_probs, &w->ctc_plans);
  net.decoder().Forward(w->encoded, w->out_lengths, {targets}, nullptr, &w->decoder_ctx,
                        &w->log_probs, &w->attention);
  const int64_t rows = w->attention.dim(0), stride = w->attention.dim(2);  // [S, N=1, T']
  *frames = w->out_lengths[0];
  ATTEND_CHECK(*frames > 0, "no encoder frames (", T, " feature frames)");
  attention->resize(rows * *frames);
  for (int64_t i = 0; i < rows; ++i)
    std::copy_n(w->attention.data() + i * stride, *frames, attention->data() + i * *frames);
  CopyHeads(w->decoder_ctx, rows, *frames, head_attention);
  ctc_frames->clear();
  for (const decoder::TokenSpan& s :
       decoder::CtcAlign(w->ctc_log_probs.data(), *frames, net.vocab().size(),
                         decoder::Vocabulary::kBlank, targets))
    ctc_frames->push_back(s.start_frame);
}

// The statistics of one head: the ratios and its distance from CTC.
nlohmann::json HeadJson(const decoder::AttentionStats& s) {
  nlohmann::json j = {{"sharpness", s.sharpness},
                      {"entropy", s.entropy},
                      {"monotonicity", s.monotonicity},
                      {"ctc_distance", nullptr}};
  if (s.ctc_distance >= 0) j["ctc_distance"] = s.ctc_distance;
  return j;
}

nlohmann::json ToJson(const std::string& key, const decoder::AttentionStats& s,
                      const std::vector<decoder::AttentionStats>& heads) {
  nlohmann::json j = {{"key", key},
                      {"steps", s.rows},
                      {"frames", s.frames},
                      {"sharpness", s.sharpness},
                      {"entropy", s.entropy},
                      {"monotonicity", s.monotonicity},
                      {"coverage", s.coverage},
                      {"tail_weight", s.tail_weight},
                      {"ctc_distance", nullptr},
                      {"stalls", s.stalls},
                      {"jumps_back", s.jumps_back},
                      {"unattended_tail", s.unattended_tail}};
  if (s.ctc_distance >= 0) j["ctc_distance"] = s.ctc_distance;
  if (!heads.empty()) {
    j["heads"] = nlohmann::json::array();
    for (const decoder::AttentionStats& h : heads) j["heads"].push_back(HeadJson(h));
  }
  return j;
}

// A threshold as the user would write it (0.5, not 0.500000).
std::string Str(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// One line per head of a multi-head model: the mean matrix's peak can sit
// where no head looks, so each head is measured on its own too.
void PrintHeads(const std::vector<decoder::AttentionStatsSummary>& heads, std::ostream& out) {
  char line[160];
  for (size_t h = 0; h < heads.size(); ++h) {
    std::snprintf(line, sizeof(line),
                  "  head %-11zu sharpness %.3f  monotonicity %.3f  ctc_distance %.3f\n", h + 1,
                  heads[h].sharpness, heads[h].monotonicity, heads[h].ctc_distance);
    out << line;
  }
}

void PrintSummary(const decoder::AttentionStatsSummary& s, const decoder::AttentionStatsOptions& o,
                  std::ostream& out) {
  char line[160];
  auto row = [&](const char* name, double value, const std::string& what) {
    std::snprintf(line, sizeof(line), "  %-16s %8.3f  %s\n", name, value, what.c_str());
    out << line;
  };
  auto count = [&](const char* name, int64_t value, const std::string& what) {
    std::snprintf(line, sizeof(line), "  %-16s %8lld  %s\n", name, static_cast<long long>(value),
                  what.c_str());
    out << line;
  };
  out << "attention statistics, teacher-forced, over " << s.utterances << " utterances\n";
  row("sharpness", s.sharpness, "mean of each step's largest weight");
  row("entropy", s.entropy, "mean step entropy (nats)");
  row("monotonicity", s.monotonicity, "share of steps whose peak does not move back");
  row("coverage", s.coverage,
      "share of frames with summed weight >= " + Str(o.coverage_min_weight) + "/frames");
  if (s.ctc_aligned > 0)
    row("ctc_distance", s.ctc_distance,
        "mean |peak - CTC frame| (encoder frames), " + std::to_string(s.ctc_aligned) + " aligned");
  else
    out << "  ctc_distance          -  no utterance could be CTC-aligned\n";
  count("stalls", s.stalls, "runs of >= " + std::to_string(o.stall_steps) + " steps on one frame");
  count("jumps_back", s.jumps_back,
        "steps whose peak moves back > " + std::to_string(o.jump_back_frames) + " frames");
  count("unattended_tail", s.unattended_tails,
        "utterances whose last " + Str(o.tail_fraction) + " of frames get < " +
            Str(o.tail_min_weight) + " of the weight");
}

}  // namespace

int RunAttentionStats(const Args& args) {
  const CommandSpec spec{
      "attention-stats",
      "attend attention-stats [options] --data DIR",
      "Runs the attention decoder teacher-forced on the references of a Kaldi data directory "
      "(text, and wav.scp or feats.scp; segments optional) and measures its attention: "
      "sharpness (mean of each step's largest weight), entropy (nats), monotonicity (share of "
      "steps whose peak does not move back), coverage (share of encoder frames that get enough "
      "weight), the mean distance of each token's peak from its first frame in the CTC forced "
      "alignment (encoder frames), and failure counts (stalls, jumps back, unattended tails). "
      "Every decoder step counts, the final <sos/eos> step too. A multi-head model's statistics "
      "are of the heads' mean, and each head's are added (\"heads\" in the JSON, a line per "
      "head in the table). Writes one JSON line per "
      "utterance and a summary table. An utterance that fails is reported and skipped; the exit "
      "status is 1 if any failed.",
      {"model", "data", "out", "summary"}};
  std::string model_path, data_dir, out_path, summary_path;
  decoder::AttentionStatsOptions stats_options;
  po::options_description options("Options");
  options.add_options()("model", po::value(&model_path),
                        "model file (default: $ATTEND_MODEL, else the bundled "
                        "models/default.attend)")(
      "data", po::value(&data_dir), "Kaldi data directory (text, wav.scp or feats.scp)")(
      "out", po::value(&out_path), "write the JSON lines here instead of stdout")(
      "summary", po::value(&summary_path), "write the summary table here instead of stderr");
  po::options_description thresholds("Thresholds");
  stats_options.Register(&thresholds);
  options.add(thresholds);
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, options, {}, &vm)) return 0;
  if (data_dir.empty())
    throw UsageError("--data is required (see 'attend attention-stats --help')");
  stats_options.Validate();

  if (model_path.empty()) model_path = BundledModelPath();
  const std::shared_ptr<const Model> model = Model::Load(model_path);
  const model::AsrModel& net = model->network();
  const model::AsrModelConfig& config = net.config();
  ATTEND_CHECK(config.decoder.scheduled_sampling == 0, model_path,
               ": the model's scheduled-sampling is ", config.decoder.scheduled_sampling,
               "; attention-stats needs a purely teacher-forced decoder");
  const training::DataModelInfo info{config.fbank, config.text, config.encoder.reduction};
  training::Dataset data(data_dir, {}, info, [](const std::string& m) {
    std::cerr << "attend: warning: " << m << "\n";
  });
  data.SetVocabulary(net.vocab());

  std::ofstream out_file;
  if (!out_path.empty()) {
    out_file.open(out_path);
    ATTEND_CHECK(out_file, "cannot write '", out_path, "'");
  }
  std::ostream& out = out_path.empty() ? std::cout : out_file;
  frontend::Fbank fbank(config.fbank);
  Work work;
  std::vector<float> attention;
  std::vector<std::vector<float>> head_attention;
  std::vector<int64_t> ctc_frames;
  std::vector<decoder::AttentionStats> all;
  std::vector<std::vector<decoder::AttentionStats>> all_heads;  // [head][utterance]
  int64_t failed = 0;
  for (const training::Utterance& u : data.utterances()) {
    try {
      int64_t frames = 0;
      RunUtterance(net, data.Features(u, 1.0f, &fbank), u.targets, &work, &attention,
                   &head_attention, &frames, &ctc_frames);
      const int64_t rows = static_cast<int64_t>(attention.size()) / frames;
      all.push_back(decoder::ComputeAttentionStats({attention.data(), rows, frames}, ctc_frames,
                                                   stats_options));
      std::vector<decoder::AttentionStats> heads;
      for (const std::vector<float>& h : head_attention)
        heads.push_back(
            decoder::ComputeAttentionStats({h.data(), rows, frames}, ctc_frames, stats_options));
      all_heads.resize(heads.size());
      for (size_t h = 0; h < heads.size(); ++h) all_heads[h].push_back(heads[h]);
      out << ToJson(u.key, all.back(), heads).dump() << "\n";
    } catch (const Error& e) {
      std::cerr << "attend: error: " << u.key << ": " << e.what() << "; skipped\n";
      ++failed;
    }
  }
  out.flush();
  ATTEND_CHECK(out, "error writing '", out_path.empty() ? "stdout" : out_path, "'");

  const decoder::AttentionStatsSummary summary = decoder::Summarize(all);
  std::vector<decoder::AttentionStatsSummary> head_summaries;
  for (const auto& h : all_heads) head_summaries.push_back(decoder::Summarize(h));
  std::ofstream summary_file;
  if (!summary_path.empty()) summary_file.open(summary_path);
  std::ostream& table = summary_path.empty() ? std::cerr : summary_file;
  PrintSummary(summary, stats_options, table);
  PrintHeads(head_summaries, table);
  table.flush();
  ATTEND_CHECK(table, "cannot write '", summary_path.empty() ? "stderr" : summary_path, "'");
  return failed > 0 ? kExitFailure : 0;
}

}  // namespace attend::tools
