// metrics.csv as `attend train` writes it, read back by the end-to-end tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace attend::training::testing {

// The rows after the header, each as its cells (a trailing empty cell kept).
inline std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (line.back() == ',') cells.push_back("");
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace attend::training::testing
