#include "base/config_text.h"

#include <gtest/gtest.h>

#include <boost/program_options.hpp>

#include "base/error.h"

namespace attend {
namespace {

namespace po = boost::program_options;

struct Sample {
  int layers = 3;
  int64_t units = 320;
  float rate = 0.1f;
  double eps = 1e-10;
  bool flag = true;
  std::string cell = "lstm";
  void Register(po::options_description* d) {
    d->add_options()("layers", po::value(&layers)->default_value(layers), "")(
        "units", po::value(&units)->default_value(units), "")(
        "rate", po::value(&rate)->default_value(rate), "")(
        "eps", po::value(&eps)->default_value(eps), "")("flag",
                                                        po::value(&flag)->default_value(flag), "")(
        "cell", po::value(&cell)->default_value(cell), "");
  }
};

TEST(ConfigText, RoundTripsEveryFieldExactly) {
  Sample a;
  a.layers = 5;
  a.units = 1LL << 40;
  a.rate = 0.1f + 1e-8f;
  a.eps = 3.14159265358979;
  a.flag = false;
  a.cell = "gru";
  po::options_description da;
  a.Register(&da);
  const std::string text = ConfigText(da);
  EXPECT_NE(text.find("layers = 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cell = gru\n"), std::string::npos) << text;

  Sample b;
  po::options_description db;
  b.Register(&db);
  ParseConfigText(text + "unknown-key = 7\n", db, "model.attend");
  EXPECT_EQ(b.layers, 5);
  EXPECT_EQ(b.units, 1LL << 40);
  EXPECT_EQ(b.rate, a.rate);
  EXPECT_EQ(b.eps, a.eps);
  EXPECT_FALSE(b.flag);
  EXPECT_EQ(b.cell, "gru");
}

TEST(ConfigText, BadValueNamesTheSource) {
  Sample s;
  po::options_description d;
  s.Register(&d);
  try {
    ParseConfigText("layers = many\n", d, "model.attend");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.attend"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace attend
