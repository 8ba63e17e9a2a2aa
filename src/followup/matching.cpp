#include "followup/matching.h"

#include <algorithm>
#include <cmath>

namespace scarscope {

std::vector<ScarPair> match_scars(const ScarInventory& baseline, const ScarInventory& followup,
                                  const RigidTransform& transform, const MatchingOptions& options) {
  struct Candidate {
    int b, f;
    double distance, relative;
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < baseline.scars.size(); ++i) {
    const Scar& b = baseline.scars[i];
    const auto mapped = transform.to_followup(b.centroid_mm);
    for (std::size_t j = 0; j < followup.scars.size(); ++j) {
      const Scar& f = followup.scars[j];
      // A raised scar does not turn into a depression between visits, nor the other way round.
      if ((b.type == ScarType::hypertrophic) != (f.type == ScarType::hypertrophic)) continue;
      const double distance = std::hypot(mapped[0] - f.centroid_mm[0], mapped[1] - f.centroid_mm[1]);
      const double tolerance =
          std::max(options.min_tolerance_mm, options.tolerance_of_diameter * std::max(b.diameter_mm, f.diameter_mm));
      if (distance <= tolerance) {
        candidates.push_back({static_cast<int>(i), static_cast<int>(j), distance, distance / tolerance});
      }
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& c) {
    if (a.relative != c.relative) return a.relative < c.relative;
    return a.b != c.b ? a.b < c.b : a.f < c.f;
  });
  std::vector<int> followup_of(baseline.scars.size(), -1);
  std::vector<double> distance_of(baseline.scars.size(), 0.0);
  std::vector<bool> followup_taken(followup.scars.size(), false);
  for (const Candidate& c : candidates) {
    if (followup_of[static_cast<std::size_t>(c.b)] >= 0 || followup_taken[static_cast<std::size_t>(c.f)]) continue;
    followup_of[static_cast<std::size_t>(c.b)] = c.f;
    distance_of[static_cast<std::size_t>(c.b)] = c.distance;
    followup_taken[static_cast<std::size_t>(c.f)] = true;
  }
  std::vector<ScarPair> pairs;
  for (std::size_t i = 0; i < baseline.scars.size(); ++i) {
    pairs.push_back({static_cast<int>(i), followup_of[i], distance_of[i]});
  }
  for (std::size_t j = 0; j < followup.scars.size(); ++j) {
    if (!followup_taken[j]) pairs.push_back({-1, static_cast<int>(j), 0.0});
  }
  return pairs;
}

}  // namespace scarscope
