// Scans for the workflow tests, as a clinic's server would get them: X3P files in memory, of rough
// skin with bowl-shaped (rolling-like) scars, and a later visit of the same skin from a new pose
// with the scars changed (tests/followup/synthetic_pair.h). Each index gives different skin and
// different scars, so concurrent runs do not all do the same work.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "../followup/synthetic_pair.h"
#include "surface/x3p.h"
#include "workflows/knowledge.h"
#include "workflows/scan_input.h"

namespace scarscope::test {

struct VisitScans {
  std::string baseline_name, followup_name;
  std::vector<std::byte> baseline, followup;
  ScanInput baseline_input() const { return ScanInput::memory(baseline, baseline_name); }
  ScanInput followup_input() const { return ScanInput::memory(followup, followup_name); }
};

inline std::vector<std::byte> as_bytes(const std::string& data) {
  const auto* first = reinterpret_cast<const std::byte*>(data.data());
  return {first, first + data.size()};
}

// Visit pair `index` (0, 1, 2, ...): 10 x 10 mm at 40 um, three or four scars, the second visit
// shifted and turned a little, its scars 40-100 % as deep.
inline VisitScans visit_scans(int index) {
  PairSpec spec;
  spec.nx = spec.ny = 250;
  spec.spacing_um = spec.followup_spacing_um = 40.0;
  spec.seed = 11 + 7 * static_cast<unsigned>(index);
  spec.rotation_deg = 1.0 + 0.5 * index;
  spec.shift_mm = {0.3 + 0.05 * index, -0.2};
  const double d = 0.1 * (index % 5);
  spec.scars = {{{2.5 + d, 2.5}, 0.7 + d, 140.0 + 20 * index, 0.6},
                {{7.0, 3.0 + d}, 1.0, 120.0, 1.0},
                {{4.5, 7.2}, 0.8 + d, 200.0, 0.4}};
  if (index % 2 == 1) spec.scars.push_back({{8.0, 8.0}, 0.6, 160.0, 0.8});
  const Pair pair = make_pair(spec);
  X3pWriteOptions write;
  write.date = "2026-01-01T00:00:00+00:00";
  VisitScans scans;
  scans.baseline_name = "visit" + std::to_string(index) + "_a.x3p";
  scans.followup_name = "visit" + std::to_string(index) + "_b.x3p";
  scans.baseline = as_bytes(write_x3p_bytes(pair.baseline, write));
  scans.followup = as_bytes(write_x3p_bytes(pair.followup, write));
  return scans;
}

// The knowledge base of the source tree, loaded once for all tests.
const Knowledge& shipped_knowledge();

}  // namespace scarscope::test
