// One identity per scar across visits: baseline centroids are mapped through the registration and
// paired one-to-one with the nearest follow-up scar within a tolerance that grows with scar size.
#pragma once
#include <vector>

#include "followup/registration.h"
#include "scars/inventory.h"

namespace scarscope {

struct ScarPair {
  int baseline_index = -1;  // into the baseline inventory's scars, -1 for a scar seen only at follow-up
  int followup_index = -1;  // into the follow-up inventory's scars, -1 for a scar not found again
  double distance_mm = 0.0;  // between the mapped baseline centroid and the follow-up centroid
};

struct MatchingOptions {
  double min_tolerance_mm = 0.5;      // at least this far, however small the scars
  double tolerance_of_diameter = 0.6;  // ... and this fraction of the larger of the two diameters
};

// Every baseline scar and every follow-up scar appears exactly once: the baseline scars in their
// order (paired or not), then the follow-up scars nobody claimed. Pairs are chosen greedily by
// increasing distance relative to their tolerance, so each scar gets its closest free partner.
std::vector<ScarPair> match_scars(const ScarInventory& baseline, const ScarInventory& followup,
                                  const RigidTransform& transform, const MatchingOptions& options = {});

}  // namespace scarscope
